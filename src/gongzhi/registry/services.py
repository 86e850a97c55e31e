"""Every change to the registry: one function per use case, each in one transaction, each permission-checked."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import events
from gongzhi.core.audit import Action, audit
from gongzhi.core.db import chunked
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted

from .choices import PARENT_KIND, PLACE_KINDS, AreaKind, OrgKind, PartKind, PartnerRole
from .cleaning import clean_or_raise, parse_area
from .events import BuildingRegridded
from .models import (
    Area,
    ExclusivePart,
    Household,
    Organisation,
    OrganisationArea,
    OrganisationMember,
    Placed,
    Resident,
    ResidentSpecialFamily,
    natural_position,
)
from .permissions import can_manage_organisation, require
from .validators import validate_phone

# the registry's own tables with ancestry columns; other apps' placed rows follow through the registry's events
PLACED_MODELS: tuple[type[Placed], ...] = (Area, Household, Resident, ExclusivePart)


# --- areas ------------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("名称不能为空"), field="name")
    if len(name) > 100:
        raise InvalidInput(_("名称不能超过100个字"), field="name")
    return name


def _check_grid(building_community_id: int | None, grid: Area | None) -> None:
    if grid is None:
        return
    if grid.kind != AreaKind.GRID:
        raise InvalidInput(_("所选区域不是网格"), field="grid")
    if grid.community_id != building_community_id:
        raise InvalidInput(_("网格必须属于楼栋所在的社区"), field="grid")


@transaction.atomic
def area_create(
    *, actor, kind: str, name: str, parent: Area | None = None, grid: Area | None = None, code: str = "",
    compound_type: str = "", note: str = "", check_permission: bool = True,
) -> Area:
    """Add an area under ``parent``. A building may name the grid it belongs to (the grid is an overlay)."""
    if kind not in PLACE_KINDS:
        raise InvalidInput(_("未知的区域类别"), field="kind")
    expected_parent = PARENT_KIND[kind]
    if expected_parent is None and parent is not None:
        raise InvalidInput(_("区不能有上级区域"), field="parent")
    if expected_parent is not None and (parent is None or parent.kind != expected_parent):
        raise InvalidInput(
            _("%(kind)s的上级必须是%(parent)s") % {"kind": AreaKind(kind).label, "parent": AreaKind(expected_parent).label},
            field="parent",
        )
    if check_permission:
        scope = scope_for(actor, Perm.MANAGE_AREAS)
        if not (scope.everywhere or (parent is not None and scope.covers(parent))):
            raise NotPermitted(_("您无权在此处新增区域"))
    area = Area(kind=kind, name=_clean_name(name), parent=parent, code=(code or "").strip()[:32],
                compound_type=compound_type if kind == AreaKind.COMPOUND else "", note=note or "")
    if kind == AreaKind.BUILDING:
        _check_grid(parent.community_id, grid)
    if Area.objects.filter(parent=parent, kind=kind, name=area.name).exists():
        raise Conflict(_("同一上级下已有同名的%(kind)s") % {"kind": AreaKind(kind).label}, code="area_exists",
                       field="name")
    return areas_bulk_create([area], grids={0: grid} if grid else None)[0]


def areas_bulk_create(areas: list[Area], *, grids: dict[int, Area] | None = None, batch_size: int = 2000) -> list[Area]:
    """Insert areas of one kind whose parents exist, with their ancestry columns. No permission check:
    callers are services that checked, the ledger importer (checked per file) and the demo builder.

    ``grids`` maps an index in ``areas`` to the grid that building lies in.
    """
    if not areas:
        return []
    kinds = {a.kind for a in areas}
    if len(kinds) != 1:
        raise ValueError("areas_bulk_create takes areas of one kind")
    kind = kinds.pop()
    for index, area in enumerate(areas):
        if area.parent is not None:
            area.place_at(area.parent)
        if grids and index in grids:
            area.grid = grids[index]
        area.position = natural_position(area.name)
    created = Area.objects.bulk_create(areas, batch_size=batch_size)
    # an area lies in itself: "under community X" includes X
    for ids in chunked([a.pk for a in created]):
        Area.objects.filter(pk__in=ids).update(**{f"{kind}_id": F("pk")})
    for area in created:
        setattr(area, f"{kind}_id", area.pk)
    return created


@transaction.atomic
def area_rename(*, actor, area: Area, name: str) -> Area:
    require(actor, Perm.MANAGE_AREAS, area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    new_name = _clean_name(name)
    if Area.objects.filter(parent=area.parent_id, kind=area.kind, name=new_name).exclude(pk=area.pk).exists():
        raise Conflict(_("同一上级下已有同名的%(kind)s") % {"kind": area.get_kind_display()}, code="area_exists",
                       field="name")
    area.name = new_name
    area.save(update_fields=["name", "position", "updated_at"])
    return area


@transaction.atomic
def building_assign_grid(*, actor, building: Area, grid: Area | None) -> Area:
    """Redraw the grid line: the building, its units, households and residents follow, and so (by the event) do
    the rows other apps placed in it: appeals move to the new grid's queue."""
    if building.kind != AreaKind.BUILDING:
        raise InvalidInput(_("只能为楼栋指定网格"), field="building")
    require(actor, Perm.MANAGE_AREAS, building)
    _check_grid(building.community_id, grid)
    regrid_building(building, grid.pk if grid else None)
    return building


