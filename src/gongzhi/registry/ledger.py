"""The household ledger (户籍台账) in Excel: how communities keep it today.

Import: every row is checked; bad rows are reported (row number, column, reason) and skipped, good rows
are applied, all in one transaction with the import's outcome — if the process dies nothing is half
done. Households are keyed by (unit, room) and residents by ID number (or by household and name when
there is none), so importing the same file again changes nothing. Missing compounds, buildings, units
and grids of a community in the importer's scope are created.

Export writes the same columns, so an exported file imports back unchanged.

The 产权面积 column is not a resident's: floor areas are the exclusive parts' (专有部分). On an owner's row it is the
registered (measured) area of the household's dwelling part, the one numbered as the door; importing it sets that
area, and creates the part, owned by her, where the household has none yet (a part without an owner becomes hers).
A blank cell leaves the part as it is, so the rows of co-owners and family, blank on export, import back unchanged.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import background
from gongzhi.core.audit import Action, audit
from gongzhi.core.db import chunked
from gongzhi.core.downloads import xlsx_bytes
from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.core.tables import Column, cell_text, read_table

from .choices import PLACE_KINDS, AreaKind, Gender, PartKind, Relation, ResidentStatus, SpecialFamily, Tenure
from .cleaning import clean_resident_fields, parse_area
from .models import Area, ExclusivePart, Household, LedgerFile, LedgerImport, Resident, ResidentSpecialFamily
from .permissions import require
from .services import areas_bulk_create, id_number_elsewhere, regrid_building

# The header row users see and the names other ledgers use for the same thing.
COLUMNS: tuple[Column, ...] = (
    Column("subdistrict", "街道", aliases=("街道办事处", "街乡", "所属街道")),
    Column("community", "社区", True, ("社区名称", "所属社区", "居委会")),
    Column("grid", "网格", aliases=("所属网格", "网格名称")),
    Column("compound", "小区", True, ("小区名称", "院落", "小区/院落", "小区院落")),
    Column("building", "楼栋", True, ("楼号", "楼栋号", "楼")),
    Column("unit", "单元", aliases=("单元号",)),
    Column("room", "门牌号", True, ("房号", "室号", "门牌", "房间号", "户号")),
    Column("name", "姓名", True, ("居民姓名",)),
    Column("gender", "性别"),
    Column("birth_date", "出生日期", aliases=("出生年月日", "生日", "出生年月")),
    Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码", "证件号码", "身份证")),
    Column("phone", "联系电话", aliases=("电话", "手机", "手机号", "联系方式", "手机号码")),
    Column("relation", "与户主关系", aliases=("关系", "与户主的关系")),
    Column("tenure", "产权关系", aliases=("人员类型", "业主/租户", "居住类型", "产权")),
    Column("floor_area", "产权面积", aliases=("产权面积(㎡)", "建筑面积", "面积", "房屋面积", "产权面积（㎡）")),
    Column("lives_alone", "独居", aliases=("是否独居",)),
    Column("is_party_member", "党员", aliases=("是否党员",)),
    Column("is_volunteer", "志愿者", aliases=("是否志愿者",)),
    Column("special_families", "特殊家庭", aliases=("特殊人群", "特殊家庭类别")),
    Column("status", "状态", aliases=("人员状态", "在册状态")),
    Column("note", "备注"),
)
HEADERS = tuple(c.header for c in COLUMNS)
PLACE_KEYS = ("subdistrict", "community", "grid", "compound", "building", "unit", "room")
RESIDENT_KEYS = tuple(c.key for c in COLUMNS if c.key not in PLACE_KEYS)
MAX_ROWS = 300_000


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class _Row:
    number: int
    place: dict[str, str]
    fields: dict
    special: list[str] | None
    floor_area: Decimal | None = None  # the 产权面积 cell: the home's dwelling part, not a resident field
    household: Household | None = None


MAX_ERRORS_KEPT = 10_000  # rows refused beyond these are counted, not listed (a wrong file can refuse 300,000)
CHUNK = 5000  # rows placed and written together: memory stays flat however long the file


@dataclass
class _Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    areas_created: int = 0
    households_created: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)

    def refuse(self, *errors: RowError) -> None:
        for error in errors:
            self.refused_rows.add(error.row)
            if len(self.errors) < MAX_ERRORS_KEPT:
                self.errors.append(error)


def read_rows(data: bytes, file_name: str = "ledger.xlsx") -> tuple[dict[str, int], list[tuple[int, list]]]:
    """The ledger's header (found within the first rows) and its data rows."""
    return read_table(
        data, file_name, COLUMNS, max_rows=MAX_ROWS,
        is_header=lambda found: "name" in found and ("room" in found or "community" in found),
        no_header=_("没有找到表头：第一张工作表的前10行中应有“姓名”“社区”“小区”“楼栋”“门牌号”等列"),
    )


