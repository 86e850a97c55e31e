"""The deadline sweep: warn at 80% of a deadline, escalate when it passes and up the ladder while it stays
overdue (``EscalationRung``: community, subdistrict, district, the city's 12345 centre, each after its own time,
each a 督办 record the handler must answer), close unrated replies. Staff hear of it as one digest per person and
run, not a message per appeal.

Runs from Celery beat in production and as ``manage.py appeals_sweep`` anywhere. Everything it needs is in the
database (deadlines are stored, not timers), so a restart loses nothing; each step of each appeal is warned
and escalated once, because the sweep claims it by setting ``*_warned_at`` / ``*_escalated_at`` — a second run
right after finds nothing to do. Work is done in batches, each batch one transaction.
"""
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.models import RoleGrant
from gongzhi.accounts.selectors import staff_of
from gongzhi.core import events

from . import notify
from .choices import Action, State
from .events import AppealsEscalated
from .extensions import HOLDER_PAGE
from .models import Appeal, EscalationRung, Supervision, Whistle
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


COLUMNS = ("id", "number", "state", "community_id", "grid_id", "subdistrict_id", "district_id", "party_id", "ladder",
           "assignee_id")


def _claim(states, when_field: str, flag: str, now, **more) -> list[Appeal]:
    qs = Appeal.objects.filter(state__in=states, paused_at__isnull=True, **{f"{when_field}__lte": now,
                                                                          f"{flag}__isnull": True})
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))  # two sweeps never take the same appeal
    rows = list(qs.only(*COLUMNS).order_by(when_field)[:BATCH])
    Appeal.objects.filter(pk__in=[a.pk for a in rows]).update(**{flag: now}, **more)
    return rows


def _staff(appeals: list[Appeal]) -> tuple[dict, dict, dict, dict, dict]:
    """Who works each community, grid, subdistrict, district and party of these appeals: one query."""
    places = ({a.community_id for a in appeals} | {a.grid_id for a in appeals} | {a.subdistrict_id for a in appeals}
              | {a.district_id for a in appeals})
    parties = {a.party_id for a in appeals} - {None}
    community, grid, subdistrict, district, party = (defaultdict(set) for _ in range(5))
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
        elif role == Role.DISTRICT_STAFF:
            district[area_id].add(user_id)
    return community, grid, subdistrict, district, party


def _handling(appeal: Appeal, step: str, community, grid, party) -> set:
    """Who works the step: the community side and the grid's workers, and the party once it is to resolve. On an
    app's own ladder (a care request) the one holding it: the community hears when it reaches the community."""
    if appeal.ladder:
        return {appeal.assignee_id} - {None}
    people = set(party.get(appeal.party_id, ())) if step == "resolve" and appeal.party_id else set()
    return people | community.get(appeal.community_id, set()) | grid.get(appeal.grid_id, set())


def _rung_people(rung: EscalationRung | None, appeal: Appeal, subdistrict, district, city, community) -> set:
    """Who supervises at ``rung``: the community's people are among the handlers already (but on an app's own
    ladder, only once it reaches them); a centre's or branch's people are the ladder keeper's to find."""
    if rung is not None and rung.target == EscalationRung.Target.COMMUNITY and appeal.ladder:
        return community.get(appeal.community_id, set())
    if rung is None or rung.target in (EscalationRung.Target.COMMUNITY, EscalationRung.Target.CENTRE,
                                       EscalationRung.Target.BRANCH):
        return set()
    if rung.target == EscalationRung.Target.SUBDISTRICT:
        return subdistrict.get(appeal.subdistrict_id, set())
    if rung.target == EscalationRung.Target.DISTRICT:
        return district.get(appeal.district_id, set())
    return city


def _link(appeal: Appeal, user_id) -> str:
    """The holder of a ladder's appeal opens her own page; everyone else the staff page (the digest's default)."""
    if appeal.ladder and user_id == appeal.assignee_id and appeal.ladder in HOLDER_PAGE:
        return reverse(HOLDER_PAGE[appeal.ladder])
    return ""


def _messages(step: str, stage: str, appeal: Appeal, rung: EscalationRung | None = None) -> tuple[str, str]:
    if stage == "warn":
        title = (_("诉求 %(n)s 即将超过受理时限") if step == "respond" else _("诉求 %(n)s 即将超过办结时限")) % {
            "n": appeal.number}
        return title, _("请尽快处理。")
    title = (_("诉求 %(n)s 已超过受理时限：%(rung)s") if step == "respond" else _("诉求 %(n)s 已超过办结时限：%(rung)s")) % {
        "n": appeal.number, "rung": rung.name if rung else _("督办")}
    return title, _("请立即处理，并在诉求页面回复督办：为什么超时、下一步怎么办。")