def regrid_building(building: Area, grid_id: int | None) -> None:
    """Move a building and everything placed in it into a grid (the caller checked who may): the registry's own
    rows here, other apps' rows through the ``BuildingRegridded`` event, in the same transaction."""
    for model in PLACED_MODELS:
        model.objects.filter(building_id=building.pk).update(grid_id=grid_id)
    building.grid_id = grid_id
    events.publish(BuildingRegridded(building_id=building.pk, grid_id=grid_id, at=timezone.now()))


# --- households and residents --------------------------------------------------------------------------


@transaction.atomic
def household_create(*, actor, area: Area, room: str, code: str = "", note: str = "") -> Household:
    if area.kind not in (AreaKind.UNIT, AreaKind.BUILDING):
        raise InvalidInput(_("户必须登记在单元或楼栋下"), field="area")
    require(actor, Perm.EDIT_RESIDENTS, area)
    room = (room or "").strip()
    if not room or len(room) > 20:
        raise InvalidInput(_("请填写门牌号（不超过20个字符）"), field="room")
    household = Household(area=area, room=room, code=(code or "").strip()[:40], note=note or "")
    household.place_at(area)
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        raise Conflict(_("该单元已有门牌号为%(room)s的户") % {"room": room}, code="household_exists",
                       field="room") from None
    return household


def _set_special_families(resident: Resident, kinds: list[str]) -> bool:
    current = set(resident.special_families.values_list("kind", flat=True))
    wanted = set(kinds)
    if current == wanted:
        return False
    resident.special_families.filter(kind__in=current - wanted).delete()
    ResidentSpecialFamily.objects.bulk_create(
        [ResidentSpecialFamily(resident=resident, kind=k) for k in sorted(wanted - current)]
    )
    return True


def id_number_elsewhere() -> Conflict:
    """A number registered where the actor cannot see: the refusal must not tell her that it is registered at
    all (the ledger said "registered in a community outside your area", an oracle for anyone's ID number)."""
    return Conflict(_("该身份证号无法在此登记，请核对号码；如确属本辖区居民，请联系街道协助办理"),
                    code="id_number_refused", field="id_number")


def _id_number_taken(actor, id_number: str | None, exclude_pk: int | None = None) -> None:
    if not id_number:
        return
    existing = Resident.objects.filter(id_number=id_number).exclude(pk=exclude_pk).first()
    if existing is None:
        return
    if scope_for(actor, Perm.VIEW_RESIDENTS).covers(existing):  # she sees that person anyway
        raise Conflict(_("该身份证号已在台账中登记，请勿重复录入"), code="id_number_taken", field="id_number")
    raise id_number_elsewhere()


