"""Shifts as a volunteer and a worker meet them: approval before booking, rosters laid out ahead, places
within capacity and never two at once, loans to another community, hand-over, check-in and out with the
minutes and points they earn, no-shows, the clock settling what is over, and cancelling."""
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.notifications.models import Notification
from gongzhi.volunteers import selectors, services
from gongzhi.volunteers.choices import HOLDING, Entry, SignupState, Trigger
from gongzhi.volunteers.models import PointsEntry, PointsRule, Signup
from gongzhi.volunteers.services.points import earn
from gongzhi.volunteers.services.shifts import LAY_OUT_DAYS

from .conftest import account, make_shift, register

pytestmark = pytest.mark.usefixtures("frozen")

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def book(volunteer, shift):
    return services.signup_book(actor=volunteer.user, shift=shift)


# --- registration -------------------------------------------------------------------------------------------

def test_a_volunteer_books_only_once_her_community_approved_her(world, worker, shift_factory):
    pending = register(world.community)
    shift = shift_factory()
    with pytest.raises(NotPermitted) as refused:
        book(pending, shift)
    assert refused.value.code == "not_volunteer"
    services.volunteer_decide(actor=worker, volunteer=pending, decision="approve")
    her = User.objects.get(pk=pending.user_id)  # her next request, not the one that was refused
    signup = services.signup_book(actor=her, shift=shift)
    assert (signup.volunteer_id, signup.state) == (pending.pk, SignupState.BOOKED)


def test_approval_tells_her_and_opens_her_points_account(world, worker):
    pending = register(world.community)
    services.volunteer_decide(actor=worker, volunteer=pending, decision="approve")
    told = Notification.objects.filter(user_id=pending.user_id, key=f"volunteer:{pending.pk}:approve")
    assert told.exists()
    assert (account(pending).balance, account(pending).community_id) == (0, world.community.pk)


# --- rosters ------------------------------------------------------------------------------------------------

def _daily_gate(worker, area, *, weekdays="1234567"):
    return services.roster_create(actor=worker, area=area, kind="gate", title="东门值守", weekdays=weekdays,
                                  start_time=time(7), end_time=time(9), capacity=2,
                                  starts_on=timezone.localdate())


def test_a_roster_lays_out_its_shifts_two_weeks_ahead_once(world, worker):
    with time_machine.travel(datetime.combine(timezone.localdate(), time(5), tzinfo=timezone.get_current_timezone()),
                             tick=False):
        _lays_out_once(world, worker)


def test_a_slot_already_over_today_is_not_laid_out(world, worker):
    with time_machine.travel(datetime.combine(timezone.localdate(), time(10), tzinfo=timezone.get_current_timezone()),
                             tick=False):
        roster = _daily_gate(worker, world.compound)
        assert timezone.localdate(roster.shifts.order_by("starts_at").first().starts_at) == (
            timezone.localdate() + timedelta(days=1))


def _lays_out_once(world, worker):
    roster = _daily_gate(worker, world.compound)
    shifts = list(roster.shifts.order_by("starts_at"))
    today = timezone.localdate()  # today, and every day up to two weeks (LAY_OUT_DAYS) ahead: 15 dates
    assert [timezone.localdate(s.starts_at) for s in shifts] == [today + timedelta(days=d)
                                                                  for d in range(LAY_OUT_DAYS + 1)]
    assert {(timezone.localtime(s.starts_at).time(), timezone.localtime(s.ends_at).time(), s.capacity,
             s.compound_id) for s in shifts} == {(time(7), time(9), 2, world.compound.pk)}
    assert services.lay_out(roster) == 0
    assert services.lay_out_all() == 0
    assert roster.shifts.count() == len(shifts)


def test_a_roster_lays_out_only_its_weekdays(world, worker):
    roster = _daily_gate(worker, world.compound, weekdays="17")
    today = timezone.localdate()
    expected = [today + timedelta(days=d) for d in range(LAY_OUT_DAYS + 1)
                if (today + timedelta(days=d)).isoweekday() in (1, 7)]
    assert sorted(timezone.localdate(s.starts_at) for s in roster.shifts.all()) == expected


