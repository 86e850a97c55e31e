"""The three rates (三率) and hotline volume, per community, party, category or day, in one grouped query.

Definitions (see docs/appeals.md):
- response rate: appeals accepted by their respond deadline, over appeals that were accepted or whose respond
  deadline has passed (appeals still inside their first deadline are not counted yet);
- resolution rate: appeals resolved, over appeals finished — resolved, or closed without resolution for any
  reason but "duplicate" or "withdrawn by the resident" (so closing cannot stand in for solving); an appeal
  reopened after being resolved is finished again only when it is resolved or closed again;
- satisfaction rate: appeals whose latest rating is "satisfied" or "mostly satisfied", over appeals rated. Every
  rating stays on the record (``AppealRating``); a reopened appeal keeps its last rating, which counts until the
  next reply is rated, so a dissatisfied voice is never dropped by reopening;
- reopened: appeals reopened at least once; per party, the reopens charged against the party whose reply was
  undone (not the one holding the appeal now);
- hotline volume: appeals that came in through the 12345 hotline;
- fee waived: appeals resolved for a home where someone 60 or older lives alone, whose call-out fee is waived.

吹哨报到 (``whistle_rates``), per called body or per subdistrict of the appeals, for whistles blown in the period:
- report-in rate (报到率): whistles reported in, over whistles reported in or past their report-in deadline;
- on-time report-in rate: those reported in by the deadline, over the same;
- co-handling: fed back, confirmed by the community, sent back (each time counts), and the community's
  satisfaction with the called body (its ratings, as the satisfaction rate).

A duplicate merged into another appeal is one matter with it: only the group's appeal counts in the total and
the response and resolution rates, but every reporter's rating counts in the satisfaction rate and every
hotline call in the hotline volume.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput
from gongzhi.registry.models import Organisation

from .choices import Action, Channel, Outcome, Rating, State
from .models import Appeal, AppealEvent, Whistle
from .permissions import appeals_visible_to

GROUPS = {
    "grid": ("grid_id", "grid__name"),
    "community": ("community_id", "community__name"),
    "subdistrict": ("subdistrict_id", "subdistrict__name"),
    "district": ("district_id", "district__name"),
    "party": ("party_id", "party__name"),
    "category": ("category__parent_id", "category__parent__name"),
    "day": ("day", None),
    "month": ("month", None),
}
NOT_COUNTED_OUTCOMES = (Outcome.DUPLICATE, Outcome.WITHDRAWN)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _period_label(group_by: str, value) -> str:
    if group_by == "month":
        return timezone.localtime(value).strftime("%Y-%m") if isinstance(value, datetime) else value.strftime("%Y-%m")
    return value.isoformat()


# Days a period may name. No record falls outside them, and at the calendar's own ends the clock's arithmetic
# overflows (1 January of year 1 in Beijing is year 0 in UTC; the day after 9999-12-31 does not exist): such a
# date from the API or the figures page was a server error.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[since, until) in the current time zone for the days ``start`` to ``end`` (inclusive)."""
    for name, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(_("日期应在 %(first)s 至 %(last)s 之间") % {"first": FIRST_DAY, "last": LAST_DAY},
                               field=name)
    if end < start:
        raise InvalidInput(_("结束日期不能早于开始日期"), field="end")
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def rates(*, viewer=None, group_by: str = "community", start: date, end: date,
          queryset: QuerySet[Appeal] | None = None) -> list[dict]:
    """Figures for appeals filed from ``start`` to ``end`` (inclusive), one row per group."""
    if group_by not in GROUPS:
        raise InvalidInput(_("未知的统计维度"), field="group_by")
    since, until = period_bounds(start, end)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    qs = queryset if queryset is not None else appeals_visible_to(viewer)
    qs = qs.filter(created_at__gte=since, created_at__lt=until)
    key, label = GROUPS[group_by]
    if group_by == "day":
        qs = qs.annotate(day=TruncDate("created_at", tzinfo=tz))
    elif group_by == "month":
        qs = qs.annotate(month=TruncMonth("created_at", tzinfo=tz))
    matter = Q(parent__isnull=True)  # merged duplicates are counted through their group's appeal
    resolved = Q(resolved_at__isnull=False) & Q(state__in=(State.RESOLVED, State.CLOSED))
    counted_unresolved = Q(state=State.CLOSED_UNRESOLVED) & ~Q(outcome__in=NOT_COUNTED_OUTCOMES)
    values = [key] + ([label] if label else [])
    rows = qs.values(*values).annotate(
        total=Count("id", filter=matter),
        merged=Count("id", filter=~matter),
        hotline=Count("id", filter=Q(channel=Channel.HOTLINE)),
        respond_due=Count("id", filter=matter & (Q(responded_at__isnull=False) | Q(respond_due_at__lt=now))),
        respond_on_time=Count("id", filter=matter & Q(responded_at__isnull=False,
                                                        responded_at__lte=F("respond_due_at"))),
        resolved=Count("id", filter=resolved),
        finished=Count("id", filter=resolved | counted_unresolved),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=(Rating.SATISFIED, Rating.BASICALLY))),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
        fee_waived=Count("id", filter=Q(fee_waived=True)),
    ).order_by(key)
    against = {}
    if group_by == "party":  # a reopen counts against the party whose reply it undid, not the one holding it now
        reopens = (AppealEvent.objects.filter(action=Action.REOPEN, appeal__in=qs.values("pk"))
                   .values("data__against").annotate(n=Count("id")))
        against = {r["data__against"]: r["n"] for r in reopens}
    out = []
    for row in rows:
        if group_by == "party":
            row["reopened"] = against.pop(row[key], 0)
        out.append({
            "key": row[key], "label": str(row[label]) if label and row[label] else (
                _period_label(group_by, row[key]) if group_by in ("day", "month") and row[key] else str(_("（未指定）"))),
            "total": row["total"], "merged": row["merged"], "hotline": row["hotline"], "reopened": row["reopened"],
            "fee_waived": row["fee_waived"],
            "response_rate": _ratio(row["respond_on_time"], row["respond_due"]),
            "resolution_rate": _ratio(row["resolved"], row["finished"]),
            "satisfaction_rate": _ratio(row["satisfied"], row["rated"]),
            "counts": {k: row[k] for k in ("respond_due", "respond_on_time", "resolved", "finished", "rated",
                                           "satisfied")},
        })
    # parties charged with a reopen whose appeals have all moved on to someone else still get their row
    names = dict(Organisation.objects.filter(pk__in=[pk for pk in against if pk]).values_list("pk", "name"))
    for pk, n in against.items():
        if pk in names:
            out.append({"key": pk, "label": names[pk], "total": 0, "merged": 0, "hotline": 0, "reopened": n,
                        "fee_waived": 0,
                        "response_rate": None, "resolution_rate": None, "satisfaction_rate": None,
                        "counts": dict.fromkeys(("respond_due", "respond_on_time", "resolved", "finished", "rated",
                                                 "satisfied"), 0)})
    return out