@transaction.atomic
def resident_create(*, actor, household: Household, request=None, **fields) -> Resident:
    require(actor, Perm.EDIT_RESIDENTS, household)
    special = fields.pop("special_families", None)
    cleaned = clean_or_raise({**fields, "special_families": special} if special is not None else fields)
    special_kinds = cleaned.pop("special_families", [])
    _id_number_taken(actor, cleaned.get("id_number"))
    resident = Resident(household=household, **cleaned)
    resident.place_at(household.area)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:  # registered meanwhile: say no more than for a number registered elsewhere
        raise id_number_elsewhere() from None
    _set_special_families(resident, special_kinds)
    audit(actor=actor, action=Action.CHANGE, target=resident, summary=_("新增居民"), request=request,
          data={"fields": sorted(cleaned)})
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, request=None, **changes) -> Resident:
    """Change some fields of a resident. Audited by field name, never by value (the log holds no PII)."""
    require(actor, Perm.EDIT_RESIDENTS, resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    cleaned = clean_or_raise(dict(changes), partial=True)
    special_kinds = cleaned.pop("special_families", None)
    _id_number_taken(actor, cleaned.get("id_number"), exclude_pk=resident.pk)
    changed = [k for k, v in cleaned.items() if getattr(resident, k) != v]
    for key in changed:
        setattr(resident, key, cleaned[key])
    if changed:
        resident.save(update_fields=[*changed, "updated_at"])
    if special_kinds is not None and _set_special_families(resident, special_kinds):
        changed.append("special_families")
    if changed:
        audit(actor=actor, action=Action.CHANGE, target=resident, summary=_("修改居民信息"), request=request,
              data={"fields": sorted(changed)})
    return resident


@transaction.atomic
def resident_move(*, actor, resident: Resident, household: Household, request=None) -> Resident:
    """Register the resident in another household (both must be within the actor's editing scope)."""
    require(actor, Perm.EDIT_RESIDENTS, resident)
    require(actor, Perm.EDIT_RESIDENTS, household)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    old = resident.household_id
    resident.household = household
    resident.place_at(household.area)
    resident.save()
    audit(actor=actor, action=Action.CHANGE, target=resident, summary=_("迁移户籍"), request=request,
          data={"from_household": old, "to_household": household.pk})
    return resident


# --- exclusive parts (专有部分) --------------------------------------------------------------------------
# The floor areas and buyers of record that owners' votes count (民法典 art. 278). Whoever keeps a household's
# residents keeps its parts; edits are audited by field name, as residents' are.

PART_FIELDS = ("kind", "number", "measured_area", "contract_area", "owner", "developer_held", "note")


def _clean_part(household: Household, values: dict) -> dict:
    """A part's fields as they will be saved, or the first reason why not. An edit passes all the fields, its
    changes merged in, so that a rule across fields (the developer's parts have no owner) holds for the result."""
    kind = values.get("kind") or PartKind.DWELLING
    if kind not in PartKind.values:
        raise InvalidInput(_("未知的专有部分类别"), field="kind", code="part_kind")
    number = " ".join(str(values.get("number") or "").split())
    if not number and kind == PartKind.DWELLING:
        number = household.room  # a flat is numbered as its door
    if not number or len(number) > 30:
        raise InvalidInput(_("请填写编号（不超过30个字符）"), field="number", code="part_number")
    measured = parse_area(values.get("measured_area"), field="measured_area")
    contract = parse_area(values.get("contract_area"), field="contract_area")
    owner, developer_held = values.get("owner"), bool(values.get("developer_held"))
    if owner is not None and developer_held:
        # 《建筑物区分所有权解释》 art. 9: the developer's unsold parts count as one head together, nobody's own
        raise InvalidInput(_("建设单位未售出或未交付的部分没有产权人：请清除产权人，或取消该勾选"),
                           field="owner", code="developer_held_with_owner")
    if owner is not None and (owner.community_id is None or owner.community_id != household.community_id):
        raise InvalidInput(_("产权人须是本社区台账中登记的居民"), field="owner", code="owner_not_in_community")
    return {"kind": kind, "number": number, "measured_area": measured, "contract_area": contract, "owner": owner,
            "developer_held": developer_held, "note": str(values.get("note") or "").strip()[:200]}


def _part_taken(household_id: int, kind: str, number: str, exclude_pk: int | None = None) -> None:
    if ExclusivePart.objects.filter(household_id=household_id, kind=kind, number=number).exclude(
            pk=exclude_pk).exists():
        raise Conflict(_("该户已有编号为%(number)s的%(kind)s") % {"number": number, "kind": PartKind(kind).label},
                       code="part_exists", field="number")


@transaction.atomic
def part_create(
    *, actor, household: Household, kind: str = PartKind.DWELLING, number: str = "", measured_area=None,
    contract_area=None, owner: Resident | None = None, developer_held: bool = False, note: str = "", request=None,
) -> ExclusivePart:
    """Register an exclusive part with a household: its flat (numbered as the door unless told), a garage, a shop.
    The owner is a resident of the same community, whatever her status (an owner living elsewhere may be
    recorded as a resident who moved out); a part the developer still holds has none."""
    require(actor, Perm.EDIT_RESIDENTS, household, message=_("您无权登记该户的专有部分"))
    cleaned = _clean_part(household, {"kind": kind, "number": number, "measured_area": measured_area,
                                      "contract_area": contract_area, "owner": owner,
                                      "developer_held": developer_held, "note": note})
    _part_taken(household.pk, cleaned["kind"], cleaned["number"])
    part = ExclusivePart(household=household, **cleaned)
    part.place_at(household)  # a household's ancestry columns are those of the unit or building it lies in
    try:
        with transaction.atomic():
            part.save()
    except IntegrityError:  # registered meanwhile
        raise Conflict(_("该户已有编号为%(number)s的%(kind)s") % {
            "number": cleaned["number"], "kind": PartKind(cleaned["kind"]).label}, code="part_exists",
            field="number") from None
    audit(actor=actor, action=Action.CHANGE, target=part, summary=_("新增专有部分"), request=request,
          data={"household": household.pk,
                "fields": sorted(k for k, v in cleaned.items() if v not in (None, "") and v is not False)})
    return part


@transaction.atomic
def part_update(*, actor, part: ExclusivePart, request=None, **changes) -> ExclusivePart:
    """Change some fields of a part (``PART_FIELDS``). Audited by field name, never by value."""
    unknown = set(changes) - set(PART_FIELDS)
    if unknown:
        raise TypeError(f"part_update() got unexpected fields: {sorted(unknown)}")
    require(actor, Perm.EDIT_RESIDENTS, part, message=_("您无权修改该专有部分"))
    part = ExclusivePart.objects.select_for_update(of=("self",)).select_related("household", "owner").get(pk=part.pk)
    current = {field: getattr(part, field) for field in PART_FIELDS}
    cleaned = _clean_part(part.household, {**current, **changes})
    changed = [k for k, v in cleaned.items() if current[k] != v]
    if not changed:
        return part
    if "kind" in changed or "number" in changed:
        _part_taken(part.household_id, cleaned["kind"], cleaned["number"], exclude_pk=part.pk)
    for key in changed:
        setattr(part, key, cleaned[key])
    part.save(update_fields=[*changed, "updated_at"])
    audit(actor=actor, action=Action.CHANGE, target=part, summary=_("修改专有部分"), request=request,
          data={"household": part.household_id, "fields": sorted(changed)})
    return part


# --- organisations ------------------------------------------------------------------------------------


_ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrgKind.PARTY_ORG: frozenset({PartnerRole.LEAD, PartnerRole.SERVES}),
    OrgKind.RESIDENTS_COMMITTEE: frozenset({PartnerRole.ORGANISER, PartnerRole.SERVES}),
    OrgKind.OWNERS_COMMITTEE: frozenset({PartnerRole.OWNERS}),
    OrgKind.PROPERTY_COMPANY: frozenset({PartnerRole.STEWARD}),
    OrgKind.RED_STEWARD: frozenset({PartnerRole.STEWARD}),
    OrgKind.DEPARTMENT: frozenset({PartnerRole.BACKER}),
    OrgKind.PARTNER_UNIT: frozenset({PartnerRole.PARTNER}),
}


