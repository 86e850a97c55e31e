"""The one writer of an appeal's life: the moves between its states, its clocks and its place.

Every path that files or moves an appeal goes through here, one at a time or in bulk: the intake (portal, desk,
patrol, hotspot tasks), the handling services, the 12345 import, the deadline sweep, the registry redrawing a
grid, and the demo's year of history. So "which state may follow which", "when is it due" and "where is it"
each have one answer, and every move leaves its event on the append-only timeline.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.registry.choices import PLACE_KINDS

from ..choices import Action, Priority, State, Step
from ..models import Appeal, AppealCounter, AppealEvent
from ..transitions import TRANSITIONS
from ..worktime import Calendar, deadline


def refusal(appeal: Appeal, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(_("诉求当前状态为“%(s)s”，不能执行“%(a)s”") % {
        "s": appeal.get_state_display(), "a": Action(action).label})


def transition(appeal: Appeal, action: str, *, actor, party=None, reason: str = "", data: dict | None = None,
               public: bool = True, at=None) -> AppealEvent:
    """Move a (locked) appeal by ``action``, if its state allows, and save it with its timeline event."""
    allowed_from, target = TRANSITIONS[action]
    if appeal.state not in allowed_from:
        raise refusal(appeal, action)
    at = at or timezone.now()
    event = AppealEvent.objects.create(appeal=appeal, at=at, actor=actor, party=party, action=action,
                                       from_state=appeal.state, to_state=target or appeal.state,
                                       reason=reason, data=data or {}, public=public)
    if target is not None:
        appeal.state = target
    appeal.save()
    return event


def step(row: dict, action: str, *, at, actor_id=None, party_id=None, reason: str = "", data=None,
         public: bool = True) -> dict:
    """The same move for a bulk loader's row (a dict of Appeal columns, not yet written): checks the state as
    ``transition`` does, moves it, and returns the event's row for the loader to write beside it."""
    allowed_from, target = TRANSITIONS[action]
    before = row["state"]
    if before not in allowed_from:
        raise TransitionNotAllowed(f"{action} from {before}")
    row["state"] = target or before
    return {"appeal_id": row["id"], "at": at, "actor_id": actor_id, "party_id": party_id, "action": action,
            "from_state": before, "to_state": row["state"], "reason": reason, "data": data or {},
            "public": public}


def submitted_event_row(row: dict, *, at, actor_id, data: dict) -> dict:
    """The first event of an appeal a bulk loader files (the intake writes its own with the appeal)."""
    return {"appeal_id": row["id"], "at": at, "actor_id": actor_id, "party_id": None, "action": Action.SUBMIT,
            "from_state": "", "to_state": State.SUBMITTED, "reason": "", "data": data, "public": True}


def transition_many(ids: Iterable[int], action: str, *, at, reason: str = "", public: bool = True,
                    **changes) -> list[int]:
    """Move many appeals at once (the sweep's auto-close): those of ``ids`` still in a state the action starts
    from are locked (rows another worker holds are skipped, not waited for), updated with ``changes`` and given
    their event; returns the ids moved. An appeal that moved on meanwhile is left alone, with no event."""
    allowed_from, target = TRANSITIONS[action]
    qs = Appeal.objects.filter(pk__in=list(ids), state__in=allowed_from)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    rows = list(qs.values_list("pk", "state"))
    if not rows:
        return []
    moved = [pk for pk, _state in rows]
    if target is not None:
        changes["state"] = target
    Appeal.objects.filter(pk__in=moved).update(updated_at=at, **changes)
    AppealEvent.objects.bulk_create([
        AppealEvent(appeal_id=pk, at=at, action=action, from_state=state, to_state=target or state, reason=reason,
                    public=public) for pk, state in rows], batch_size=2000)
    return moved


def record_many(appeals: list[Appeal], action: str, *, at, reason: str = "", data: dict | list[dict] | None = None,
                public: bool = True) -> None:
    """Timeline events that move no state (the sweep's warnings and escalations), for appeals the caller holds
    locked: each written only where its state allows the action. ``data``: one for all, or one per appeal."""
    allowed_from, target = TRANSITIONS[action]
    if target is not None:
        raise ValueError(f"{action} moves the state: use transition_many")
    datas = data if isinstance(data, list) else [data or {}] * len(appeals)
    AppealEvent.objects.bulk_create([
        AppealEvent(appeal_id=a.pk, at=at, action=action, from_state=a.state, to_state=a.state, reason=reason,
                    data=d, public=public) for a, d in zip(appeals, datas, strict=True) if a.state in allowed_from],
        batch_size=2000)


