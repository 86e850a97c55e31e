"""Links that exist only when the viewer may follow them.

Pages show names of places and bodies beyond the viewer's scope (the subdistrict above her community, the
district department backing a compound); those names are public, their pages may not be. Rendering a link
that answers 404 would be a dead end, so these tags render plain text instead.
"""
from django import template
from django.urls import reverse
from django.utils.html import format_html

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.registry.permissions import organisations_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def area_link(context, area):
    if area is None:
        return ""
    user = context["request"].user
    if scope_for(user, Perm.VIEW_AREAS).covers(area):
        return format_html('<a href="{}">{}</a>', reverse("staff:area_detail", args=[area.pk]), area.name)
    return format_html("{}", area.name)


def _visible_organisation_ids(request) -> set[int]:
    cached = getattr(request, "_gz_visible_orgs", None)
    if cached is None:
        cached = set(organisations_visible_to(request.user).values_list("pk", flat=True))
        request._gz_visible_orgs = cached
    return cached


@register.simple_tag(takes_context=True)
def organisation_link(context, org):
    if org is None:
        return ""
    if org.pk in _visible_organisation_ids(context["request"]):
        return format_html('<a href="{}">{}</a>', reverse("staff:organisation_detail", args=[org.pk]), org.name)
    return format_html("{}", org.name)
