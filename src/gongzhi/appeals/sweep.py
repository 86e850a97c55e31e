"""The deadline sweep: warn at 80% of a deadline, escalate once when it passes, close unrated replies.

Runs from Celery beat in production and as ``manage.py appeals_sweep`` anywhere. Everything it needs is in the
database (deadlines are stored, not timers), so a restart loses nothing; each step of each appeal is warned
and escalated once, because the sweep claims it by setting ``*_warned_at`` / ``*_escalated_at`` — a second run
right after finds nothing to do. Work is done in batches, each batch one transaction.
"""
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.selectors import staff_of

from . import notify
from .choices import Action, State
from .models import Appeal, Whistle
from .services.lifecycle import record_many, transition_many

BATCH = 5000
RESOLVING = (State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED)
COMMUNITY_ROLES = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)

# (step, stage) → which appeals, the flag that marks them done, and who hears of it
PLAN = [
    ("respond", "warn", (State.SUBMITTED,), "respond_warn_at", "respond_warned_at"),
    ("respond", "escalate", (State.SUBMITTED,), "respond_due_at", "respond_escalated_at"),
    ("resolve", "warn", RESOLVING, "resolve_warn_at", "resolve_warned_at"),
    ("resolve", "escalate", RESOLVING, "resolve_due_at", "resolve_escalated_at"),
]


def _claim(states, when_field: str, flag: str, now) -> list[Appeal]:
    qs = Appeal.objects.filter(state__in=states, paused_at__isnull=True, **{f"{when_field}__lte": now,
                                                                          f"{flag}__isnull": True})
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))  # two sweeps never take the same appeal
    rows = list(qs.only("id", "number", "state", "community_id", "grid_id", "subdistrict_id", "party_id")
                .order_by(when_field)[:BATCH])
    Appeal.objects.filter(pk__in=[a.pk for a in rows]).update(**{flag: now})
    return rows


def _staff(appeals: list[Appeal]) -> tuple[dict, dict, dict, dict]:
    """Who works each community, grid, subdistrict and party of these appeals: one query."""
    places = {a.community_id for a in appeals} | {a.grid_id for a in appeals} | {a.subdistrict_id for a in appeals}
    parties = {a.party_id for a in appeals} - {None}
    community, grid, subdistrict, party = (defaultdict(set) for _ in range(4))
    grants = staff_of(areas=places, organisations=parties)
    for user_id, role, area_id, org_id in grants.values_list("user_id", "role", "area_id", "organisation_id"):
        if org_id:
            party[org_id].add(user_id)
        elif role in COMMUNITY_ROLES:
            community[area_id].add(user_id)
        elif role == Role.GRID_WORKER:
            grid[area_id].add(user_id)
        elif role == Role.SUBDISTRICT_STAFF:
            subdistrict[area_id].add(user_id)
    return community, grid, subdistrict, party


def _messages(step: str, stage: str, appeal: Appeal) -> tuple[str, str]:
    if stage == "warn":
        title = (_("诉求 %(n)s 即将超过受理时限") if step == "respond" else _("诉求 %(n)s 即将超过办结时限")) % {
            "n": appeal.number}
        return title, _("请尽快处理。")
    title = (_("诉求 %(n)s 已超过受理时限，已督办") if step == "respond" else _("诉求 %(n)s 已超过办结时限，已督办")) % {
        "n": appeal.number}
    return title, _("已通知上级，请立即处理并说明原因。")


def _run_stage(step: str, stage: str, states, when_field: str, flag: str, now) -> int:
    total = 0
    while True:
        with transaction.atomic():
            appeals = _claim(states, when_field, flag, now)
            if not appeals:
                return total
            community, grid, subdistrict, party = _staff(appeals)
            action = Action.WARN if stage == "warn" else Action.ESCALATE
            record_many(appeals, action, at=now, data={"step": step}, public=stage == "escalate")
            items = []
            for a in appeals:
                title, body = _messages(step, stage, a)
                handlers = set(party.get(a.party_id, ())) if step == "resolve" and a.party_id else set()
                handlers |= community.get(a.community_id, set()) | grid.get(a.grid_id, set())
                people = handlers | (subdistrict.get(a.subdistrict_id, set()) if stage == "escalate" else set())
                items += [(u, f"appeal:{a.pk}:{step}:{stage}", title, body, a.pk) for u in people]
            notify.to_staff(items, sms=stage == "escalate")
            total += len(appeals)


def _late_report_ins(now) -> int:
    """A whistle nobody reported in to by its deadline is escalated once: the called body hears again, and so
    do the subdistrict (which coordinates 街乡吹哨) and the worker who blew it."""
    total = 0
    while True:
        with transaction.atomic():
            qs = Whistle.objects.filter(reported_at__isnull=True, escalated_at__isnull=True, report_due_at__lte=now)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            whistles = list(qs.select_related("appeal", "department").order_by("report_due_at")[:BATCH])
            if not whistles:
                return total
            Whistle.objects.filter(pk__in=[w.pk for w in whistles]).update(escalated_at=now)
            record_many([w.appeal for w in whistles], Action.ESCALATE, at=now, reason=_("吹哨后未按时报到"),
                        data=[{"step": "report_in", "whistle": w.pk} for w in whistles])
            orgs = {w.department_id for w in whistles} - {None}
            grants = (staff_of(organisations=orgs)
                      | staff_of(areas={w.appeal.subdistrict_id for w in whistles}, roles=[Role.SUBDISTRICT_STAFF]))
            by_org, by_area = defaultdict(set), defaultdict(set)
            for user_id, area_id, org_id in grants.values_list("user_id", "area_id", "organisation_id"):
                (by_org[org_id] if org_id else by_area[area_id]).add(user_id)
            items = []
            for w in whistles:
                a = w.appeal
                people = by_org[w.department_id] | by_area[a.subdistrict_id] | {w.blown_by_id}
                title = _("诉求 %(n)s 吹哨后未按时报到，已督办") % {"n": a.number}
                items += [(u, f"whistle:{w.pk}:late", title, w.reason, a.pk) for u in people]
            notify.to_staff(items, sms=True)
            total += len(whistles)


def _auto_close(now) -> int:
    """Replies nobody rated close by themselves after GONGZHI["AUTO_CLOSE_DAYS"]."""
    cutoff = now - timedelta(days=settings.GONGZHI["AUTO_CLOSE_DAYS"])
    total = 0
    while True:
        with transaction.atomic():
            ids = list(Appeal.objects.filter(state=State.RESOLVED, resolved_at__lte=cutoff)
                       .values_list("pk", flat=True)[:BATCH])
            if not ids:
                return total
            # an appeal rated or reopened since it was read (or held by another worker) is left, with no event
            moved = transition_many(ids, Action.CLOSE, at=now, reason=_("超过评价期限，自动关闭"), closed_at=now)
            if not moved:
                return total
            total += len(moved)


def sweep(now=None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {f"{step}_{stage}": _run_stage(step, stage, states, when, flag, now)
              for step, stage, states, when, flag in PLAN}
    counts["report_in_escalate"] = _late_report_ins(now)
    counts["auto_closed"] = _auto_close(now)
    return counts