def _parse(columns: dict[str, int], data_rows: Iterator[tuple[int, list]], outcome: _Outcome) -> Iterator[_Row]:
    """Clean every non-blank row as it is read; rows with errors go to ``outcome``, the rest come back."""
    header_of = {c.key: c.header for c in COLUMNS}
    present_resident_keys = [k for k in RESIDENT_KEYS if k in columns]
    infer_owner = "floor_area" in columns and "tenure" not in columns
    for number, cells in data_rows:
        def cell(key, cells=cells):
            position = columns.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        if all(cell(k) in (None, "") for k in columns):
            continue  # blank line
        outcome.rows += 1
        place = {k: cell_text(cell(k)) for k in PLACE_KEYS}
        row_errors = [RowError(number, header_of[k], _("不能为空")) for k in PLACE_KEYS
                      if k in ("community", "compound", "building", "room") and not place[k]]
        if len(place["room"]) > 20:
            row_errors.append(RowError(number, header_of["room"], _("门牌号不能超过20个字符")))
        raw = {}
        for key in present_resident_keys:
            value = cell(key)
            if key == "id_number" and isinstance(value, float):
                row_errors.append(RowError(number, header_of[key],
                                           _("身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为文本后重新填写")))
                continue
            if key in ("phone", "id_number", "name", "note") or isinstance(value, float):
                value = cell_text(value)
            raw[key] = value
        if infer_owner and raw.get("floor_area") not in (None, ""):
            raw["tenure"] = Tenure.OWNER
        area_cell = raw.pop("floor_area", None)
        cleaned, errors = clean_resident_fields(raw, partial=True)
        floor_area = None
        try:
            floor_area = parse_area(area_cell, field="floor_area")
        except InvalidInput as e:
            errors.append(("floor_area", str(e.message)))
        if floor_area is not None and cleaned.get("tenure") != Tenure.OWNER:
            errors.append(("floor_area", _("只有业主才有产权面积")))
        row_errors += [RowError(number, header_of.get(f, f), msg) for f, msg in errors]
        if row_errors:
            outcome.refuse(*row_errors)
            continue
        special = cleaned.pop("special_families", None)
        yield _Row(number=number, place=place, fields=cleaned, special=special, floor_area=floor_area)


class _Places:
    """Finds the row's community in the importer's scope and finds or creates what lies below it."""

    def __init__(self, scope, outcome: _Outcome):
        self.outcome = outcome
        self.communities: dict[str, list[Area]] = {}
        for community in Area.objects.filter(scope.q(), kind=AreaKind.COMMUNITY).select_related("subdistrict"):
            self.communities.setdefault(community.name, []).append(community)
        self.children: dict[tuple[int, str, str], Area] = {}
        ids = [c.pk for cs in self.communities.values() for c in cs]
        for chunk in chunked(ids, 500):
            for area in Area.objects.filter(community_id__in=chunk).exclude(kind=AreaKind.COMMUNITY):
                self.children[(area.parent_id, area.kind, area.name)] = area

    def community(self, row: _Row) -> Area | str:
        found = self.communities.get(row.place["community"], [])
        if row.place["subdistrict"]:
            found = [c for c in found if c.subdistrict.name == row.place["subdistrict"]]
        if len(found) == 1:
            return found[0]
        if not found:
            return _("社区“%(name)s”不存在，或不在您的管辖范围内") % {"name": row.place["community"]}
        return _("有多个名为“%(name)s”的社区，请填写“街道”列加以区分") % {"name": row.place["community"]}

    def child(self, parent: Area, kind: str, name: str, grid: Area | None = None) -> Area:
        key = (parent.pk, kind, name)
        area = self.children.get(key)
        if area is None:
            area = areas_bulk_create([Area(kind=kind, name=name, parent=parent)],
                                     grids={0: grid} if grid else None)[0]
            self.children[key] = area
            self.outcome.areas_created += 1
        return area

    def building(self, compound: Area, name: str, grid: Area | None) -> Area | str:
        existing = self.children.get((compound.pk, AreaKind.BUILDING, name))
        if existing is None:
            return self.child(compound, AreaKind.BUILDING, name, grid)
        if grid is not None and existing.grid_id != grid.pk:
            if existing.grid_id is not None:
                return _("楼栋“%(b)s”属于另一个网格，与本行的“%(g)s”不一致") % {"b": name, "g": grid.name}
            regrid_building(existing, grid.pk)  # the building had no grid yet: draw it in
            for (parent_id, kind, _name), area in self.children.items():
                if parent_id == existing.pk and kind == AreaKind.UNIT:
                    area.grid_id = grid.pk
        return existing


