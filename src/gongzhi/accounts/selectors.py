"""Reads about accounts that other apps make."""
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongzhi.access.roles import Role

from .models import ApiToken, RoleGrant


def staff_of(*, areas: Iterable | QuerySet = (), organisations: Iterable | QuerySet = (),
             roles: Iterable[Role] | None = None) -> QuerySet[RoleGrant]:
    """The unrevoked grants held over any of these areas or organisations (ids, rows or a queryset), of
    ``roles`` only when given: who works a community, a grid, a subdistrict, a property company, a department.
    ``.values_list("user_id", flat=True)`` is the people; ``values_list("user_id", "role", "area_id",
    "organisation_id")`` sorts the people of many places out in one query (the deadline sweep)."""
    areas = areas if isinstance(areas, QuerySet) else [getattr(a, "pk", a) for a in areas if a is not None]
    organisations = (organisations if isinstance(organisations, QuerySet)
                     else [getattr(o, "pk", o) for o in organisations if o is not None])
    grants = RoleGrant.objects.filter(revoked_at__isnull=True).filter(
        Q(area__in=areas) | Q(organisation__in=organisations))
    if roles is not None:
        grants = grants.filter(role__in=list(roles))
    return grants


def staffed_by(roles: Iterable[Role]) -> Exists:
    """For a query of organisations: someone holds one of ``roles`` in the organisation now."""
    return Exists(RoleGrant.objects.filter(organisation=OuterRef("pk"), revoked_at__isnull=True,
                                           role__in=list(roles)))


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """Her tokens that were not revoked, newest first, expired ones included (marked so she renews them); the key
    is never stored, so never shown."""
    return (ApiToken.objects.filter(user=user, revoked_at__isnull=True)
            .only("id", "user_id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
            .order_by("-id"))
