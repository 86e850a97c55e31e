"""12345 hotline orders in bulk: a spreadsheet, a CSV or JSON export uploaded on the page, or the API.

Each order carries the hotline's own order number; an order seen before is counted and skipped, so importing
the same file twice creates nothing. Orders are placed by the community (and compound and building, when
named) in the importer's area; an order that cannot be placed is reported with its row and reason. The
import is one transaction: it lands whole or not at all.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import background
from gongzhi.core import events as domain_events
from gongzhi.core.audit import Action as AuditAction
from gongzhi.core.audit import audit
from gongzhi.core.db import chunked, fast_insert, reserve_ids
from gongzhi.core.errors import DomainError, InvalidInput, NotPermitted
from gongzhi.core.tables import Column, cell_text, read_table
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area
from gongzhi.registry.validators import normalise_phone

from .choices import Channel, Priority, State, Step
from .events import AppealsImported
from .models import Appeal, AppealEvent, Category, HotlineFile, HotlineImport
from .services.intake import MAX_TEXT
from .services.lifecycle import appeal_numbers, clock, hours_for, place_columns, submitted_event_row
from .worktime import Calendar

COLUMNS = (
    Column("order_no", "工单号", True, ("工单编号", "热线工单号", "order_no", "orderNo", "ticket_id")),
    Column("text", "诉求内容", True, ("问题描述", "来电内容", "内容", "content", "description")),
    Column("community", "社区", True, ("所属社区", "社区名称", "community")),
    Column("compound", "小区", aliases=("小区名称", "院落", "compound")),
    Column("building", "楼栋", aliases=("楼号", "building")),
    Column("address", "地址", aliases=("详细地址", "事发地址", "address")),
    Column("category", "类别", aliases=("诉求类别", "分类", "category")),
    Column("contact_name", "来电人", aliases=("诉求人", "联系人", "name")),
    Column("contact_phone", "联系电话", aliases=("来电号码", "电话", "phone")),
)
MAX_ROWS = 300_000
MAX_API_ORDERS = 1000
log = logging.getLogger(__name__)


MAX_ERRORS_KEPT = 10_000  # rows refused beyond these are counted, not listed
CHUNK = 5000  # orders placed and written together: memory stays flat however long the file


@dataclass
class HotlineOutcome:
    rows: int = 0
    created: int = 0
    existing: int = 0
    errors: list[dict] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)

    @property
    def refused(self) -> int:
        return len(self.refused_rows)

    def refuse(self, row: int, column: str, reason) -> None:
        self.refused_rows.add(row)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "reason": str(reason)})


def _categories() -> dict[str, Category]:
    lookup: dict[str, Category] = {}
    for category in Category.objects.select_related("parent").filter(is_active=True):
        lookup.setdefault(category.name, category)
        lookup[category.code] = category
        if category.parent_id:
            lookup[f"{category.parent.name}/{category.name}"] = category
    return lookup


class _Places:
    """Communities, compounds and buildings by name, within what the importer may handle."""

    def __init__(self, scope):
        self.communities = {a.name: a for a in Area.objects.filter(scope.q(), kind=AreaKind.COMMUNITY)}
        self._children: dict[tuple[int, str], dict[str, Area]] = {}

    def child(self, parent: Area, kind: str, name: str) -> Area | None:
        key = (parent.pk, kind)
        if key not in self._children:
            self._children[key] = {a.name: a for a in Area.objects.filter(parent=parent, kind=kind)}
        return self._children[key].get(name)


def hotline_import(*, actor, data: bytes, file_name: str, request=None) -> HotlineOutcome:
    """Import a 12345 file now, all of it or nothing, reading and writing it a chunk of orders at a time."""
    scope = scope_for(actor, Perm.HANDLE_APPEALS)
    if not scope:
        raise NotPermitted(_("您无权导入热线工单"))
    columns, data_rows = read_table(
        data, file_name, COLUMNS, max_rows=MAX_ROWS, is_header=lambda found: "order_no" in found and "text" in found,
        no_header=_("没有找到表头：应有“工单号”“诉求内容”“社区”等列"))
    outcome = HotlineOutcome()
    with transaction.atomic():
        writer = _Writer(actor, scope, outcome)
        for chunk in chunked(_parse(columns, data_rows, outcome), CHUNK):
            writer.write(chunk)
        if outcome.created:
            domain_events.publish(AppealsImported(count=outcome.created))
    audit(actor=actor, action=AuditAction.CHANGE, target_type="appeals.hotline", summary=file_name[:200],
          request=request, data={"rows": outcome.rows, "created": outcome.created, "existing": outcome.existing,
                                 "refused": outcome.refused})
    return outcome


def _parse(columns: dict[str, int], data_rows, outcome: HotlineOutcome):
    """The file's non-blank rows, checked as they are read: (row number, fields) of those that may be orders."""
    header = {c.key: c.header for c in COLUMNS}
    for number, cells in data_rows:
        def cell(key, cells=cells):
            position = columns.get(key)
            return cell_text(cells[position]) if position is not None and position < len(cells) else ""

        if not any(cell(k) for k in columns):
            continue
        outcome.rows += 1
        row = {k: cell(k) for k in header}
        problems = [(k, _("不能为空")) for k in ("order_no", "text", "community") if not row[k]]
        if len(row["text"]) > MAX_TEXT:
            problems.append(("text", _("诉求内容不能超过%(n)d字") % {"n": MAX_TEXT}))
        if len(row["order_no"]) > 40:
            problems.append(("order_no", _("工单号不能超过40个字符")))
        for k, message in problems:
            outcome.refuse(number, header[k], message)
        if not problems:
            yield number, row