def ledger_import_start(*, actor, data: bytes, file_name: str, request=None) -> LedgerImport:
    """Accept an upload: check the permission, keep the file, and return the batch a worker will process."""
    if not scope_for(actor, Perm.IMPORT_LEDGER):
        raise NotPermitted(_("您没有导入台账的权限"))
    with transaction.atomic():
        batch = LedgerImport.objects.create(uploaded_by=actor, file_name=(file_name or "ledger.xlsx")[:200],
                                            sha256=hashlib.sha256(data).hexdigest())
        LedgerFile.objects.create(batch=batch, data=data)
    audit(actor=actor, action=Action.IMPORT_LEDGER, target=batch, request=request, summary=batch.file_name,
          data={"bytes": len(data)})
    return batch


def ledger_import_process(batch_id: int) -> LedgerImport:
    """Import a waiting batch, all of it or nothing; safe to run twice (a finished batch is left alone)."""
    claimed = LedgerImport.claim(batch_id)
    batch = LedgerImport.objects.select_related("uploaded_by").filter(pk=batch_id).first()
    if not claimed or batch is None:
        return batch
    upload = LedgerFile.objects.filter(batch_id=batch_id).first()
    data, actor = (bytes(upload.data) if upload else b""), batch.uploaded_by
    scope = scope_for(actor, Perm.IMPORT_LEDGER)  # as of now: a role revoked meanwhile imports nothing
    try:
        if not scope:
            raise InvalidInput(_("您没有导入台账的权限"))
        columns, data_rows = read_rows(data, batch.file_name)
        with transaction.atomic():
            outcome = _Outcome()
            importer = _Importer(scope, outcome)
            for rows in chunked(_parse(columns, data_rows, outcome), CHUNK):
                importer.apply(rows)
            batch.rows = outcome.rows
            batch.created, batch.updated, batch.unchanged = outcome.created, outcome.updated, outcome.unchanged
            batch.refused = len(outcome.refused_rows)
            batch.areas_created, batch.households_created = outcome.areas_created, outcome.households_created
            batch.errors = [e.as_dict() for e in sorted(outcome.errors, key=lambda e: e.row)]
            batch.status = LedgerImport.Status.DONE
            batch.finished_at = timezone.now()
            batch.save()
            LedgerFile.objects.filter(batch_id=batch.pk).delete()
    except InvalidInput as e:
        batch.status, batch.failure, batch.finished_at = LedgerImport.Status.FAILED, str(e.message), timezone.now()
        batch.save()
        LedgerFile.objects.filter(batch_id=batch.pk).delete()
    except Exception:
        batch.status, batch.finished_at = LedgerImport.Status.FAILED, timezone.now()
        batch.failure = str(_("导入时发生意外错误，未做任何修改；请联系管理员"))
        batch.save()
        LedgerFile.objects.filter(batch_id=batch.pk).delete()
        raise
    return batch


def ledger_imports_pending() -> int:
    """The batches no worker took (on a laptop: all of them, taken by the clock), and those whose worker died."""
    return background.run_waiting(LedgerImport, LedgerFile, ledger_import_process)