def test_the_clock_lays_out_each_new_day_of_a_roster(frozen, world, worker):
    roster = _daily_gate(worker, world.compound)
    before = roster.shifts.count()
    frozen.shift(timedelta(days=1))
    assert services.lay_out_all() == 1
    last = roster.shifts.order_by("starts_at").last()
    assert timezone.localdate(last.starts_at) == timezone.localdate() + timedelta(days=LAY_OUT_DAYS)
    assert roster.shifts.count() == before + 1


# --- booking ------------------------------------------------------------------------------------------------

def test_a_full_shift_refuses_the_next_booking(volunteer_factory, shift_factory):
    shift = shift_factory(capacity=2)
    first, second, third = volunteer_factory(), volunteer_factory(), volunteer_factory()
    book(first, shift)
    book(second, shift)
    with pytest.raises(Conflict) as refused:
        book(third, shift)
    assert refused.value.code == "full"
    assert set(shift.signups.values_list("volunteer_id", flat=True)) == {first.pk, second.pk}


def test_the_same_shift_is_booked_once(volunteer, shift_factory):
    shift = shift_factory()
    book(volunteer, shift)
    with pytest.raises(Conflict) as refused:
        book(volunteer, shift)
    assert refused.value.code == "already_booked"
    assert shift.signups.count() == 1


def test_overlapping_shifts_are_not_booked_together(volunteer, shift_factory):
    first = shift_factory(starts_in=HOUR, length=2 * HOUR)
    overlapping = shift_factory(starts_in=2 * HOUR + 59 * MINUTE, length=2 * HOUR)
    book(volunteer, first)
    with pytest.raises(Conflict) as refused:
        book(volunteer, overlapping)
    assert refused.value.code == "overlap"
    assert not overlapping.signups.exists()


def test_back_to_back_shifts_may_both_be_booked(volunteer, shift_factory):
    first = shift_factory(starts_in=HOUR, length=2 * HOUR)
    then = shift_factory(starts_in=3 * HOUR, length=2 * HOUR)
    book(volunteer, first)
    book(volunteer, then)
    assert Signup.objects.filter(volunteer=volunteer, state=SignupState.BOOKED).count() == 2


def test_another_community_s_shift_is_booked_only_on_a_loan_covering_its_day(volunteer, worker, world, users):
    shift = make_shift(actor=users("subdistrict"), area=world.other_community, starts_in=timedelta(days=1))
    with pytest.raises(NotPermitted):
        book(volunteer, shift)
    today = timezone.localdate()
    services.loan_create(actor=worker, volunteer=volunteer, area=world.other_community, starts_on=today,
                         ends_on=today, reason="支援和平里社区")
    with pytest.raises(NotPermitted):  # lent today, the shift is tomorrow
        book(volunteer, shift)
    day = timezone.localdate(shift.starts_at)
    services.loan_create(actor=worker, volunteer=volunteer, area=world.other_community, starts_on=day,
                         ends_on=day + timedelta(days=6), reason="支援和平里社区")
    assert book(volunteer, shift).state == SignupState.BOOKED


def test_her_list_of_open_shifts_includes_where_she_is_lent_from_tomorrow(volunteer, worker, world, users):
    """Her list shows a lent place's shifts on the days the loan covers, as booking checks them: a loan that
    starts tomorrow shows tomorrow's shifts there, not today's (it once read the loans of today only)."""
    subdistrict = users("subdistrict")
    tomorrow, later = (make_shift(actor=subdistrict, area=world.other_community, starts_in=timedelta(days=d))
                       for d in (1, 4))
    day = timezone.localdate(tomorrow.starts_at)
    services.loan_create(actor=worker, volunteer=volunteer, area=world.other_community, starts_on=day,
                         ends_on=day)
    book(volunteer, tomorrow)  # she may take it…
    listed = {s.pk for s in selectors.open_shifts(volunteer) if s.community_id == world.other_community.pk}
    assert listed == {tomorrow.pk}  # …so her list shows it, and not the one after her loan


# --- hand-over ----------------------------------------------------------------------------------------------