WHISTLE_GROUPS = {
    "called": ("department_id", "department__name", "subdistrict_id", "subdistrict__name"),
    "subdistrict": ("appeal__subdistrict_id", "appeal__subdistrict__name"),
}


def whistle_rates(*, viewer, group_by: str = "called", start: date, end: date) -> list[dict]:
    """吹哨报到 figures for whistles blown from ``start`` to ``end`` on appeals the viewer sees, one row per called
    body (a department, or a subdistrict called in) or per subdistrict the appeals are in."""
    if group_by not in WHISTLE_GROUPS:
        raise InvalidInput(_("未知的统计维度"), field="group_by")
    since, until = period_bounds(start, end)
    now = timezone.now()
    reported = Q(reported_at__isnull=False)
    rated = ~Q(rating="")
    rows = (Whistle.objects.filter(appeal__in=appeals_visible_to(viewer).values("pk"), blown_at__gte=since,
                                   blown_at__lt=until)
            .values(*WHISTLE_GROUPS[group_by])
            .annotate(whistles=Count("id"), report_due=Count("id", filter=reported | Q(report_due_at__lt=now)),
                      reported=Count("id", filter=reported),
                      on_time=Count("id", filter=Q(reported_at__lte=F("report_due_at"))),
                      fed_back=Count("id", filter=Q(fed_back_at__isnull=False) | Q(confirmed_at__isnull=False)),
                      confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
                      sent_back=Sum("sent_back"), rated=Count("id", filter=rated),
                      satisfied=Count("id", filter=rated & Q(rating__in=(Rating.SATISFIED, Rating.BASICALLY)))))
    out = []
    for row in rows:
        if group_by == "called":
            key = ("department", row["department_id"]) if row["department_id"] else (
                "subdistrict", row["subdistrict_id"])
            label = row["department__name"] or row["subdistrict__name"]
        else:
            key, label = ("subdistrict", row["appeal__subdistrict_id"]), row["appeal__subdistrict__name"]
        out.append({
            "key": key, "label": label or str(_("（未指定）")),
            **{k: row[k] or 0 for k in ("whistles", "reported", "report_due", "on_time", "fed_back", "confirmed",
                                        "sent_back", "rated", "satisfied")},
            "report_rate": _ratio(row["reported"], row["report_due"]),
            "on_time_rate": _ratio(row["on_time"], row["report_due"]),
            "satisfaction_rate": _ratio(row["satisfied"], row["rated"]),
        })
    return sorted(out, key=lambda r: (-r["whistles"], r["label"]))