def ledger_import_redo(*, actor, batch: LedgerImport) -> None:
    """The uploader puts back in the queue a batch whose worker died, with the file kept."""
    background.redo(batch, actor=actor, files=LedgerFile)


def ledger_import(*, actor, data: bytes, file_name: str, request=None) -> LedgerImport:
    """Import a ledger workbook now. Returns the LedgerImport with counts and the per-row error report."""
    batch = ledger_import_start(actor=actor, data=data, file_name=file_name, request=request)
    return ledger_import_process(batch.pk)


class _Importer:
    """Places and writes the rows a chunk at a time, in the import's one transaction; what must hold across the
    whole file (one row per ID number, one nameless resident per name and home) is remembered between chunks."""

    def __init__(self, scope, outcome: _Outcome):
        self.scope, self.outcome = scope, outcome
        self.places = _Places(scope, outcome)
        self.header_of = {c.key: c.header for c in COLUMNS}
        self.seen_ids: dict[str, int] = {}
        self.seen_names: dict[tuple[int, str], int] = {}
        self.areas_set: set[int] = set()  # homes whose dwelling part a row of this file set the area of

    def apply(self, rows: list[_Row]) -> None:
        places, outcome, header_of = self.places, self.outcome, self.header_of
        good: list[_Row] = []
        for row in rows:
            community = places.community(row)
            if isinstance(community, str):
                outcome.refuse(RowError(row.number, header_of["community"], community))
                continue
            grid = places.child(community, AreaKind.GRID, row.place["grid"]) if row.place["grid"] else None
            compound = places.child(community, AreaKind.COMPOUND, row.place["compound"])
            building = places.building(compound, row.place["building"], grid)
            if isinstance(building, str):
                outcome.refuse(RowError(row.number, header_of["grid"], building))
                continue
            home = places.child(building, AreaKind.UNIT, row.place["unit"]) if row.place["unit"] else building
            row.household = Household(area=home, room=row.place["room"])  # resolved to a saved one below
            good.append(row)

        _resolve_households(good, outcome)
        _apply_residents(good, self, outcome, header_of)


def _resolve_households(rows: list[_Row], outcome: _Outcome) -> None:
    area_ids = sorted({row.household.area_id for row in rows})
    existing: dict[tuple[int, str], Household] = {}
    for chunk in chunked(area_ids, 500):
        for household in Household.objects.filter(area_id__in=chunk):
            existing[(household.area_id, household.room)] = household
    new: dict[tuple[int, str], Household] = {}
    for row in rows:
        key = (row.household.area_id, row.household.room)
        if key in existing:
            row.household = existing[key]
        elif key in new:
            row.household = new[key]
        else:
            row.household.place_at(row.household.area)
            new[key] = row.household
    created = Household.objects.bulk_create(list(new.values()), batch_size=2000)
    outcome.households_created += len(created)


