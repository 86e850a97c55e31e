"""Registry reads. Each starts from what the viewer may see and fetches everything its screen renders."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core.errors import TooMany
from gongzhi.core.throttle import too_often_for

from .choices import (
    PLACE_KINDS,
    SINGLE_PARTNER_ROLES,
    SIX_PARTNERS,
    AreaKind,
    PartKind,
    PartnerRole,
    ResidentStatus,
)
from .models import (
    Area,
    ExclusivePart,
    Household,
    Organisation,
    OrganisationArea,
    Resident,
    ResidentSpecialFamily,
)
from .permissions import (
    areas_visible_to,
    get_visible,
    households_visible_to,
    organisations_visible_to,
    residents_visible_to,
)


def elderly_cutoff(today: date | None = None) -> date:
    """Born on or before this date → 60 or older today (29 Feb birthdays count from 1 March)."""
    today = today or timezone.localdate()
    years = settings.GONGZHI["ELDERLY_AGE"]
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def under(queryset: QuerySet, area: Area) -> QuerySet:
    """Rows lying in ``area`` (for Area rows: the area itself and everything below it)."""
    return queryset.filter(**{f"{area.kind}_id": area.pk})


RESIDENT_LIST_RELATED = ("household", "compound", "building", "unit", "grid", "community")


def attach_places(residents: list[Resident]) -> list[Resident]:
    """Give a page of residents (fetched with their households) the places a list shows — the address
    (compound, building, unit) and the grid — from one query for the page's areas, instead of joining five
    copies of the area table into every row or fetching them one by one."""
    kinds = ("compound", "building", "unit", "grid")
    ids = {getattr(r, f"{k}_id") for r in residents for k in kinds} - {None}
    areas = Area.objects.only("id", "kind", "name").in_bulk(ids) if ids else {}
    for r in residents:
        for kind in kinds:
            area = areas.get(getattr(r, f"{kind}_id"))
            setattr(r, kind, area)
            if kind != "grid":
                setattr(r.household, kind, area)
    return residents


def filter_tag(qs: QuerySet[Resident], tag: str) -> QuerySet[Resident]:
    if tag == "elderly":
        return qs.filter(birth_date__lte=elderly_cutoff())
    if tag == "lives_alone":
        return qs.filter(lives_alone=True)
    if tag == "elderly_alone":
        return qs.filter(lives_alone=True, birth_date__lte=elderly_cutoff())
    if tag == "party_member":
        return qs.filter(is_party_member=True)
    if tag == "volunteer":
        return qs.filter(is_volunteer=True)
    if tag == "special":
        return qs.filter(pk__in=ResidentSpecialFamily.objects.values("resident_id"))
    if tag.startswith("special:"):
        return qs.filter(pk__in=ResidentSpecialFamily.objects.filter(kind=tag[8:]).values("resident_id"))
    return qs


def full_view(viewer) -> Q | None:
    """The residents whose ID numbers and phones ``viewer`` sees in full (a filter), or None for nobody's."""
    scope = scope_for(viewer, Perm.VIEW_PERSONAL_DATA)
    return scope.q() if scope else None


EVERYONE = Q()
NUMBER_SEARCHES, NUMBER_SEARCH_WINDOW = 120, 600  # a worker at the desk looks up a few numbers a minute


def count_number_search(viewer, text: str) -> None:
    """A search with four or more digits (a phone, an ID number, their tails) counts against the viewer: past
    ``NUMBER_SEARCHES`` in ten minutes she is asked to wait, so nobody walks the number space, whatever she may
    see (issue 21). Searching by name is not counted."""
    if sum(c.isdigit() for c in text) >= 4 and too_often_for(viewer, "number-search", limit=NUMBER_SEARCHES,
                                                           seconds=NUMBER_SEARCH_WINDOW):
        raise TooMany(_("查询号码过于频繁，请十分钟后再试"), code="too_many_searches")


def search_residents(qs: QuerySet[Resident], text: str, *, full: Q | None = None,
                     care: Q | None = EVERYONE) -> QuerySet[Resident]:
    """Name, phone (or its last four digits), ID number, or room: what a worker types at the desk.

    A masked phone or ID number shows its last four digits (139****5678, 1101**********1234), so those match
    anyone the viewer sees; a longer phone or ID prefix, or a whole ID number, matches only among the residents
    whose numbers she sees in full (``full``, from ``full_view``; None: nobody). Otherwise a prefix search
    recovered a masked ID number in 22 tries, digit by digit (issue 21). A viewer who sees no ID numbers at all (a
    partner: ``care`` None, or a filter of the residents whose care data she sees) matches none by them."""
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 4:
        by_id = Q(id_number__endswith=compact) & care if care is not None else Q(pk__in=[])
        return qs.filter(Q(phone__endswith=compact) | Q(household__room=compact) | by_id)
    if compact.isdigit() and len(compact) >= 7:
        return qs.filter(full, Q(phone__startswith=compact) | Q(id_number__startswith=compact)) if full is not None \
            else qs.none()
    if len(compact) == 18:
        return qs.filter(full, id_number=compact.upper()) if full is not None else qs.none()
    return qs.filter(Q(name__contains=text) | Q(household__room=compact))


