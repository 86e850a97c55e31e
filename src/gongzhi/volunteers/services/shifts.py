"""Rosters and shifts: laid out ahead from a roster, signed up for within capacity (never two at once), handed over
(换班), checked in and out by the code at the place or by the leader, hours and points on check-out, no-shows
recorded by the clock once a shift is over."""
import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import free_text
from gongzhi.notifications.services import Message, notify_many
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Organisation

from ..choices import HOLDING, ShiftKind, SignupState, Trigger
from ..models import PartyMember, Roster, Shift, Signup, Volunteer
from ..permissions import active_volunteer, manages, may_run_shift, may_serve, staff_scope
from .points import account_of, earn

LAY_OUT_DAYS = 14  # a roster's shifts exist this far ahead, for sign-up and for the gaps
EARLY = timedelta(minutes=30)  # check-in opens this long before the start
JUST_IN = timedelta(minutes=2)  # a second scan this soon after checking in is a double tap, not a check-out
MAX_HOURS = 24
PLACE_KINDS = (AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.COMPOUND, AreaKind.BUILDING, AreaKind.UNIT)


def _new_code() -> str:
    return secrets.token_urlsafe(9)


def _where(actor, area: Area, team: Organisation | None) -> None:
    if area is None or area.kind not in PLACE_KINDS:
        raise InvalidInput(_("请选择值守地点所在的社区、小区或楼栋"), field="area")
    if not staff_scope(actor).covers(area):
        raise NotPermitted(_("您无权在该区域排班"))
    if team is not None and (team.kind != OrgKind.VOLUNTEER_TEAM or not team.is_active):
        raise InvalidInput(_("请选择志愿服务队"), field="team")


def _what(kind, title, place, capacity) -> dict:
    if kind not in ShiftKind.values:
        raise InvalidInput(_("请选择值守类别"), field="kind")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= 500:
        raise InvalidInput(_("人数须在1到500之间"), field="capacity")
    return {"kind": kind, "title": free_text(title, field="title", limit=60, required=_("请填写名称")),
            "place": free_text(place, field="place", limit=100), "capacity": capacity}


@transaction.atomic
def roster_create(*, actor, area: Area, kind: str, title: str, place: str = "", team: Organisation | None = None,
                  weekdays: str, start_time: time | None, end_time: time | None, capacity, starts_on,
                  ends_on=None) -> Roster:
    """A recurring duty; its shifts of the next two weeks are laid out at once (the clock keeps them coming)."""
    _where(actor, area, team)
    fields = _what(kind, title, place, capacity)
    days = "".join(sorted(set(str(weekdays or "")) & set("1234567")))
    if not days:
        raise InvalidInput(_("请选择星期几值守"), field="weekdays")
    if start_time is None or end_time is None or start_time == end_time:
        raise InvalidInput(_("请填写开始和结束时间"), field="end_time")
    if starts_on is None or (ends_on is not None and ends_on < starts_on):
        raise InvalidInput(_("请填写起始日期；截止日期不能早于起始日期"), field="starts_on")
    roster = Roster(area=area, team=team, weekdays=days, start_time=start_time, end_time=end_time,
                    starts_on=starts_on, ends_on=ends_on, created_by=actor, **fields)
    roster.place_at(area)
    roster.save()
    lay_out(roster)
    return roster


def lay_out(roster: Roster, *, today=None, days: int = LAY_OUT_DAYS) -> int:
    """Create the roster's shifts from today to ``days`` ahead that do not exist yet (an overnight duty ends the
    next day). Safe to run again: a slot exists once (unique roster × start)."""
    today = today or timezone.localdate()
    first = max(today, roster.starts_on)
    last = today + timedelta(days=days)
    if roster.ends_on:
        last = min(last, roster.ends_on)
    existing = set(Shift.objects.filter(roster=roster, starts_at__gte=timezone.make_aware(
        datetime.combine(first, time.min))).values_list("starts_at", flat=True))
    made = []
    day = first
    while day <= last:
        if str(day.isoweekday()) in roster.weekdays:
            start = timezone.make_aware(datetime.combine(day, roster.start_time))
            end_day = day if roster.end_time > roster.start_time else day + timedelta(days=1)
            end = timezone.make_aware(datetime.combine(end_day, roster.end_time))
            if start not in existing and end > timezone.now():  # a slot already over today is not a gap
                shift = Shift(roster=roster, area_id=roster.area_id, kind=roster.kind, title=roster.title,
                              place=roster.place, team_id=roster.team_id, starts_at=start, ends_at=end,
                              capacity=roster.capacity, code=_new_code(), created_by_id=roster.created_by_id)
                shift.place_at(roster)  # the roster's own ancestry columns: its area, without reading it
                made.append(shift)
        day += timedelta(days=1)
    Shift.objects.bulk_create(made, ignore_conflicts=True)
    Roster.objects.filter(pk=roster.pk).update(laid_until=last)
    return len(made)


