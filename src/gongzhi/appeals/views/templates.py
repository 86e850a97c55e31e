"""答复模板 in the console: the city's (read only) and the community's own, which its workers keep."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.core.errors import DomainError
from gongzhi.core.params import id_param

from .. import selectors, services
from ..models import Category, ReplyTemplate


@staff_view
def reply_templates(request):
    communities = list(selectors.template_communities(request.user))
    if not communities:
        raise PermissionDenied
    community = next((c for c in communities if str(c.pk) == request.POST.get("community", request.GET.get(
        "community", ""))), communities[0])
    editing = None
    if edit := id_param(request.GET.get("edit")):
        editing = ReplyTemplate.objects.filter(pk=edit, community=community).first()
    form = {"title": "", "text": "", "category": None}
    if request.method == "POST":
        editing = ReplyTemplate.objects.filter(pk=id_param(request.POST.get("pk")) or 0, community=community).first()
        category = Category.objects.filter(pk=request.POST.get("category") or 0).first()
        form = {"title": request.POST.get("title", ""), "text": request.POST.get("text", ""),
                "category": category.pk if category else None}
        try:
            services.reply_template_save(actor=request.user, community=community, title=form["title"],
                                         text=form["text"], category=category, template=editing)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("答复模板已保存"))
            return redirect(f"{request.path}?community={community.pk}")
    elif editing is not None:
        form = {"title": editing.title, "text": editing.text, "category": editing.category_id}
    templates = (ReplyTemplate.objects.filter(Q(community__isnull=True) | Q(community=community), is_active=True)
                 .select_related("category__parent").order_by("community_id", "position", "id"))
    return render(request, "appeals/reply_templates.html", {
        "communities": communities, "community": community, "templates": templates, "form": form,
        "editing": editing, "categories": Category.objects.filter(is_active=True).select_related("parent")
        .order_by("position", "code"),
    })


@staff_view
@require_POST
def reply_template_retire(request, pk):
    communities = selectors.template_communities(request.user)
    if not communities.exists():
        raise PermissionDenied
    # her communities' templates (and the city's, which the service refuses with its reason); another community's
    # is not found, as one that does not exist (issue 21)
    template = (ReplyTemplate.objects.filter(Q(community__in=communities) | Q(community__isnull=True), pk=pk)
                .select_related("community").first())
    if template is None:
        raise Http404
    try:
        services.reply_template_retire(actor=request.user, template=template)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("答复模板已停用"))
    return redirect(f"/staff/reply-templates/?community={template.community_id or ''}")
