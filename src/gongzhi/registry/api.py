"""Registry reads over the API: the same scopes as the staff pages; personal data masked unless revealed."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.audit import Action, audit
from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.params import Id, Pages, one_of

from . import selectors
from .choices import AreaKind, OrgKind
from .filters import ResidentFilter
from .permissions import areas_visible_to, personal_data, sees_care_data, sees_residents

router = Router(tags=["registry"])


class AreaOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    code: str
    parent_id: int | None
    grid_id: int | None
    compound_type: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())


class OrganisationBrief(Schema):
    id: int
    kind: str
    name: str
    contact_phone: str


class PartnerSlotOut(Schema):
    role: str
    label: str
    organisations: list[OrganisationBrief]
    inherited_from_area_id: int | None


class HouseholdOut(Schema):
    id: int
    address: str  # the property, filled from the selected compound, building and unit
    room: str
    area_id: int
    community_id: int | None
    grid_id: int | None
    compound_id: int | None


def _care(obj, context) -> bool:
    """Whether the caller sees this resident's care data (docs/personal-data.md): asked once per row."""
    if not hasattr(obj, "_gz_care"):
        obj._gz_care = sees_care_data(context["request"].user, obj)
    return obj._gz_care


class ResidentOut(Schema):
    """A resident as lists show it: phone and ID number masked (reveal with POST …/personal-data). The care data —
    ID number, birth year and age, living alone, party membership, special-family tags — is null (or empty) for a
    caller who does not care for her: property and the owners' committee."""

    id: int
    name: str
    gender: str
    birth_year: int | None
    age: int | None
    household_id: int
    address: str
    phone: str
    id_number: str | None
    relation: str
    tenure: str
    owned_floor_area: float | None  # the name clients know; the area of the exclusive parts she owns, summed
    lives_alone: bool | None
    is_party_member: bool | None
    is_volunteer: bool
    special_families: list[str]
    status: str

    @staticmethod
    def resolve_birth_year(obj, context):
        return obj.birth_date.year if obj.birth_date and _care(obj, context) else None

    @staticmethod
    def resolve_age(obj, context):
        return obj.age() if _care(obj, context) else None

    @staticmethod
    def resolve_address(obj):
        return obj.household.address

    @staticmethod
    def resolve_owned_floor_area(obj):
        """Each part's measured area, else its contract's, over the parts she owns (``selectors.with_owned_area``
        annotates the lists and the detail: no query per row)."""
        if not hasattr(obj, "owned_area"):
            obj.owned_area = selectors.with_owned_area(type(obj).objects.filter(pk=obj.pk)).values_list(
                "owned_area", flat=True).first()
        return float(obj.owned_area) if obj.owned_area is not None else None

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_id_number(obj, context):
        return mask_id_number(obj.id_number) if _care(obj, context) else None

    @staticmethod
    def resolve_lives_alone(obj, context):
        return obj.lives_alone if _care(obj, context) else None

    @staticmethod
    def resolve_is_party_member(obj, context):
        return obj.is_party_member if _care(obj, context) else None

    @staticmethod
    def resolve_special_families(obj, context):
        return [s.kind for s in obj.special_families.all()] if _care(obj, context) else []


class PersonalDataOut(Schema):
    id: int
    id_number: str | None
    phone: str
    birth_date: date | None


class ServedAreaOut(Schema):
    area_id: int
    area_name: str
    role: str

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name


class OrganisationOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    parent_id: int | None
    home_area_id: int | None
    contact_name: str
    contact_phone: str
    address: str
    areas: list[ServedAreaOut]

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_areas(obj):
        return obj.area_roles.all()


class AreaFilter(Schema):
    kind: one_of(AreaKind.values) | None = None
    parent: Id | None = None
    under: Id | None = None


class ResidentQuery(Schema):
    area: Id | None = None
    q: str | None = None
    tag: str | None = None
    status: str | None = None
    tenure: str | None = None
    gender: str | None = None