def test_a_handed_over_place_passes_to_the_taker(volunteer, second_volunteer, volunteer_factory,
                                                  shift_factory):
    shift = shift_factory(capacity=1)
    mine = book(volunteer, shift)
    services.signup_offer(actor=volunteer.user, signup=mine)
    theirs = services.signup_take(actor=second_volunteer.user, signup=mine)
    mine.refresh_from_db()
    assert (mine.state, mine.handed_to_id) == (SignupState.HANDED_OVER, theirs.pk)
    assert (theirs.volunteer_id, theirs.state) == (second_volunteer.pk, SignupState.BOOKED)
    assert Notification.objects.filter(user_id=volunteer.user_id, key=f"signup:{mine.pk}:taken").exists()
    assert Signup.objects.filter(shift=shift, state__in=HOLDING).count() == 1
    with pytest.raises(Conflict) as refused:  # still one place, still taken
        book(volunteer_factory(), shift)
    assert refused.value.code == "full"


def test_a_place_not_offered_cannot_be_taken(volunteer, second_volunteer, shift_factory):
    mine = book(volunteer, shift_factory())
    with pytest.raises(Conflict) as refused:
        services.signup_take(actor=second_volunteer.user, signup=mine)
    assert refused.value.code == "gone"
    mine.refresh_from_db()
    assert mine.state == SignupState.BOOKED


# --- check-in and out ---------------------------------------------------------------------------------------

def test_check_in_opens_thirty_minutes_before_the_start(frozen, volunteer, shift_factory):
    shift = shift_factory(starts_in=31 * MINUTE)
    signup = book(volunteer, shift)
    with pytest.raises(Conflict) as refused:
        services.check_in(actor=volunteer.user, shift=shift)
    assert refused.value.code == "too_early"
    signup.refresh_from_db()
    assert signup.state == SignupState.BOOKED
    frozen.shift(MINUTE)
    assert services.check_in(actor=volunteer.user, shift=shift).state == SignupState.ON_DUTY


def test_a_second_scan_checks_out_with_the_minutes_served_within_the_shift(frozen, volunteer, shift_factory):
    shift = shift_factory(starts_in=20 * MINUTE, length=HOUR)
    book(volunteer, shift)
    signup = services.check_in(actor=volunteer.user, shift=shift)  # twenty minutes early: not counted
    assert (signup.state, signup.checked_in_at) == (SignupState.ON_DUTY, timezone.now())
    frozen.shift(2 * HOUR)  # forty minutes after the end: not counted either
    signup = services.check_in(actor=volunteer.user, shift=shift)
    assert (signup.state, signup.checked_out_at, signup.minutes) == (SignupState.DONE, timezone.now(), 60)


def test_check_out_earns_ten_points_an_hour_by_the_minute_rounded_down(frozen, volunteer, shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, length=2 * HOUR)
    book(volunteer, shift)
    frozen.shift(10 * MINUTE)
    services.check_in(actor=volunteer.user, shift=shift)
    frozen.shift(50 * MINUTE)
    signup = services.check_in(actor=volunteer.user, shift=shift)
    entry = PointsEntry.objects.get(account__volunteer=volunteer)
    rule = PointsRule.objects.get(account="volunteer", trigger=Trigger.HOURS, area=None)
    assert (signup.minutes, entry.delta, entry.kind, entry.rule_id) == (50, 8, Entry.EARN, rule.pk)  # 8.33…
    assert (account(volunteer).balance, account(volunteer).earned) == (8, 8)


def test_a_duty_s_points_are_granted_once(frozen, volunteer, shift_factory):
    shift = shift_factory(starts_in=0 * MINUTE, length=HOUR)
    book(volunteer, shift)
    services.check_in(actor=volunteer.user, shift=shift)
    frozen.shift(HOUR)
    signup = services.check_in(actor=volunteer.user, shift=shift)
    with pytest.raises(Conflict) as refused:  # a third scan
        services.check_in(actor=volunteer.user, shift=shift)
    assert refused.value.code == "done"
    ref = f"signup:{signup.pk}:hours"
    assert earn(account(volunteer), Trigger.HOURS, place=shift, ref=ref, minutes=60) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(account=account(volunteer), at=timezone.now(), kind=Entry.EARN, delta=10,
                                   balance_after=20, ref=ref)
    entries = PointsEntry.objects.filter(account__volunteer=volunteer).values_list("ref", "delta")
    assert list(entries) == [(ref, 10)]
    assert account(volunteer).balance == 10