def locked(appeal: Appeal) -> Appeal:
    """The appeal's row, locked and read afresh. It remembers the appeal as the caller saw it (``seen``), so that a
    refusal can tell "you may not" from "you could, but someone acted first" (permissions.require_may)."""
    fresh = Appeal.objects.select_for_update(of=("self",)).select_related("category", "party", "area").get(
        pk=appeal.pk)
    fresh.seen = getattr(appeal, "seen", None) or appeal
    return fresh


def appeal_numbers(now, count: int = 1) -> list[str]:
    """A block of today's readable numbers (20261123-00042), taken in one upsert on the day's counter row: the
    row lock makes concurrent takers wait, so a number is never given twice. Outside a transaction the lock lasts
    that one statement; inside one, until it ends."""
    day = timezone.localdate(now)
    table = connection.ops.quote_name(AppealCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [day, count])
        last = cursor.fetchone()[0]
    return [f"{day:%Y%m%d}-{n:05d}" for n in range(last - count + 1, last + 1)]


# --- clocks -------------------------------------------------------------------------------------------------

# without a category: respond within 2 working hours, resolve within 7 working days (56 hours)
DEFAULT_HOURS = {Step.RESPOND: Decimal(2), Step.RESOLVE: Decimal(56)}
URGENT_CAP = 2.0  # first priority: handled at once, day or night (003)


def hours_for(category, step: str) -> float:
    if category is not None:
        return float(category.respond_hours if step == Step.RESPOND else category.resolve_hours)
    return float(DEFAULT_HOURS[step])


def clock(start, hours: float, *, urgent: bool, calendar: Calendar | None = None) -> tuple:
    """(due, warn) for a step of ``hours`` from ``start``: working hours on the holiday calendar, or around the
    clock for an urgent appeal (at most URGENT_CAP hours); the warning comes GONGZHI["WARN_AT"] of the way."""
    if urgent:
        hours = min(hours, URGENT_CAP)
        calendar = None
    elif calendar is None:
        calendar = Calendar.load(timezone.localdate(start))
    due = deadline(start, hours, on_the_clock=urgent, calendar=calendar)
    warn = deadline(start, hours * settings.GONGZHI["WARN_AT"], on_the_clock=urgent, calendar=calendar)
    return due, warn


def start_clock(appeal: Appeal, step: str, start) -> None:
    """Set a step's deadline and its early warning on the appeal."""
    due, warn = clock(start, hours_for(appeal.category, step), urgent=appeal.priority == Priority.URGENT)
    setattr(appeal, f"{step}_due_at", due)
    setattr(appeal, f"{step}_warn_at", warn)
    appeal.escalation_level = 0  # a new step climbs the ladder from the bottom


def extend_clock(appeal: Appeal, due, now) -> None:
    """An approved 延期: the resolve deadline moves to ``due``, warned again at the same share of what is left,
    and the sweep warns and escalates afresh against it."""
    appeal.resolve_due_at = due
    appeal.resolve_warn_at = now + (due - now) * settings.GONGZHI["WARN_AT"]
    appeal.resolve_warned_at = appeal.resolve_escalated_at = None
    appeal.escalation_level = 0


# --- place --------------------------------------------------------------------------------------------------


def place(appeal: Appeal, area) -> None:
    """Where the appeal is: the area and, copied from it, every level above (the queue filters by these)."""
    appeal.area = area
    appeal.place_at(area)


def place_columns(area) -> dict:
    """The same for a bulk loader's row."""
    return {"area_id": area.pk, **{f"{kind}_id": getattr(area, f"{kind}_id") for kind in PLACE_KINDS}}


def regrid(*, building_id: int, grid_id: int | None, at) -> int:
    """The registry redrew a grid line: the building's appeals follow it into the new grid's queue, each with an
    internal timeline event saying from which grid. Returns how many moved."""
    rows = list(Appeal.objects.filter(building_id=building_id).exclude(grid_id=grid_id)
                .values_list("pk", "state", "grid_id"))
    if not rows:
        return 0
    Appeal.objects.filter(pk__in=[pk for pk, _s, _g in rows]).update(grid_id=grid_id, updated_at=at)
    AppealEvent.objects.bulk_create([
        AppealEvent(appeal_id=pk, at=at, action=Action.RELOCATE, from_state=state, to_state=state, public=False,
                    data={"grid": {"from": before, "to": grid_id}}) for pk, state, before in rows], batch_size=2000)
    return len(rows)


def assign_grid(appeal: Appeal, grid_id: int | None, *, actor, at=None) -> None:
    """Put a (locked) appeal in a grid's queue other than its place's (a compound wholly inside one grid)."""
    if appeal.grid_id == grid_id:
        return
    before = appeal.grid_id
    appeal.grid_id = grid_id
    transition(appeal, Action.RELOCATE, actor=actor, at=at, public=False,
               data={"grid": {"from": before, "to": grid_id}})