@transaction.atomic
def roster_stop(*, actor, roster: Roster) -> Roster:
    """No more shifts from this roster; those already laid out stay (cancel them one by one if need be)."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if not staff_scope(actor).covers(roster):
        raise NotPermitted(_("您无权管理该排班"))
    roster.is_active = False
    roster.save(update_fields=["is_active", "updated_at"])
    return roster


@transaction.atomic
def shift_create(*, actor, area: Area, kind: str, title: str, place: str = "", team: Organisation | None = None,
                 starts_at, ends_at, capacity) -> Shift:
    """A one-off activity or duty (a clean-up on Saturday, a cultural evening)."""
    _where(actor, area, team)
    fields = _what(kind, title, place, capacity)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise InvalidInput(_("请填写开始和结束时间，结束须晚于开始"), field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_HOURS):
        raise InvalidInput(_("一个班次不能超过24小时"), field="ends_at")
    if ends_at <= timezone.now():
        raise InvalidInput(_("不能安排已经结束的班次"), field="ends_at")
    shift = Shift(area=area, team=team, starts_at=starts_at, ends_at=ends_at, code=_new_code(), created_by=actor,
                  **fields)
    shift.place_at(area)
    shift.save()
    return shift


def _tell(signups, *, key: str, title: str, body: str = "") -> None:
    notify_many([Message(user_id=s.volunteer.user_id, key=f"signup:{s.pk}:{key}", title=title, body=body,
                         link=reverse("portal:volunteer_home")) for s in signups if s.volunteer.user_id])


@transaction.atomic
def shift_cancel(*, actor, shift: Shift, reason: str) -> Shift:
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if not manages(actor, shift):
        raise NotPermitted(_("您无权取消该班次"))
    if shift.cancelled_at is not None or shift.starts_at <= timezone.now():
        raise Conflict(_("只能取消尚未开始的班次"), code="transition_not_allowed")
    reason = free_text(reason, field="reason", limit=200, required=_("请写明取消原因，会通知已报名的志愿者"))
    shift.cancelled_at = timezone.now()
    shift.save(update_fields=["cancelled_at", "updated_at"])
    booked = list(shift.signups.filter(state=SignupState.BOOKED).select_related("volunteer"))
    Signup.objects.filter(pk__in=[s.pk for s in booked]).update(state=SignupState.CANCELLED, note=reason)
    _tell(booked, key="cancelled", title=_("%(t)s %(d)s 已取消") % {
        "t": shift.title, "d": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M")}, body=reason)
    return shift


def _locked_volunteer(volunteer: Volunteer) -> Volunteer:
    # one booking at a time per volunteer: two taps on two overlapping shifts cannot both pass the overlap check
    return Volunteer.objects.select_for_update().get(pk=volunteer.pk)


def _bookable(shift: Shift, volunteer: Volunteer, *, now) -> None:
    if shift.cancelled_at is not None:
        raise Conflict(_("该班次已取消"), code="shift_cancelled")
    if shift.ends_at <= now:
        raise Conflict(_("该班次已经结束"), code="shift_over")
    if not may_serve(volunteer, shift):
        raise NotPermitted(_("该班次不在您服务的社区，需社区借调后才能报名"))
    clash = (Signup.objects.filter(volunteer=volunteer, state__in=(SignupState.BOOKED, SignupState.ON_DUTY),
                                   shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at,
                                   shift__cancelled_at__isnull=True)
             .exclude(shift=shift).select_related("shift").first())
    if clash is not None:
        raise Conflict(_("与您已报名的「%(t)s」（%(d)s）时间重叠") % {
            "t": clash.shift.title, "d": timezone.localtime(clash.shift.starts_at).strftime("%m-%d %H:%M")},
            code="overlap")
    taken = Signup.objects.filter(shift=shift, state__in=HOLDING).count()
    if taken >= shift.capacity:
        raise Conflict(_("该班次已满员"), code="full")


def _serving(actor, volunteer: Volunteer | None) -> Volunteer:
    """The volunteer a step is for: the actor herself, or (for a leader or staff) the one named."""
    if volunteer is None:
        volunteer = active_volunteer(actor)
        if volunteer is None:
            raise NotPermitted(_("请先登记为志愿者，并等待社区审核通过"), code="not_volunteer")
    return volunteer


@transaction.atomic
def signup_book(*, actor, shift: Shift, volunteer: Volunteer | None = None) -> Signup:
    """Sign up for a shift (herself; or staff and the team leader for a volunteer without a phone)."""
    own = volunteer is None
    volunteer = _locked_volunteer(_serving(actor, volunteer))
    shift = Shift.objects.select_for_update().get(pk=shift.pk)  # capacity: bookings of one shift queue here
    if not own and not may_run_shift(actor, shift):
        raise NotPermitted(_("您无权为他人报名该班次"))
    if Signup.objects.filter(shift=shift, volunteer=volunteer, state__in=HOLDING).exists():
        raise Conflict(_("已经报名了这个班次"), code="already_booked")
    _bookable(shift, volunteer, now=timezone.now())
    return Signup.objects.create(shift=shift, volunteer=volunteer)


def _own_or_run(actor, signup: Signup) -> None:
    if signup.volunteer.user_id != actor.pk and not may_run_shift(actor, signup.shift):
        raise NotFound(_("未找到该记录，或您无权查看"))


def _locked_signup(signup: Signup) -> Signup:
    return Signup.objects.select_for_update(of=("self",)).select_related("shift", "volunteer").get(pk=signup.pk)


@transaction.atomic
def signup_cancel(*, actor, signup: Signup) -> Signup:
    """Withdraw before the shift starts; after that it needs the leader (a no-show is recorded otherwise)."""
    signup = _locked_signup(signup)
    _own_or_run(actor, signup)
    if signup.state != SignupState.BOOKED:
        raise Conflict(_("当前状态不能取消报名"), code="transition_not_allowed")
    if signup.shift.starts_at <= timezone.now() and not may_run_shift(actor, signup.shift):
        raise Conflict(_("班次已经开始，不能自行取消；请联系队长"), code="started")
    signup.state = SignupState.CANCELLED
    signup.save(update_fields=["state", "updated_at"])
    return signup


@transaction.atomic
def signup_offer(*, actor, signup: Signup, withdraw: bool = False) -> Signup:
    """Ask for someone to take over (换班): the shift shows the place as offered to others who may serve it."""
    signup = _locked_signup(signup)
    if signup.volunteer.user_id != actor.pk:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if signup.state != SignupState.BOOKED or signup.shift.starts_at <= timezone.now():
        raise Conflict(_("只有尚未开始的报名可以换班"), code="transition_not_allowed")
    signup.offered_at = None if withdraw else timezone.now()
    signup.save(update_fields=["offered_at", "updated_at"])
    return signup


@transaction.atomic
def signup_take(*, actor, signup: Signup) -> Signup:
    """Take over an offered place: hers ends as handed over and the taker's begins, in one step."""
    taker = _locked_volunteer(_serving(actor, None))
    # the shift before its signup, as shift_cancel locks them: two steps at once wait, never deadlock
    shift = Shift.objects.select_for_update().get(pk=Signup.objects.values_list("shift_id", flat=True).get(pk=signup.pk))
    signup = _locked_signup(signup)
    if signup.offered_at is None or signup.state != SignupState.BOOKED:
        raise Conflict(_("这个名额已被别人接替，或已不需要换班"), code="gone")
    if signup.volunteer_id == taker.pk:
        raise Conflict(_("不能接替自己的报名"), code="own")
    if Signup.objects.filter(shift=shift, volunteer=taker, state__in=HOLDING).exists():
        raise Conflict(_("已经报名了这个班次"), code="already_booked")
    # the place is hers already: free it for the checks, so capacity counts the taker instead
    signup.state = SignupState.HANDED_OVER
    signup.save(update_fields=["state", "updated_at"])
    _bookable(shift, taker, now=timezone.now())
    new = Signup.objects.create(shift=shift, volunteer=taker, note=_("接替%(n)s") % {"n": signup.volunteer.name})
    signup.handed_to = new
    signup.save(update_fields=["handed_to", "updated_at"])
    _tell([signup], key="taken", title=_("%(n)s 已接替您的「%(t)s」") % {"n": taker.name, "t": shift.title})
    return new