def allowed_partner_roles(kind: str) -> frozenset[str]:
    return _ROLES_BY_KIND.get(kind, frozenset({PartnerRole.SERVES, PartnerRole.PARTNER}))


@transaction.atomic
def organisation_create(
    *, actor, kind: str, name: str, home_area: Area | None, parent: Organisation | None = None,
    contact_name: str = "", contact_phone: str = "", address: str = "", credit_code: str = "",
    description: str = "", check_permission: bool = True,
) -> Organisation:
    if kind not in OrgKind.values:
        raise InvalidInput(_("未知的组织类别"), field="kind")
    if check_permission:
        scope = scope_for(actor, Perm.MANAGE_ORGANISATIONS)
        if not (scope.everywhere or (home_area is not None and scope.covers(home_area))):
            raise NotPermitted(_("您无权在此区域登记组织"))
    name = _clean_name(name)
    if Organisation.objects.filter(kind=kind, name=name, home_area=home_area).exists():
        raise Conflict(_("已有同名的同类组织"), code="organisation_exists", field="name")
    if parent is not None and kind == OrgKind.PARTY_ORG and parent.kind != OrgKind.PARTY_ORG:
        raise InvalidInput(_("党组织的上级必须是党组织"), field="parent")
    return Organisation.objects.create(
        kind=kind, name=name, home_area=home_area, parent=parent, contact_name=contact_name.strip()[:50],
        contact_phone=validate_phone(contact_phone), address=address.strip()[:200],
        credit_code=credit_code.strip().upper()[:18], description=description,
    )