@router.get("/areas", response=list[AreaOut])
@paginate(Pages, page_size=100)
def list_areas(request, filters: Query[AreaFilter]):
    """Areas the caller may see. ``under`` = everything below an area, ``parent`` = its direct children."""
    qs = areas_visible_to(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.under is not None:
        area = selectors.area_detail(viewer=request.user, pk=filters.under)
        qs = selectors.under(qs, area)
    return qs.order_by("id")


@router.get("/areas/{pk}", response=AreaOut)
def get_area(request, pk: int):
    return selectors.area_detail(viewer=request.user, pk=pk)


@router.get("/areas/{pk}/partners", response=list[PartnerSlotOut])
def area_partners(request, pk: int):
    """The six partners of 社区治理合伙人 for a compound (falling back up the tree where it has none)."""
    area = selectors.area_detail(viewer=request.user, pk=pk)
    if area.kind != AreaKind.COMPOUND:
        raise InvalidInput(_("只有小区有“六方”合伙人"), field="pk")
    return [{"role": s.role, "label": str(s.label), "organisations": s.organisations,
             "inherited_from_area_id": s.inherited_from.pk if s.inherited_from else None}
            for s in selectors.compound_partners(area)]


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages, page_size=50)
def list_households(request, area: Id | None = None, q: str = ""):
    if not sees_residents(request.user):
        raise NotPermitted(_("您无权查看居民信息"))
    place = selectors.area_detail(viewer=request.user, pk=area) if area else None
    return selectors.household_list(viewer=request.user, area=place, search=q)


@router.get("/households/{pk}", response=HouseholdOut)
def get_household(request, pk: int):
    return selectors.household_detail(viewer=request.user, pk=pk)


@router.get("/residents", response=list[ResidentOut])
@paginate(Pages, page_size=50)
def list_residents(request, query: Query[ResidentQuery]):
    """Residents in the caller's scope, with the staff list's filters. Phones and ID numbers come masked."""
    if not sees_residents(request.user):
        raise NotPermitted(_("您无权查看居民信息"))
    data = {k: v for k, v in query.dict().items() if v is not None}
    filters = ResidentFilter(data, viewer=request.user)
    if not filters.is_valid():
        raise InvalidInput(_("筛选条件有误：%(fields)s") % {"fields": "、".join(filters.errors)}, code="invalid_filter")
    return filters.qs.select_related("household__compound", "household__building", "household__unit")


@router.get("/residents/{pk}", response=ResidentOut)
def get_resident(request, pk: int):
    return selectors.resident_detail(viewer=request.user, pk=pk)


@router.post("/residents/{pk}/personal-data", response=PersonalDataOut)
def reveal_personal_data(request, pk: int):
    """Full ID number, phone and birth date, for roles that need them. Every call is audited."""
    resident = selectors.resident_detail(viewer=request.user, pk=pk)
    pd = personal_data(request.user, resident, reveal=True)
    if not pd.full:
        raise NotPermitted(_("您无权查看该居民的完整个人信息"))
    audit(actor=request.user, action=Action.VIEW_PERSONAL_DATA, target=resident, request=request,
          summary=resident.name, data={"fields": ["id_number", "phone", "birth_date"], "via": "api"})
    return {"id": resident.pk, "id_number": pd.id_number, "phone": pd.phone, "birth_date": pd.birth_date}


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pages, page_size=50)
def list_organisations(request, kind: one_of(OrgKind.values, "") = "", area: Id | None = None, q: str = ""):
    place = selectors.area_detail(viewer=request.user, pk=area) if area else None
    orgs = selectors.organisation_list(viewer=request.user, kind=kind, area=place, search=q)
    return orgs.prefetch_related("area_roles__area")


@router.get("/organisations/{pk}", response=OrganisationOut)
def get_organisation(request, pk: int):
    return selectors.organisation_detail(viewer=request.user, pk=pk)