def owned_area() -> Subquery:
    """The floor area of the parts a resident owns, summed (each part's measured area, else its contract's): what an
    owners' vote counts for her. None when she owns none, or none with a known area. A column, not a query per row."""
    parts = (ExclusivePart.objects.filter(owner=OuterRef("pk")).order_by().values("owner")
             .annotate(total=Sum(Coalesce("measured_area", "contract_area"))).values("total"))
    return Subquery(parts, output_field=DecimalField(max_digits=12, decimal_places=2))


def with_owned_area(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    return residents.annotate(owned_area=owned_area())


PART_RELATED = ("household__compound", "household__building", "household__unit")


def resident_detail(*, viewer, pk) -> Resident:
    return get_visible(
        with_owned_area(residents_visible_to(viewer)).select_related(*RESIDENT_LIST_RELATED, "subdistrict", "district")
        .prefetch_related("special_families",
                          Prefetch("owned_parts", queryset=ExclusivePart.objects.select_related(*PART_RELATED))),
        pk,
    )


def household_detail(*, viewer, pk) -> Household:
    return get_visible(
        households_visible_to(viewer).select_related("compound", "building", "unit", "grid", "community", "area")
        .prefetch_related(
            Prefetch("residents", queryset=residents_visible_to(viewer).order_by("id")  # an owners' committee: owners
                     .prefetch_related("special_families"))
        ),
        pk,
    )


def household_parts(*, viewer, household: Household) -> list[ExclusivePart]:
    """The exclusive parts of a household the viewer sees, dwelling first. Each carries ``shown_owner``: its buyer
    of record where the viewer may see that resident (she may live in another grid of the community), else None."""
    parts = sorted(ExclusivePart.objects.filter(household=household).select_related("owner"),
                   key=lambda p: (p.kind != PartKind.DWELLING, p.kind, p.number))
    owner_ids = {p.owner_id for p in parts} - {None}
    visible = set(residents_visible_to(viewer).filter(pk__in=owner_ids).values_list("pk", flat=True)) \
        if owner_ids else set()
    for part in parts:
        part.shown_owner = part.owner if part.owner_id in visible else None
    return parts


def household_list(*, viewer, area: Area | None = None, search: str = "") -> QuerySet[Household]:
    qs = households_visible_to(viewer)
    if area is not None:
        qs = under(qs, area)
    if search := search.strip():
        qs = qs.filter(room__startswith=search)
    return (
        qs.select_related("compound", "building", "unit", "grid")
        .annotate(people=Count("residents", filter=Q(residents__status=ResidentStatus.PRESENT)))
        .order_by("building__position", "building_id", "unit__position", "unit_id", "position", "room")
    )


# --- the tree ---------------------------------------------------------------------------------------------


def area_detail(*, viewer, pk) -> Area:
    return get_visible(
        areas_visible_to(viewer).select_related("parent", *(k for k in PLACE_KINDS if k != "unit")), pk
    )


def area_roots(*, viewer) -> QuerySet[Area]:
    """The topmost areas the viewer may see: the places of her grants, or the districts for the whole city."""
    scope = scope_for(viewer, Perm.VIEW_AREAS)
    if scope.everywhere:
        return Area.objects.filter(kind=AreaKind.DISTRICT)
    return Area.objects.filter(pk__in=[pk for _kind, pk in scope.places]).order_by("kind", "position", "name")


def area_children(*, viewer, area: Area) -> QuerySet[Area]:
    """What a tree node opens to. A community shows its grids and compounds; a grid shows its buildings."""
    qs = areas_visible_to(viewer)
    if area.kind == AreaKind.GRID:
        qs = qs.filter(grid=area, kind=AreaKind.BUILDING)
    else:
        qs = qs.filter(parent=area)
    return qs.select_related("grid", "compound").order_by("kind", "position", "name")


def area_ancestors(area: Area) -> list[Area]:
    """District down to the parent: for breadcrumbs (names only; links only where the viewer may go)."""
    ids = [getattr(area, f"{k}_id") for k in PLACE_KINDS if k not in ("grid",)]
    ids = [i for i in ids if i and i != area.pk]
    found = {a.pk: a for a in Area.objects.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


@dataclass
class AreaFigures:
    households: int
    residents: int
    elderly: int | None  # the care figures: None for a viewer who sees no care data (a partner)
    elderly_alone: int | None
    special: int | None
    party_members: int | None


def area_figures(*, viewer, area: Area) -> AreaFigures:
    """Counts under an area, computed over what the viewer may see (one query per figure, all indexed)."""
    residents = under(residents_visible_to(viewer), area).filter(status=ResidentStatus.PRESENT)
    households = under(households_visible_to(viewer), area).count()
    care = scope_for(viewer, Perm.VIEW_CARE_DATA)
    if not care:
        return AreaFigures(households=households, residents=residents.count(), elderly=None, elderly_alone=None,
                           special=None, party_members=None)
    cutoff, cared = elderly_cutoff(), care.q()
    agg = residents.aggregate(
        total=Count("id"),
        elderly=Count("id", filter=Q(birth_date__lte=cutoff) & cared),
        elderly_alone=Count("id", filter=Q(birth_date__lte=cutoff, lives_alone=True) & cared),
        party=Count("id", filter=Q(is_party_member=True) & cared),
    )
    special = residents.filter(cared, pk__in=ResidentSpecialFamily.objects.values("resident_id")).count()
    return AreaFigures(households=households, residents=agg["total"], elderly=agg["elderly"],
                       elderly_alone=agg["elderly_alone"], special=special, party_members=agg["party"])


# --- organisations and the six partners ---------------------------------------------------------------


def organisation_list(*, viewer, kind: str = "", area: Area | None = None, search: str = "") -> QuerySet[Organisation]:
    qs = organisations_visible_to(viewer).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if area is not None:
        qs = qs.filter(Q(area_roles__area__in=under(Area.objects.all(), area)) | Q(home_area=area)).distinct()
    if search := search.strip():
        qs = qs.filter(name__contains=search)
    return qs.select_related("home_area", "parent").order_by("kind", "name")


def organisation_detail(*, viewer, pk) -> Organisation:
    return get_visible(
        organisations_visible_to(viewer).select_related("home_area", "parent").prefetch_related(
            "members", Prefetch("area_roles", queryset=OrganisationArea.objects.select_related("area")),
            "children",
        ),
        pk,
    )


@dataclass
class PartnerSlot:
    role: str
    label: str
    organisations: list[Organisation] = field(default_factory=list)
    inherited_from: Area | None = None  # set when the body serves a higher area (e.g. the red steward)

    @property
    def missing(self) -> bool:
        return not self.organisations

    @property
    def many(self) -> bool:
        """Backers and partner units: a list of bodies rather than one to call."""
        return self.role not in SINGLE_PARTNER_ROLES


def compound_partners(compound: Area) -> list[PartnerSlot]:
    """The six partners of 社区治理合伙人 (002) for a compound, looking up the tree where it has none of its own.

    Lead, organiser, owners' body and steward: the nearest area that names one wins (so a compound without
    a property company gets the community's red steward). Backers and partner units: all up the tree.
    """
    chain_ids = [getattr(compound, f"{k}_id") for k in ("compound", "community", "subdistrict", "district")]
    chain_ids = [i for i in chain_ids if i]
    rows = (
        OrganisationArea.objects.filter(area_id__in=chain_ids, role__in=SIX_PARTNERS, organisation__is_active=True)
        .select_related("organisation", "area")
        .order_by("organisation__name")
    )
    by_role: dict[str, dict[int, list[OrganisationArea]]] = {}
    for row in rows:
        by_role.setdefault(row.role, {}).setdefault(row.area_id, []).append(row)
    slots = []
    for role in SIX_PARTNERS:
        slot = PartnerSlot(role=role, label=PartnerRole(role).label)
        found = by_role.get(role, {})
        if role in SINGLE_PARTNER_ROLES:
            for area_id in chain_ids:
                if found.get(area_id):
                    slot.organisations = [r.organisation for r in found[area_id]]
                    if area_id != compound.pk:
                        slot.inherited_from = found[area_id][0].area
                    break
        else:
            for area_id in chain_ids:
                slot.organisations += [r.organisation for r in found.get(area_id, [])]
        slots.append(slot)
    return slots


def compounds_without_steward(*, viewer, area: Area) -> QuerySet[Area]:
    """Compounds under ``area`` with no property company of their own (the red steward's patch, 000)."""
    stewarded = OrganisationArea.objects.filter(role=PartnerRole.STEWARD).values("area_id")
    return under(areas_visible_to(viewer), area).filter(kind=AreaKind.COMPOUND).exclude(pk__in=stewarded)


def child_counts(*, viewer, children: list[Area]) -> dict[int, dict[str, int]]:
    """Households and residents under each child area: two grouped queries per kind of child."""
    counts: dict[int, dict[str, int]] = {a.pk: {"households": 0, "residents": 0} for a in children}
    by_kind: dict[str, list[int]] = {}
    for area in children:
        by_kind.setdefault(area.kind, []).append(area.pk)
    for kind, ids in by_kind.items():
        column = f"{kind}_id"
        for row in (households_visible_to(viewer).filter(**{f"{column}__in": ids}).values(column)
                    .annotate(n=Count("id"))):
            counts[row[column]]["households"] = row["n"]
        for row in (residents_visible_to(viewer).filter(**{f"{column}__in": ids}, status=ResidentStatus.PRESENT)
                    .values(column).annotate(n=Count("id"))):
            counts[row[column]]["residents"] = row["n"]
    return counts


def partners_here(area: Area) -> QuerySet[OrganisationArea]:
    """Organisations serving exactly this area, with their roles."""
    return OrganisationArea.objects.filter(area=area).select_related("organisation").order_by("role",
                                                                                              "organisation__name")