def _escalate(appeals: list[Appeal], step: str, rung: EscalationRung | None, now) -> None:
    """The rung's 督办 for each appeal: its event, its record to answer, one digest to each person concerned."""
    level = rung.level if rung else 1
    by = rung.name if rung else str(_("督办"))
    record_many(appeals, Action.ESCALATE, at=now, data={"step": step, "level": level}, reason=by, public=True)
    Supervision.objects.bulk_create([Supervision(appeal_id=a.pk, kind=Supervision.Kind.ESCALATION, level=level, by=by,
                                                 step=step, issued_at=now) for a in appeals], batch_size=2000)
    community, grid, subdistrict, district, party = _staff(appeals)
    city = set(RoleGrant.objects.filter(role=Role.CITY_OPERATOR, revoked_at__isnull=True)
               .values_list("user_id", flat=True)) if rung and rung.target == EscalationRung.Target.CITY else set()
    if rung is not None and rung.ladder:  # the ladder's keeper hands them up to whoever stands at this rung
        events.publish(AppealsEscalated(appeal_ids=tuple(a.pk for a in appeals), ladder=rung.ladder, level=level,
                                        target=rung.target, step=step))
    items = []
    for a in appeals:
        title, body = _messages(step, "escalate", a, rung)
        people = (_handling(a, step, community, grid, party)
                  | _rung_people(rung, a, subdistrict, district, city, community))
        items += [(u, f"appeal:{a.pk}:{step}:escalate:{level}", title, body, a.pk, _link(a, u)) for u in people]
    notify.digest(items, _("%(count)s 件诉求超时督办"), overdue=True, sms=True, now=now)


def _run_stage(step: str, stage: str, states, when_field: str, flag: str, now) -> int:
    total = 0
    # each ladder's first rung: the city's for every appeal, an app's own for those that carry it
    firsts = ({r.ladder: r for r in EscalationRung.objects.filter(is_active=True, level=1)}
              if stage == "escalate" else {})
    while True:
        with transaction.atomic():
            more = {"escalation_level": 1} if stage == "escalate" else {}
            appeals = _claim(states, when_field, flag, now, **more)
            if not appeals:
                return total
            if stage == "escalate":
                by_ladder = defaultdict(list)
                for a in appeals:
                    by_ladder[a.ladder].append(a)
                for ladder, group in sorted(by_ladder.items()):
                    _escalate(group, step, firsts.get(ladder), now)
            else:
                community, grid, _subdistrict, _district, party = _staff(appeals)
                record_many(appeals, Action.WARN, at=now, data={"step": step}, public=False)
                items = []
                for a in appeals:
                    title, body = _messages(step, stage, a)
                    items += [(u, f"appeal:{a.pk}:{step}:{stage}", title, body, a.pk, _link(a, u))
                              for u in _handling(a, step, community, grid, party)]
                notify.digest(items, _("%(count)s 件诉求即将超时"), overdue=False, sms=False, now=now)
            total += len(appeals)


def _climb(now) -> int:
    """Up the ladder: an appeal still overdue ``after_hours`` past its deadline reaches the next rung, once."""
    total = 0
    for rung in EscalationRung.objects.filter(is_active=True, level__gt=1).order_by("ladder", "level"):
        cutoff = now - timedelta(hours=float(rung.after_hours))
        for step, states, due in (("respond", (State.SUBMITTED,), "respond_due_at"),
                                  ("resolve", RESOLVING, "resolve_due_at")):
            while True:
                with transaction.atomic():
                    qs = Appeal.objects.filter(state__in=states, paused_at__isnull=True, ladder=rung.ladder,
                                               escalation_level__gte=1, escalation_level__lt=rung.level,
                                               **{f"{due}__lte": cutoff})
                    if connection.features.has_select_for_update_skip_locked:
                        qs = qs.select_for_update(skip_locked=True, of=("self",))
                    appeals = list(qs.only(*COLUMNS).order_by(due)[:BATCH])
                    if not appeals:
                        break
                    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(escalation_level=rung.level)
                    _escalate(appeals, step, rung, now)
                    total += len(appeals)
    return total


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
    counts["climbed"] = _climb(now)
    counts["report_in_escalate"] = _late_report_ins(now)
    counts["auto_closed"] = _auto_close(now)
    return counts