def _apply_residents(rows, importer: _Importer, outcome, header_of) -> None:
    scope, seen_ids, seen_names = importer.scope, importer.seen_ids, importer.seen_names
    by_id: dict[str, Resident] = {}
    for chunk in chunked(sorted({r.fields["id_number"] for r in rows if r.fields.get("id_number")}), 900):
        for resident in Resident.objects.filter(id_number__in=chunk):
            by_id[resident.id_number] = resident
    by_name: dict[tuple[int, str], Resident] = {}
    nameless_ids = sorted({r.household.pk for r in rows if not r.fields.get("id_number")})
    for chunk in chunked(nameless_ids, 900):
        for resident in Resident.objects.filter(household_id__in=chunk, id_number__isnull=True):
            by_name[(resident.household_id, resident.name)] = resident

    to_create: list[Resident] = []
    to_update: dict[int, Resident] = {}
    matched: list[Resident] = []
    changed_fields: set[str] = set()
    special_wanted: list[tuple[Resident, list[str]]] = []
    areas_wanted: list[tuple[Household, Resident, Decimal]] = []
    for row in rows:
        number = row.fields.get("id_number")
        if number:
            if number in seen_ids:
                outcome.refuse(RowError(row.number, header_of["id_number"],
                                        _("与第%(n)d行的身份证号重复") % {"n": seen_ids[number]}))
                continue
            seen_ids[number] = row.number
            resident = by_id.get(number)
        else:
            key = (row.household.pk, row.fields.get("name"))
            if key in seen_names:
                outcome.refuse(RowError(
                    row.number, header_of["name"],
                    _("与第%(n)d行是同一户的同名居民，请填写身份证号区分") % {"n": seen_names[key]}))
                continue
            seen_names[key] = row.number
            resident = by_name.get(key)
        if resident is None:
            resident = Resident(household=row.household, **row.fields)
            resident.place_at(row.household.area)
            to_create.append(resident)
        elif not scope.covers(resident):
            outcome.refuse(RowError(row.number, header_of["id_number"], str(id_number_elsewhere().message)))
            continue
        else:
            matched.append(resident)
            changed = _merge(resident, row)
            if changed:
                to_update[resident.pk] = resident
                changed_fields.update(changed)
        if row.special is not None:
            special_wanted.append((resident, row.special))
        if row.floor_area is not None:
            areas_wanted.append((row.household, resident, row.floor_area))
    Resident.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        Resident.objects.bulk_update(list(to_update.values()), sorted(changed_fields | {"updated_at"}),
                                     batch_size=500)
    created = {r.pk for r in to_create}
    changed_ids = set(to_update) | _sync_special_families(special_wanted, created=created)
    changed_ids |= _apply_floor_areas(areas_wanted, importer.areas_set) - created
    outcome.created += len(to_create)
    outcome.updated += len(changed_ids)
    outcome.unchanged += len(matched) - len(changed_ids)


def _merge(resident: Resident, row: _Row) -> list[str]:
    """Apply the row's fields to an existing resident; return the names of the fields that changed."""
    changed = [k for k, v in row.fields.items() if getattr(resident, k) != v]
    for key in changed:
        setattr(resident, key, row.fields[key])
    if resident.household_id != row.household.pk:  # moved house within the importer's scope
        resident.household = row.household
        resident.place_at(row.household.area)
        changed += ["household", *PLACE_KINDS]
    if changed:
        resident.updated_at = timezone.now()
    return changed


def _apply_floor_areas(wanted: list[tuple[Household, Resident, Decimal]], done: set[int]) -> set[int]:
    """Make each owner row's 产权面积 the measured area of her home's dwelling part (the one numbered as the door),
    creating the part, owned by her, where the home has none, and making an ownerless part hers (not one the
    developer still holds: selling it is a worker's decision on the household page). The first row of a home in
    the file decides (``done``: homes already decided by an earlier chunk). Returns the residents whose row changed
    a part."""
    first: dict[int, tuple[Household, Resident, Decimal]] = {}
    for household, resident, area in wanted:
        if household.pk not in done and household.pk not in first:
            first[household.pk] = (household, resident, area)
    done.update(first)
    existing: dict[tuple[int, str], ExclusivePart] = {}
    for chunk in chunked(sorted(first), 900):
        for part in ExclusivePart.objects.filter(household_id__in=chunk, kind=PartKind.DWELLING):
            existing[(part.household_id, part.number)] = part
    new, changed, touched, now = [], [], set(), timezone.now()
    for household, resident, area in first.values():
        part = existing.get((household.pk, household.room))
        if part is None:
            part = ExclusivePart(household_id=household.pk, kind=PartKind.DWELLING, number=household.room,
                                 measured_area=area, owner_id=resident.pk)
            part.place_at(household)  # a household's ancestry columns are those of where it lies
            new.append(part)
            touched.add(resident.pk)
            continue
        dirty = part.measured_area != area
        part.measured_area = area
        if part.owner_id is None and not part.developer_held:
            part.owner_id, dirty = resident.pk, True
        if dirty:
            part.updated_at = now
            changed.append(part)
            touched.add(resident.pk)
    ExclusivePart.objects.bulk_create(new, batch_size=2000)
    ExclusivePart.objects.bulk_update(changed, ["measured_area", "owner", "updated_at"], batch_size=500)
    return touched