def shift_by_code(code: str) -> Shift:
    shift = Shift.objects.filter(code=str(code or "")[:16]).select_related("area").first()
    if shift is None:
        raise NotFound(_("二维码无效，请扫描值守点张贴的签到码"))
    return shift


def _minutes(shift: Shift, start, end) -> int:
    """What counts: the time on duty within the shift's hours."""
    served = min(end, shift.ends_at) - max(start, shift.starts_at)
    return max(0, int(served.total_seconds() // 60))


def _award(signup: Signup, *, actor=None) -> None:
    """Points for a finished duty: by the hour and for the shift, to her volunteer account, and to her party account
    by its own rules if she is a party member reported to a community."""
    shift, volunteer = signup.shift, signup.volunteer
    accounts = [account_of(volunteer)]
    member = (PartyMember.objects.filter(user_id=volunteer.user_id, reported_to__isnull=False).first()
              if volunteer.user_id else None)
    if member is not None:
        accounts.append(account_of(member))
    when = timezone.localtime(shift.starts_at).strftime("%m-%d")
    for account in accounts:
        earn(account, Trigger.HOURS, place=shift, ref=f"signup:{signup.pk}:hours", minutes=signup.minutes,
             shift_kind=shift.kind, note=f"{shift.title} {when} {signup.minutes // 60}h{signup.minutes % 60:02d}m",
             actor=actor)
        if signup.minutes:
            earn(account, Trigger.SHIFT, place=shift, ref=f"signup:{signup.pk}:shift", shift_kind=shift.kind,
                 note=f"{shift.title} {when}", actor=actor)


def _clock(shift: Shift, value, *, now, after=None):
    """A time the leader or staff record for someone else (her phone was dead, the scan is written up later): "09:05"
    on the shift's day (past midnight for a night shift), or an aware datetime. Not in the future, not before
    check-in opens, and (checking out) after she came."""
    if isinstance(value, str):
        value = value.strip()
        try:
            clock = datetime.strptime(value, "%H:%M").time()
        except ValueError:
            raise InvalidInput(_("请按“时:分”填写时间，如 09:05"), field="at") from None
        opens = timezone.localtime(shift.starts_at - EARLY)
        value = timezone.make_aware(datetime.combine(opens.date(), clock))
        if value < opens and timezone.localtime(shift.ends_at).date() > opens.date():  # a night shift's small hours
            value += timedelta(days=1)
    if value > now:
        raise InvalidInput(_("补记的时间不能晚于现在"), field="at")
    if value < shift.starts_at - EARLY:
        raise InvalidInput(_("补记的时间不能早于班次开始前30分钟"), field="at")
    if after is not None and value <= after:
        raise InvalidInput(_("签退时间须晚于签到时间（%(t)s）") % {
            "t": timezone.localtime(after).strftime("%H:%M")}, field="at")
    return value


@transaction.atomic
def check_in(*, actor, shift: Shift, volunteer: Volunteer | None = None, at=None) -> Signup:
    """Scan the code at the place (herself), or the leader checks her in. Toggles: a second scan checks out.
    Without a booking she is booked on the spot if a place is free (a walk-in). The leader or staff may write the
    time she came (or left) with ``at``, until the clock settles the shift."""
    own = volunteer is None
    volunteer = _locked_volunteer(_serving(actor, volunteer))
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if not own and not may_run_shift(actor, shift):
        raise NotPermitted(_("只有本班次的队长或社区工作人员可以代为签到"))
    now = timezone.now()
    at = None if own or at in (None, "") else at
    if shift.cancelled_at is not None:
        raise Conflict(_("该班次已取消"), code="shift_cancelled")
    if at is not None and shift.settled_at is not None:
        raise Conflict(_("该班次已经结算，补记请联系社区工作人员"), code="shift_settled")
    signup = Signup.objects.filter(shift=shift, volunteer=volunteer, state__in=HOLDING).first()
    if signup is not None and signup.state == SignupState.ON_DUTY:
        if own and now - signup.checked_in_at < JUST_IN:  # a double tap, a retried scan: not a check-out
            raise Conflict(_("刚刚已签到。结束时再扫码签退"), code="just_checked_in")
        out = now if at is None else _clock(shift, at, now=now, after=signup.checked_in_at)
        return _check_out(signup, actor=actor, now=out)
    if signup is not None and signup.state == SignupState.DONE:
        raise Conflict(_("本班次已签退，服务时长已记录"), code="done")
    came = now if at is None else _clock(shift, at, now=now)
    if now < shift.starts_at - EARLY:
        raise Conflict(_("签到在开始前30分钟开放（%(t)s 开始）") % {
            "t": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M")}, code="too_early")
    if came >= shift.ends_at:
        raise Conflict(_("该班次已经结束") if at is None else _("到岗时间已在班次结束之后"), code="shift_over")
    if signup is None:
        _bookable(shift, volunteer, now=came)
        signup = Signup(shift=shift, volunteer=volunteer, note=_("现场签到"))
    signup.state, signup.checked_in_at, signup.checked_in_by = SignupState.ON_DUTY, came, actor
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:
        raise Conflict(_("已经报名了这个班次"), code="already_booked") from None
    return signup


def _check_out(signup: Signup, *, actor, now, note: str = "") -> Signup:
    signup.state, signup.checked_out_at, signup.checked_out_by = SignupState.DONE, now, actor
    signup.minutes = _minutes(signup.shift, signup.checked_in_at, now)
    if note:
        signup.note = note
    signup.save()
    _award(signup, actor=actor)
    return signup


@transaction.atomic
def check_out(*, actor, signup: Signup, at=None) -> Signup:
    """She checks out (or the leader or staff for her, with the time she left as ``at`` if it was earlier)."""
    signup = _locked_signup(signup)
    _own_or_run(actor, signup)
    if signup.state != SignupState.ON_DUTY:
        raise Conflict(_("尚未签到，不能签退"), code="transition_not_allowed")
    now = timezone.now()
    if at in (None, "") or signup.volunteer.user_id == actor.pk:
        return _check_out(signup, actor=actor, now=now)
    return _check_out(signup, actor=actor, now=_clock(signup.shift, at, now=now, after=signup.checked_in_at))


@transaction.atomic
def mark_no_show(*, actor, signup: Signup) -> Signup:
    signup = _locked_signup(signup)
    if not may_run_shift(actor, signup.shift):
        raise NotPermitted(_("只有本班次的队长或社区工作人员可以登记缺勤"))
    if signup.state != SignupState.BOOKED or signup.shift.starts_at > timezone.now():
        raise Conflict(_("班次开始后，才能把未签到的报名记为未到岗"), code="transition_not_allowed")
    signup.state = SignupState.NO_SHOW
    signup.save(update_fields=["state", "updated_at"])
    return signup


def settle(now=None) -> dict[str, int]:
    """The clock, once a shift is ``SETTLE_HOURS`` over: a booking never checked in is a no-show; one checked in and
    never out is checked out at the shift's end (its hours counted, noted as such). Each shift once."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.GONGZHI.get("SHIFT_SETTLE_HOURS", 2))
    counts = {"no_show": 0, "auto_out": 0, "shifts": 0}
    while True:
        with transaction.atomic():
            shifts = list(Shift.objects.select_for_update(skip_locked=True).filter(
                settled_at__isnull=True, ends_at__lte=cutoff).order_by("ends_at")[:500])
            if not shifts:
                return counts
            ids = [s.pk for s in shifts]
            counts["no_show"] += Signup.objects.filter(shift_id__in=ids, state=SignupState.BOOKED).update(
                state=SignupState.NO_SHOW)
            by_id = {s.pk: s for s in shifts}
            for signup in Signup.objects.select_for_update().filter(shift_id__in=ids, state=SignupState.ON_DUTY) \
                    .select_related("volunteer"):
                signup.shift = by_id[signup.shift_id]
                _check_out(signup, actor=None, now=signup.shift.ends_at, note=_("未签退，按班次结束时间计"))
                counts["auto_out"] += 1
            Shift.objects.filter(pk__in=ids).update(settled_at=now)
            counts["shifts"] += len(ids)


def lay_out_all(today=None) -> int:
    today = today or timezone.localdate()
    made = 0
    due = Q(laid_until__isnull=True) | Q(laid_until__lt=today + timedelta(days=LAY_OUT_DAYS))
    for roster in Roster.objects.filter(due, is_active=True).exclude(ends_on__lt=today):
        made += lay_out(roster, today=today)
    return made