def hotline_orders(*, actor, orders: list[dict]) -> HotlineOutcome:
    """Orders pushed by the hotline's system (the API): the same fields as the spreadsheet's columns; errors
    name an order by its place in the list, from 1. At most ``MAX_API_ORDERS`` a call: the request imports them
    itself, and a day's file goes through the upload, to a worker."""
    if len(orders) > MAX_API_ORDERS:
        raise InvalidInput(_("一次最多推送%(n)d条工单，请分批推送") % {"n": MAX_API_ORDERS}, code="too_many_rows")
    return hotline_import(actor=actor, data=json.dumps(orders, ensure_ascii=False).encode(), file_name="api.json")


class _Writer:
    """Places a chunk of orders and writes their appeals and first events; what must hold across the whole file
    (an order number once) is remembered between chunks."""

    def __init__(self, actor, scope, outcome: HotlineOutcome):
        self.actor, self.outcome = actor, outcome
        self.header = {c.key: c.header for c in COLUMNS}
        self.first_row: dict[str, int] = {}  # order number → the row of this file that brought it
        self.places = _Places(scope)
        self.categories = _categories()
        self.now = timezone.now()
        self.calendar = Calendar.load(timezone.localdate(self.now))
        self.category_hours: dict[tuple, tuple] = {}

    def write(self, parsed: list[tuple[int, dict]]) -> None:
        outcome, header, places, now, actor = self.outcome, self.header, self.places, self.now, self.actor
        seen: set[str] = set()
        for numbers in chunked([row["order_no"] for _n, row in parsed], 900):
            seen |= set(Appeal.objects.filter(hotline_order_no__in=numbers).values_list("hotline_order_no", flat=True))
        new = []
        for number, row in parsed:
            if row["order_no"] in self.first_row:  # twice in one file: a mistake to report, not "existing"
                outcome.refuse(number, header["order_no"],
                               _("工单号与第%(row)d行重复") % {"row": self.first_row[row["order_no"]]})
                continue
            self.first_row[row["order_no"]] = number
            if row["order_no"] in seen:
                outcome.existing += 1  # this order came in before: nothing new
                continue
            area = places.communities.get(row["community"])
            if area is None:
                outcome.refuse(number, header["community"], _("社区不存在，或不在您的辖区"))
                continue
            if row["compound"] and (compound := places.child(area, AreaKind.COMPOUND, row["compound"])):
                area = compound
                if row["building"] and (building := places.child(compound, AreaKind.BUILDING, row["building"])):
                    area = building
            new.append((row, area))
        if not new:
            return
        appeals, events = [], []
        ids = reserve_ids(Appeal, len(new))
        numbers = appeal_numbers(now, len(new))
        for (row, area), pk, appeal_number in zip(new, ids, numbers, strict=True):
            category = self.categories.get(row["category"])
            priority = category.priority if category else Priority.NORMAL
            key = (category.pk if category else None, priority)
            if key not in self.category_hours:  # the same clock as any intake's, computed once per category
                self.category_hours[key] = clock(now, hours_for(category, Step.RESPOND),
                                                 urgent=priority == Priority.URGENT, calendar=self.calendar)
            due, warn = self.category_hours[key]
            text = row["text"] + (f"\n{_('地址')}：{row['address']}" if row["address"] else "")
            appeal = {
                "id": pk, "number": appeal_number, "channel": Channel.HOTLINE, "state": State.SUBMITTED,
                "text": text[:MAX_TEXT + 300], "category_id": category.pk if category else None,
                "priority": priority, "contact_name": row["contact_name"][:50],
                "contact_phone": normalise_phone(row["contact_phone"])[:20], "hotline_order_no": row["order_no"],
                "entered_by_id": actor.pk, "respond_due_at": due, "respond_warn_at": warn,
                "created_at": now, "updated_at": now,
            }
            appeal.update(place_columns(area))
            appeals.append(appeal)
            events.append(submitted_event_row(appeal, at=now, actor_id=actor.pk,
                                              data={"channel": Channel.HOTLINE, "order_no": row["order_no"]}))
        fast_insert(Appeal, appeals)
        for event, pk in zip(events, reserve_ids(AppealEvent, len(events)), strict=True):
            event["id"] = pk
        fast_insert(AppealEvent, events)
        outcome.created += len(appeals)