@transaction.atomic
def organisation_serve(
    *, actor, organisation: Organisation, area: Area, role: str, check_permission: bool = True
) -> OrganisationArea:
    """Record that ``organisation`` serves ``area`` as ``role`` (e.g. a property company stewards a compound)."""
    if role not in allowed_partner_roles(organisation.kind):
        raise InvalidInput(
            _("%(kind)s不能担任“%(role)s”") % {"kind": organisation.get_kind_display(),
                                                 "role": PartnerRole(role).label},
            field="role",
        )
    if check_permission:
        require(actor, Perm.MANAGE_ORGANISATIONS, area, message=_("您无权为该区域指定服务组织"))
    row, _created = OrganisationArea.objects.get_or_create(organisation=organisation, area=area, role=role)
    return row


@transaction.atomic
def organisation_withdraw(*, actor, link: OrganisationArea) -> None:
    require(actor, Perm.MANAGE_ORGANISATIONS, link.area, message=_("您无权为该区域指定服务组织"))
    OrganisationArea.objects.filter(pk=link.pk).delete()


@transaction.atomic
def organisation_member_add(
    *, actor, organisation: Organisation, name: str, post: str = "", phone: str = "", user=None,
    resident: Resident | None = None, is_contact: bool = False, check_permission: bool = True,
) -> OrganisationMember:
    if check_permission and not can_manage_organisation(actor, organisation):
        raise NotPermitted(_("您无权管理该组织"))
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("姓名不能为空"), field="name")
    return OrganisationMember.objects.create(
        organisation=organisation, name=name[:50], post=(post or "").strip()[:50], phone=validate_phone(phone),
        user=user, resident=resident, is_contact=is_contact,
    )