def test_the_leader_writes_up_the_duty_of_one_whose_phone_died(frozen, worker, volunteer, shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, length=2 * HOUR)
    book(volunteer, shift)
    frozen.shift(2 * HOUR + 30 * MINUTE)  # the shift is over; the clock settles it two hours after its end
    came, left = shift.starts_at + 5 * MINUTE, shift.starts_at + 95 * MINUTE
    signup = services.check_in(actor=worker, shift=shift, volunteer=volunteer, at=came)
    assert (signup.state, signup.checked_in_at, signup.checked_in_by) == (SignupState.ON_DUTY, came, worker)
    signup = services.check_out(actor=worker, signup=signup, at=left)
    assert (signup.state, signup.checked_out_at, signup.minutes) == (SignupState.DONE, left, 90)
    assert account(volunteer).balance == 15  # ten an hour


def test_times_written_up_must_be_past_within_the_shift_and_in_order(frozen, worker, volunteer, shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, length=2 * HOUR)
    signup = book(volunteer, shift)
    frozen.shift(HOUR)
    for at in (timezone.now() + MINUTE, shift.starts_at - 31 * MINUTE, "9点", "25:00"):
        with pytest.raises(InvalidInput) as refused:
            services.check_in(actor=worker, shift=shift, volunteer=volunteer, at=at)
        assert refused.value.field == "at"
    signup.refresh_from_db()
    assert (signup.state, signup.checked_in_at) == (SignupState.BOOKED, None)
    signup = services.check_in(actor=worker, shift=shift, volunteer=volunteer, at=shift.starts_at + 20 * MINUTE)
    with pytest.raises(InvalidInput):
        services.check_out(actor=worker, signup=signup, at=shift.starts_at + 20 * MINUTE)
    signup.refresh_from_db()
    assert signup.state == SignupState.ON_DUTY


def test_a_morning_time_on_an_afternoon_shift_is_too_early_not_tomorrow(frozen, worker, volunteer, shift_factory):
    frozen.move_to(timezone.make_aware(datetime.combine(timezone.localdate(), time(15, 0))))
    shift = shift_factory(starts_in=-HOUR, length=2 * HOUR)  # 14:00–16:00 today
    book(volunteer, shift)
    with pytest.raises(InvalidInput) as refused:
        services.check_in(actor=worker, shift=shift, volunteer=volunteer, at="08:00")
    assert "不能早于" in refused.value.message  # not "later than now": only a night shift runs past midnight


def test_her_own_scan_is_always_now(frozen, volunteer, shift_factory):
    shift = shift_factory(starts_in=-HOUR, length=2 * HOUR)
    book(volunteer, shift)
    signup = services.check_in(actor=volunteer.user, shift=shift, at=shift.starts_at)
    assert signup.checked_in_at == timezone.now()


def test_once_the_clock_settled_a_shift_nothing_is_written_up(frozen, worker, volunteer, shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, length=HOUR)
    book(volunteer, shift)
    frozen.shift(3 * HOUR + 10 * MINUTE)
    services.settle()
    with pytest.raises(Conflict) as refused:
        services.check_in(actor=worker, shift=shift, volunteer=volunteer, at=shift.starts_at)
    assert refused.value.code == "shift_settled"
    assert Signup.objects.get(shift=shift).state == SignupState.NO_SHOW