def hotline_import_start(*, actor, data: bytes, file_name: str, request=None) -> HotlineImport:
    """Accept an upload on the page: check who may, keep the file, and return the batch a worker will import."""
    if not scope_for(actor, Perm.HANDLE_APPEALS):
        raise NotPermitted(_("您无权导入热线工单"))
    with transaction.atomic():
        batch = HotlineImport.objects.create(uploaded_by=actor, file_name=(file_name or "hotline.xlsx")[:200],
                                             sha256=hashlib.sha256(data).hexdigest())
        HotlineFile.objects.create(batch=batch, data=data)
    return batch


def hotline_import_process(batch_id: int) -> HotlineImport | None:
    """Import a waiting batch (all of it or nothing) and keep its outcome for the page; a batch already claimed
    or finished is left alone, so a task delivered twice imports once. The file is deleted either way."""
    claimed = HotlineImport.claim(batch_id)
    batch = HotlineImport.objects.select_related("uploaded_by").filter(pk=batch_id).first()
    if not claimed or batch is None:
        return batch
    upload = HotlineFile.objects.filter(batch_id=batch_id).first()
    try:
        outcome = hotline_import(actor=batch.uploaded_by, data=bytes(upload.data) if upload else b"",
                                 file_name=batch.file_name)
    except DomainError as e:
        batch.status, batch.failure = HotlineImport.Status.FAILED, str(e.message)
    except Exception:
        batch.status, batch.failure = HotlineImport.Status.FAILED, str(_("导入时发生意外错误，未做任何修改；请联系管理员"))
        log.exception("hotline import %s failed", batch_id)
    else:
        batch.status = HotlineImport.Status.DONE
        batch.rows, batch.created, batch.existing, batch.refused = (outcome.rows, outcome.created, outcome.existing,
                                                                    outcome.refused)
        batch.errors = sorted(outcome.errors, key=lambda e: e["row"])
    batch.finished_at = timezone.now()
    batch.save()
    HotlineFile.objects.filter(batch_id=batch_id).delete()
    return batch


def hotline_imports_pending() -> int:
    """The batches no worker took (on a laptop: all of them, taken by the clock), and those whose worker died."""
    return background.run_waiting(HotlineImport, HotlineFile, hotline_import_process)


def hotline_import_redo(*, actor, batch: HotlineImport) -> None:
    """The uploader puts back in the queue a batch whose worker died, with the file kept."""
    background.redo(batch, actor=actor, files=HotlineFile)


EXAMPLE = {"order_no": "GD20261201-0001", "text": "小区东门路灯不亮，晚上很黑", "community": "（社区名称）",
           "compound": "（小区名称）", "building": "3号楼", "address": "东门", "category": "property-lighting",
           "contact_name": "张先生", "contact_phone": "13800001234"}


def hotline_template() -> bytes:
    """An empty 12345 file with the header row the importer reads; a second sheet says what goes in each column
    (only the first sheet is imported, so its example never becomes an appeal)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "12345工单"  # the format stays Chinese: these headers are what the importer reads
    sheet.append([c.header for c in COLUMNS])
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "必填", "也可写作", "示例"])
    for c in COLUMNS:
        notes.append([c.header, "是" if c.required else "", "、".join(c.aliases), EXAMPLE[c.key]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
