"""Accounts permissions: who may grant which role where, and who verifies which household bindings."""

from django.db.models import Q, QuerySet

from gongzhi.access.roles import Role
from gongzhi.access.scopes import (
    GLOBAL_ROLES,
    GRANTABLE_BY,
    ROLE_AREA_KINDS,
    ROLE_ORG_KINDS,
    Perm,
    Scope,
    active_grants,
    scope_for,
)
from gongzhi.registry.models import Area, OrganisationArea

from .choices import BindingStatus
from .models import HouseholdBinding, RoleGrant


def _grant_place_scope(grant: RoleGrant) -> Scope:
    if grant.area_id:
        return Scope(places=frozenset({(grant.area.kind, grant.area_id)}))
    if grant.organisation_id:
        return Scope()  # organisation-held roles grant nothing
    return Scope(everywhere=True)


def place_fits_role(role: str, *, area=None, organisation=None) -> bool:
    """Whether a grant of ``role`` may be held over this area / organisation / everywhere (both None)."""
    if role in GLOBAL_ROLES:
        return area is None and organisation is None
    if area is not None:
        return area.kind in ROLE_AREA_KINDS.get(role, ())
    if organisation is not None:
        return organisation.kind in ROLE_ORG_KINDS.get(role, ())
    return False


def can_grant(actor, role: str, *, area=None, organisation=None) -> bool:
    """The actor holds a role that may grant ``role``, and holds it over the target place. An organisation's roles
    reach every place it serves, so her scope must cover all of them, and its home: a secretary whose community
    one of a company's compounds lies in does not hand out (or take away) the company's roles elsewhere."""
    if role == Role.RESIDENT:
        return False  # residents are residents by binding a household, not by grant
    if getattr(actor, "is_superuser", False):
        return True
    targets: list = []
    if area is not None:
        targets = [area]
    elif organisation is not None:
        targets = list(Area.objects.filter(organisation_roles__organisation=organisation).distinct())
        if organisation.home_area_id:
            targets.append(organisation.home_area)
    for grant in active_grants(actor):
        if role not in GRANTABLE_BY.get(grant.role, ()):
            continue
        scope = _grant_place_scope(grant)
        if scope.everywhere or (targets and all(scope.covers(t) for t in targets)):
            return True
    return False


def grantable_roles(actor) -> list[str]:
    roles: set[str] = set()
    if getattr(actor, "is_superuser", False):
        roles = set(Role) - {Role.RESIDENT}
    for grant in active_grants(actor):
        roles |= GRANTABLE_BY.get(grant.role, frozenset())
    return [r for r in Role.values if r in roles]


def grants_visible_to(actor) -> QuerySet[RoleGrant]:
    """Grants over places in the actor's MANAGE_ROLES scope (area grants only, plus all for everywhere)."""
    scope = scope_for(actor, Perm.MANAGE_ROLES)
    qs = RoleGrant.objects.select_related("user", "area", "organisation", "granted_by")
    if scope.everywhere:
        return qs
    if not scope:
        return qs.none()
    areas = Area.objects.filter(scope.q())
    orgs = OrganisationArea.objects.filter(area__in=areas).values("organisation_id")
    return qs.filter(Q(area__in=areas) | Q(organisation__in=orgs))


def bindings_to_verify(actor) -> QuerySet[HouseholdBinding]:
    scope = scope_for(actor, Perm.VERIFY_BINDING)
    return (
        HouseholdBinding.objects.filter(scope.q("household__"))
        .select_related("user", "household__compound", "household__building", "household__unit", "resident")
    )


def pending_bindings(actor) -> QuerySet[HouseholdBinding]:
    return bindings_to_verify(actor).filter(status=BindingStatus.PENDING).order_by("id")