def _sync_special_families(wanted: list[tuple[Resident, list[str]]], *, created: set[int]) -> set[int]:
    """Make each listed resident's special families exactly the listed kinds; return existing ones changed."""
    current: dict[int, set[str]] = {}
    existing = [r.pk for r, _kinds in wanted if r.pk not in created]
    for chunk in chunked(existing, 900):
        for resident_id, kind in ResidentSpecialFamily.objects.filter(resident_id__in=chunk).values_list(
            "resident_id", "kind"
        ):
            current.setdefault(resident_id, set()).add(kind)
    adds, changed = [], set()
    for resident, kinds in wanted:
        have, want = current.get(resident.pk, set()), set(kinds)
        if have == want:
            continue
        adds += [ResidentSpecialFamily(resident_id=resident.pk, kind=k) for k in sorted(want - have)]
        if have - want:
            ResidentSpecialFamily.objects.filter(resident_id=resident.pk, kind__in=have - want).delete()
        if resident.pk not in created:
            changed.add(resident.pk)
    ResidentSpecialFamily.objects.bulk_create(adds, batch_size=2000)
    return changed


# --- export ----------------------------------------------------------------------------------------------

def _labels(choices_cls) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {code: str(label) for code, label in choices_cls.choices}


def _yes(value: bool) -> str:
    return "是" if value else "否"


def ledger_export(*, actor, area: Area, request=None, include_departed: bool = False) -> tuple[bytes, int]:
    """The ledger of everything under ``area`` as .xlsx bytes, and the number of residents in it."""
    require(actor, Perm.EXPORT_LEDGER, area, message=_("您无权导出该区域的台账"))
    full = scope_for(actor, Perm.VIEW_PERSONAL_DATA).covers(area)
    residents = Resident.objects.filter(**{f"{area.kind}_id": area.pk}).filter(
        scope_for(actor, Perm.EXPORT_LEDGER).q()
    )
    if not include_departed:
        residents = residents.filter(status=ResidentStatus.PRESENT)
    # the 产权面积 an import would set from her row: the measured area of her home's dwelling part, if she owns it
    home_part = ExclusivePart.objects.filter(owner=OuterRef("pk"), household=OuterRef("household_id"),
                                             kind=PartKind.DWELLING, number=OuterRef("household__room"))
    residents = (
        residents.select_related("household", "subdistrict", "community", "grid", "compound", "building", "unit")
        .prefetch_related(Prefetch("special_families", queryset=ResidentSpecialFamily.objects.order_by("kind")))
        .annotate(floor_area=Subquery(home_part.order_by().values("measured_area")[:1]))
        .order_by("compound_id", "building_id", "unit_id", "household_id", "id")
    )
    gender, relation, tenure = _labels(Gender), _labels(Relation), _labels(Tenure)
    status, special = _labels(ResidentStatus), _labels(SpecialFamily)
    count = 0

    def rows():
        nonlocal count
        for r in residents.iterator(chunk_size=2000):
            count += 1
            id_number = r.id_number if full else r.masked_id_number
            phone = r.phone if full else r.masked_phone
            born = r.birth_date if full else None
            yield [
                r.subdistrict.name if r.subdistrict else "", r.community.name if r.community else "",
                r.grid.name if r.grid else "", r.compound.name if r.compound else "",
                r.building.name if r.building else "", r.unit.name if r.unit else "", r.household.room, r.name,
                gender.get(r.gender, ""), born.isoformat() if isinstance(born, date) else "", id_number or "",
                phone, relation.get(r.relation, ""), tenure.get(r.tenure, ""),
                float(r.floor_area) if r.floor_area is not None and r.tenure == Tenure.OWNER else None,
                _yes(r.lives_alone),
                _yes(r.is_party_member), _yes(r.is_volunteer),
                "、".join(special[s.kind] for s in r.special_families.all()), status.get(r.status, ""), r.note,
            ]

    # the sheet's title and headers stay Chinese: they are what the importer reads back
    data = xlsx_bytes([("居民台账", HEADERS, rows(), (10, 14, 10, 14, 8, 8, 8, 10, 5, 12, 20, 14, 10, 8, 9, 5, 5, 6,
                                                       12, 8, 20))])
    audit(actor=actor, action=Action.EXPORT_PERSONAL_DATA, target=area, request=request,
          summary=_("导出台账：%(area)s，%(n)d人") % {"area": area.name, "n": count},
          data={"residents": count, "full_personal_data": full})
    return data, count