def test_a_clock_time_is_read_on_the_shift_s_day_past_midnight_for_a_night_patrol(frozen, worker, volunteer):
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(22, 0)))
    shift = make_shift(actor=worker, area=volunteer.home, starts_in=start - timezone.now(), length=4 * HOUR)
    book(volunteer, shift)
    frozen.move_to(start + 5 * HOUR)  # 03:00, an hour after the patrol ended
    signup = services.check_in(actor=worker, shift=shift, volunteer=volunteer, at="22:10")
    signup = services.check_in(actor=worker, shift=shift, volunteer=volunteer, at="01:30")  # the toggle: out
    assert (signup.checked_in_at, signup.checked_out_at, signup.minutes) == (
        start + 10 * MINUTE, start + 3 * HOUR + 30 * MINUTE, 200)


def test_a_walk_in_is_booked_on_the_spot_while_a_place_is_free(volunteer, second_volunteer, shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, capacity=1)
    signup = services.check_in(actor=volunteer.user, shift=shift)
    assert (signup.pk, signup.volunteer_id, signup.state) == (shift.signups.get().pk, volunteer.pk,
                                                              SignupState.ON_DUTY)
    with pytest.raises(Conflict) as refused:
        services.check_in(actor=second_volunteer.user, shift=shift)
    assert refused.value.code == "full"
    assert shift.signups.count() == 1


def test_a_no_show_is_recorded_only_once_the_shift_has_started(frozen, worker, volunteer, shift_factory):
    shift = shift_factory(starts_in=HOUR)
    signup = book(volunteer, shift)
    with pytest.raises(Conflict):
        services.mark_no_show(actor=worker, signup=signup)
    signup.refresh_from_db()
    assert signup.state == SignupState.BOOKED
    frozen.shift(HOUR)
    assert services.mark_no_show(actor=worker, signup=signup).state == SignupState.NO_SHOW


def test_a_volunteer_cannot_mark_another_a_no_show(frozen, volunteer, second_volunteer, shift_factory):
    shift = shift_factory(starts_in=MINUTE)
    signup = book(second_volunteer, shift)
    frozen.shift(HOUR)
    with pytest.raises(NotPermitted):
        services.mark_no_show(actor=volunteer.user, signup=signup)


# --- the clock ----------------------------------------------------------------------------------------------

def test_the_clock_settles_a_shift_two_hours_after_its_end(frozen, volunteer, second_volunteer,
                                                           shift_factory):
    shift = shift_factory(starts_in=10 * MINUTE, length=HOUR)
    absent = book(second_volunteer, shift)
    book(volunteer, shift)
    frozen.shift(10 * MINUTE)
    services.check_in(actor=volunteer.user, shift=shift)  # and never checks out
    frozen.shift(HOUR + 2 * HOUR - MINUTE)
    assert services.settle()["shifts"] == 0
    frozen.shift(MINUTE)
    assert services.settle() == {"no_show": 1, "auto_out": 1, "shifts": 1}
    absent.refresh_from_db()
    present = Signup.objects.get(shift=shift, volunteer=volunteer)
    assert absent.state == SignupState.NO_SHOW
    assert (present.state, present.checked_out_at, present.checked_out_by, present.minutes) == (
        SignupState.DONE, shift.ends_at, None, 60)
    assert account(volunteer).balance == 10
    assert services.settle() == {"no_show": 0, "auto_out": 0, "shifts": 0}  # each shift once


def test_cancelling_a_shift_cancels_its_bookings_and_tells_the_volunteers(worker, volunteer, second_volunteer,
                                                                         shift_factory):
    shift = shift_factory()
    signup = book(volunteer, shift)
    services.shift_cancel(actor=worker, shift=shift, reason="暴雨预警，暂停户外巡逻")
    signup.refresh_from_db()
    assert signup.state == SignupState.CANCELLED
    message = Notification.objects.get(user_id=volunteer.user_id, key=f"signup:{signup.pk}:cancelled")
    assert message.body == "暴雨预警，暂停户外巡逻"
    with pytest.raises(Conflict) as refused:
        book(second_volunteer, shift)
    assert refused.value.code == "shift_cancelled"


def test_a_volunteer_cannot_cancel_a_shift(volunteer, shift_factory):
    shift = shift_factory()
    with pytest.raises(NotPermitted):
        services.shift_cancel(actor=volunteer.user, shift=shift, reason="不想去了")
    shift.refresh_from_db()
    assert shift.cancelled_at is None
