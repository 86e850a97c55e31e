"""Who may do what, where: the one place roles turn into powers.

A role grant gives its holder the role's capabilities (``ROLE_PERMS``) over the grant's place: an area
(a grid worker's grid, a secretary's community), the areas an organisation serves (property staff: the
compounds their company stewards), or everywhere (city operator, administrator). ``scope_for(user, perm)``
unions the places of every grant that carries ``perm``; apps filter with ``scope.q()`` and check single
objects with ``scope.covers(obj)``. Each app's ``permissions.py`` builds on these two calls only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q

from .roles import Role


class Perm(StrEnum):
    VIEW_AREAS = "view_areas"
    MANAGE_AREAS = "manage_areas"
    VIEW_RESIDENTS = "view_residents"
    VIEW_PERSONAL_DATA = "view_personal_data"  # full ID numbers, phones, birth dates
    # what only those who care for residents need (docs/personal-data.md): special-family, disability and
    # subsistence tags, ages, living alone, party membership, ID numbers even masked
    VIEW_CARE_DATA = "view_care_data"
    VIEW_OWNERS = "view_owners"  # the owners of the exclusive parts (专有部分) and their areas, for owners' votes
    EDIT_RESIDENTS = "edit_residents"
    IMPORT_LEDGER = "import_ledger"
    EXPORT_LEDGER = "export_ledger"
    VERIFY_BINDING = "verify_binding"
    VIEW_ORGANISATIONS = "view_organisations"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_ROLES = "manage_roles"
    VIEW_AUDIT = "view_audit"
    HANDLE_APPEALS = "handle_appeals"  # accept, dispatch, whistle, close appeals of an area (the community side)
    WORK_APPEALS = "work_appeals"  # take and resolve appeals dispatched to one's own organisation (the party side)
    # 协商议事: keep the councils of an area, accept topics, run meetings and votes, publish resolutions, keep projects
    RUN_COUNCILS = "run_councils"
    # 志愿服务: approve volunteers of an area, keep its teams, rosters and shifts, its points shop and errands
    MANAGE_VOLUNTEERS = "manage_volunteers"
    # 楼栋长/单元长: her building's (unit's) households and how to reach them, nothing more (minimum necessary)
    KEEP_BUILDING = "keep_building"


P = Perm
_FIELD_WORK = {P.VIEW_AREAS, P.VIEW_RESIDENTS, P.VIEW_PERSONAL_DATA, P.VIEW_CARE_DATA, P.EDIT_RESIDENTS,
               P.VERIFY_BINDING, P.VIEW_ORGANISATIONS, P.HANDLE_APPEALS}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.RESIDENT: frozenset(),
    Role.VOLUNTEER: frozenset({P.VIEW_AREAS}),
    Role.BUILDING_HEAD: frozenset({P.KEEP_BUILDING}),
    # 包片包户: the grid worker keeps her grid's ledger up to date door to door
    Role.GRID_WORKER: frozenset(_FIELD_WORK | {P.RUN_COUNCILS}),  # and the grid's council (网格议事)
    Role.COMMUNITY_WORKER: frozenset(_FIELD_WORK | {P.IMPORT_LEDGER, P.EXPORT_LEDGER, P.RUN_COUNCILS,
                                                 P.MANAGE_VOLUNTEERS}),
    Role.COMMUNITY_SECRETARY: frozenset(
        _FIELD_WORK | {P.IMPORT_LEDGER, P.EXPORT_LEDGER, P.MANAGE_AREAS, P.MANAGE_ORGANISATIONS,
                       P.MANAGE_ROLES, P.VIEW_AUDIT, P.RUN_COUNCILS, P.MANAGE_VOLUNTEERS}
    ),
    # the subdistrict oversees communities and their care: sees who lives where, but personal data stays masked
    Role.SUBDISTRICT_STAFF: frozenset(
        {P.VIEW_AREAS, P.VIEW_RESIDENTS, P.VIEW_CARE_DATA, P.VIEW_ORGANISATIONS, P.MANAGE_AREAS, P.MANAGE_ORGANISATIONS,
         P.MANAGE_ROLES, P.VIEW_AUDIT, P.HANDLE_APPEALS, P.RUN_COUNCILS,  # and the subdistrict's own council
         P.MANAGE_VOLUNTEERS}  # and volunteers lent between its communities
    ),
    # the district's 接诉即办 office: oversees its subdistricts' appeals (the escalation ladder's third rung)
    Role.DISTRICT_STAFF: frozenset({P.VIEW_AREAS, P.VIEW_ORGANISATIONS, P.HANDLE_APPEALS}),
    # partners see what their job needs (个人信息保护法's minimum necessary): property, the residents it serves,
    # by name, home and masked phone; the owners' committee, the owners and their floor areas (owners' votes)
    Role.PROPERTY_STAFF: frozenset({P.VIEW_AREAS, P.VIEW_RESIDENTS, P.VIEW_ORGANISATIONS, P.WORK_APPEALS}),
    Role.OWNERS_COMMITTEE_MEMBER: frozenset({P.VIEW_AREAS, P.VIEW_OWNERS, P.VIEW_ORGANISATIONS, P.WORK_APPEALS}),
    Role.DEPARTMENT_STAFF: frozenset({P.VIEW_AREAS, P.VIEW_ORGANISATIONS, P.WORK_APPEALS}),
    # the city's 12345 centre: every appeal of the city (imports hotline orders, dispatches, follows up, the
    # three rates and hotspots), the map and its bodies; not the registry's people
    Role.CITY_OPERATOR: frozenset({P.VIEW_AREAS, P.VIEW_ORGANISATIONS, P.MANAGE_AREAS, P.MANAGE_ORGANISATIONS,
                                   P.HANDLE_APPEALS}),
    Role.ADMINISTRATOR: frozenset(Perm),
}

# What a grant of each role is held over: area kinds, organisation kinds, or None for everywhere.
ROLE_AREA_KINDS: dict[str, frozenset[str]] = {
    Role.VOLUNTEER: frozenset({"community"}),
    Role.BUILDING_HEAD: frozenset({"building", "unit"}),
    Role.GRID_WORKER: frozenset({"grid"}),
    Role.COMMUNITY_WORKER: frozenset({"community"}),
    Role.COMMUNITY_SECRETARY: frozenset({"community"}),
    Role.SUBDISTRICT_STAFF: frozenset({"subdistrict"}),
    Role.DISTRICT_STAFF: frozenset({"district"}),
}
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.VOLUNTEER: frozenset({"volunteer_team"}),
    Role.PROPERTY_STAFF: frozenset({"property_company", "red_steward"}),
    Role.OWNERS_COMMITTEE_MEMBER: frozenset({"owners_committee"}),
    Role.DEPARTMENT_STAFF: frozenset({"department"}),
}
GLOBAL_ROLES = frozenset({Role.CITY_OPERATOR, Role.ADMINISTRATOR})

# Who may grant which roles (within their own MANAGE_ROLES scope); administrators grant anything.
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.COMMUNITY_SECRETARY: frozenset(
        {Role.VOLUNTEER, Role.BUILDING_HEAD, Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.PROPERTY_STAFF,
         Role.OWNERS_COMMITTEE_MEMBER}
    ),
    Role.SUBDISTRICT_STAFF: frozenset(
        {Role.VOLUNTEER, Role.BUILDING_HEAD, Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY,
         Role.PROPERTY_STAFF, Role.OWNERS_COMMITTEE_MEMBER, Role.DEPARTMENT_STAFF}
    ),
    Role.ADMINISTRATOR: frozenset(Role),
}

# a building head is a resident with her building's contact list (the portal's 邻里关爱), not staff
STAFF_ROLES = frozenset(Role) - {Role.RESIDENT, Role.BUILDING_HEAD}


@dataclass(frozen=True)
class Scope:
    """A set of places (area kind, area id), or everywhere. Empty means nowhere."""

    everywhere: bool = False
    places: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return self.everywhere or bool(self.places)

    def ids(self, kind: str) -> list[int]:
        return sorted(pk for k, pk in self.places if k == kind)

    def q(self, prefix: str = "") -> Q:
        """Filter for models with ancestry columns (``Placed``); ``prefix`` reaches one through a relation."""
        if self.everywhere:
            return Q()
        by_kind: dict[str, list[int]] = defaultdict(list)
        for kind, pk in self.places:
            by_kind[kind].append(pk)
        if not by_kind:
            return Q(pk__in=[])
        condition = Q()
        for kind, ids in sorted(by_kind.items()):
            condition |= Q(**{f"{prefix}{kind}_id__in": sorted(ids)})
        return condition

    def covers(self, obj) -> bool:
        """Whether a placed row (area, household, resident…) lies in this scope."""
        if self.everywhere:
            return True
        return any(getattr(obj, f"{kind}_id", None) == pk for kind, pk in self.places)


NOWHERE = Scope()
EVERYWHERE = Scope(everywhere=True)


def active_grants(user) -> list:
    """The user's unrevoked grants, fetched once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_gz_grants")
    if cached is None:
        cached = list(user.role_grants.filter(revoked_at__isnull=True).select_related("area", "organisation"))
        user.__dict__["_gz_grants"] = cached
    return cached


