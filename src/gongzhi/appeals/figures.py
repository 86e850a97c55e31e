"""The three rates (三率) and hotline volume, per community, party, category or day, in one grouped query.

Definitions (see docs/appeals.md):
- response rate: appeals accepted by their respond deadline, over appeals that were accepted or whose respond
  deadline has passed (appeals still inside their first deadline are not counted yet);
- resolution rate: appeals resolved, over appeals finished — resolved, or closed without resolution for any
  reason but "duplicate" or "withdrawn by the resident" (so closing cannot stand in for solving); an appeal
  reopened after being resolved is finished again only when it is resolved or closed again;
- satisfaction rate: "satisfied" and "mostly satisfied" ratings, over all ratings;
- hotline volume: appeals that came in through the 12345 hotline.

A duplicate merged into another appeal is one matter with it: only the group's appeal counts in the total and
the response and resolution rates, but every reporter's rating counts in the satisfaction rate and every
hotline call in the hotline volume.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput

from .choices import Channel, Outcome, Rating, State
from .models import Appeal
from .permissions import appeals_visible_to

GROUPS = {
    "community": ("community_id", "community__name"),
    "subdistrict": ("subdistrict_id", "subdistrict__name"),
    "party": ("party_id", "party__name"),
    "category": ("category__parent_id", "category__parent__name"),
    "day": ("day", None),
}
NOT_COUNTED_OUTCOMES = (Outcome.DUPLICATE, Outcome.WITHDRAWN)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[since, until) in the current time zone for the days ``start`` to ``end`` (inclusive)."""
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
    ).order_by(key)
    out = []
    for row in rows:
        out.append({
            "key": row[key], "label": str(row[label]) if label and row[label] else (
                row[key].isoformat() if group_by == "day" and row[key] else str(_("（未指定）"))),
            "total": row["total"], "merged": row["merged"], "hotline": row["hotline"], "reopened": row["reopened"],
            "response_rate": _ratio(row["respond_on_time"], row["respond_due"]),
            "resolution_rate": _ratio(row["resolved"], row["finished"]),
            "satisfaction_rate": _ratio(row["satisfied"], row["rated"]),
            "counts": {k: row[k] for k in ("respond_due", "respond_on_time", "resolved", "finished", "rated",
                                           "satisfied")},
        })
    return out

