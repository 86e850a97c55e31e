"""Reads about accounts that other apps make."""
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongzhi.access.roles import Role
from gongzhi.registry.choices import ResidentStatus
from gongzhi.registry.models import Area, Household, Resident

from .choices import BindingStatus
from .models import ApiToken, HouseholdBinding, RoleGrant


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


def verified(household_field: str = "pk") -> Exists:
    """For a query of households: someone has verified an account for it (she reads what the system sends)."""
    return Exists(HouseholdBinding.objects.filter(household=OuterRef(household_field), status=BindingStatus.VERIFIED))


def lived_in(household_field: str = "pk") -> Exists:
    """For a query of households: someone lives there now (a present resident)."""
    return Exists(Resident.objects.filter(household=OuterRef(household_field), status=ResidentStatus.PRESENT))


def heads_unreached(area: Area) -> dict[int, int]:
    """The building and unit heads (楼栋长、单元长) over any part of ``area``, each with how many of her households in
    it have people living there and no verified account: those a notice sent through the system does not reach,
    whom she tells at the door. {head's user id: households}."""
    within = Q(**{f"area__{area.kind}_id": area.pk})
    if area.building_id and area.building_id != area.pk:  # a unit: her building's head too
        within |= Q(area_id=area.building_id)
    grants = list(RoleGrant.objects.filter(within, role=Role.BUILDING_HEAD, revoked_at__isnull=True)
                  .select_related("area"))
    if not grants:
        return {}
    rows = (Household.objects.filter(**{f"{area.kind}_id": area.pk}).filter(lived_in()).exclude(verified())
            .values("building_id", "unit_id").annotate(n=Count("id")))
    by_building, by_unit = {}, {}
    for row in rows:
        by_building[row["building_id"]] = by_building.get(row["building_id"], 0) + row["n"]
        by_unit[row["unit_id"]] = by_unit.get(row["unit_id"], 0) + row["n"]
    out: dict[int, int] = {}
    for grant in grants:
        counts = by_unit if grant.area.kind == "unit" else by_building
        out[grant.user_id] = out.get(grant.user_id, 0) + counts.get(grant.area_id, 0)
    return out
