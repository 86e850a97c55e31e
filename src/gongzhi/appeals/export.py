"""The queue and the figures as .xlsx, with the filters on the page. Rows are read in chunks and written into a
write-only workbook on disk (``core.downloads.xlsx_stream``), so an export of 100,000 appeals holds a chunk in
memory, never the list (``appeals.export`` in ``make bench``: seconds and the process's peak memory)."""
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core.downloads import xlsx_stream

from .choices import OPEN_STATES, Channel, Priority, Rating, State
from .models import Appeal

MAX_ROWS = 200_000  # one export; a city's year is narrowed by period, area or state first
CHUNK = 2000

_COLUMNS = (
    ("number", _l("编号")), ("created_at", _l("登记时间")), ("channel", _l("来源")), ("hotline_order_no", _l("热线工单号")),
    ("category__parent__name", _l("大类")), ("category__name", _l("类别")), ("text", _l("诉求内容")),
    ("subdistrict__name", _l("街道")), ("community__name", _l("社区")), ("grid__name", _l("网格")),
    ("place", _l("地点")), ("state", _l("状态")), ("priority", _l("优先级")), ("party__name", _l("承办单位")),
    ("respond_due_at", _l("响应时限")), ("responded_at", _l("响应时间")), ("resolve_due_at", _l("办结时限")),
    ("resolved_at", _l("办结时间")), ("overdue", _l("超时")), ("rating", _l("评价")), ("reopen_count", _l("重办次数")),
)
_READ = ("number", "created_at", "channel", "hotline_order_no", "category__parent__name", "category__name", "text",
         "subdistrict__name", "community__name", "grid__name", "area__name", "compound__name", "building__name",
         "unit__name", "household__room", "state", "priority", "party__name", "respond_due_at", "responded_at",
         "resolve_due_at", "resolved_at", "paused_at", "rating", "reopen_count")


def appeal_rows(appeals: QuerySet[Appeal]):
    """One list per appeal in the order of ``_COLUMNS``; the labels in the user's language. Per row only lookups:
    the labels are translated once, times moved to the local zone with one call (100,000 rows, 2 million cells);
    empty cells are left out of the file."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    yes = _("是")
    channel, state, priority, rating = ({m.value: str(m.label) for m in enum}
                                        for enum in (Channel, State, Priority, Rating))

    def local(value):  # a time as the worker reads it, without a zone (Excel has none)
        return value.astimezone(tz).replace(tzinfo=None) if value else None

    for r in appeals.order_by("-id").values_list(*_READ).iterator(chunk_size=CHUNK):
        (number, created_at, chan, order_no, parent_name, category_name, text, subdistrict, community, grid,
         area, compound, building, unit, room, st, prio, party, respond_due, responded, resolve_due, resolved,
         paused, rated, reopened) = r
        place = "".join(filter(None, (compound, building, unit, room))) or area
        step_due = respond_due if st == State.SUBMITTED else resolve_due
        overdue = st in OPEN_STATES and not paused and step_due is not None and step_due < now
        yield [number, local(created_at), channel.get(chan, chan), order_no or None,
               parent_name or category_name, category_name if parent_name else None, text, subdistrict,
               community, grid, place, state.get(st, st), priority.get(prio, prio), party, local(respond_due),
               local(responded), local(resolve_due), local(resolved), yes if overdue else None,
               rating.get(rated) if rated else None, reopened]


def appeals_xlsx(appeals: QuerySet[Appeal], *, filename: str):
    return xlsx_stream([(_("诉求"), [str(label) for _key, label in _COLUMNS], appeal_rows(appeals))], filename)


def figures_xlsx(*, rows: list[dict], whistles: list[dict], group_label: str, filename: str):
    """The three rates (and the whistles' figures) as the figures page shows them, ratios as percentages."""
    def pct(value):
        return round(value * 100, 1) if value is not None else None

    rates = [[r["label"], r["total"], r["hotline"], pct(r["response_rate"]), pct(r["resolution_rate"]),
              pct(r["satisfaction_rate"]), r["reopened"], r["fee_waived"], r["counts"]["respond_due"], r["counts"]["respond_on_time"],
              r["counts"]["finished"], r["counts"]["resolved"], r["counts"]["rated"], r["counts"]["satisfied"]]
             for r in rows]
    called = [[w["label"], w["whistles"], w["reported"], pct(w["report_rate"]), pct(w["on_time_rate"]),
               w["fed_back"], w["confirmed"], w["sent_back"], pct(w["satisfaction_rate"])] for w in whistles]
    return xlsx_stream([
        (_("三率"), [group_label, _("诉求"), _("热线"), _("响应率%"), _("解决率%"), _("满意率%"), _("重办"), _("减免上门费"),
                    _("应响应"), _("按时响应"), _("已办完"), _("已解决"), _("已评价"), _("满意")], rates),
        (_("吹哨报到"), [_("被吹哨单位"), _("吹哨"), _("已报到"), _("报到率%"), _("按时报到率%"), _("已反馈"),
                      _("已确认"), _("退回次数"), _("协办满意率%")], called),
    ], filename)