def _organisation_places(user, organisation_ids: set[int]) -> set[tuple[str, int]]:
    """The areas the user's organisations serve, read through her own grants (one query)."""
    cache = user.__dict__.setdefault("_gz_org_places", {})
    missing = organisation_ids - cache.keys()
    if missing:
        for oid in missing:
            cache[oid] = set()
        rows = user.role_grants.filter(organisation_id__in=missing, organisation__areas__isnull=False).values_list(
            "organisation_id", "organisation__areas__kind", "organisation__areas__id")
        for oid, kind, pk in rows.distinct():
            cache[oid].add((kind, pk))
    places: set[tuple[str, int]] = set()
    for oid in organisation_ids:
        places |= cache[oid]
    return places


def scope_for(user, perm: Perm) -> Scope:
    """Where ``user`` holds ``perm``. Cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOWHERE
    cache = user.__dict__.setdefault("_gz_scopes", {})
    if perm in cache:
        return cache[perm]
    if user.is_superuser:
        cache[perm] = EVERYWHERE
        return EVERYWHERE
    everywhere = False
    places: set[tuple[str, int]] = set()
    org_ids: set[int] = set()
    for grant in active_grants(user):
        if perm not in ROLE_PERMS.get(grant.role, ()):
            continue
        if grant.area_id:
            places.add((grant.area.kind, grant.area_id))
        elif grant.organisation_id:
            org_ids.add(grant.organisation_id)
        elif grant.role in GLOBAL_ROLES:
            everywhere = True
    if org_ids and not everywhere:
        places |= _organisation_places(user, org_ids)
    scope = EVERYWHERE if everywhere else Scope(places=frozenset(places))
    cache[perm] = scope
    return scope


def organisations_for(user, perm: Perm) -> frozenset[int]:
    """The organisations in which ``user`` holds ``perm`` through a role there (property staff: their company's
    dispatched appeals). Not their areas: that is ``scope_for``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(g.organisation_id for g in active_grants(user)
                     if g.organisation_id and perm in ROLE_PERMS.get(g.role, ()))


def held_as(user, role: str) -> Scope:
    """The places of the user's own grants of ``role`` (a building head's building): not what a wider power
    reaches. A power given to a person for her own place (KEEP_BUILDING's contact list) is read this way, so an
    administrator is not every building's head."""
    return Scope(places=frozenset((g.area.kind, g.area_id) for g in active_grants(user)
                                  if g.role == role and g.area_id))


def roles_with(perm: Perm) -> frozenset[str]:
    """The roles that carry ``perm`` (administrators aside, who carry everything)."""
    return frozenset(role for role, perms in ROLE_PERMS.items() if perm in perms and role != Role.ADMINISTRATOR)


def has_perm_somewhere(user, perm: Perm) -> bool:
    return bool(scope_for(user, perm))


def roles_of(user) -> set[str]:
    """Roles the user holds; every signed-in account is also a resident of the households bound to it."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {g.role for g in active_grants(user)}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    roles.add(Role.RESIDENT)
    return roles


def is_staff_user(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def forget(user) -> None:
    """Drop the per-request caches after the user's grants changed."""
    for key in ("_gz_grants", "_gz_scopes", "_gz_org_places"):
        user.__dict__.pop(key, None)
