"""Deadlines in working time: weekends, official holidays and make-up working days (调休)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gongzhi.appeals.worktime import Calendar, deadline

SH = ZoneInfo("Asia/Shanghai")
PERIODS = ((9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30))  # 7 working hours a day


def at(y, m, d, h=0, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SH)


def cal(**exceptions):
    return Calendar(exceptions={date.fromisoformat(k.replace("_", "-")[1:]): v for k, v in exceptions.items()},
                    periods=PERIODS)


def test_hours_within_a_morning():
    assert cal().add(at(2026, 11, 23, 9, 30), 2) == at(2026, 11, 23, 11, 30)  # a Monday


def test_the_lunch_break_does_not_count():
    assert cal().add(at(2026, 11, 23, 11, 0), 2) == at(2026, 11, 23, 14, 30)


def test_an_appeal_in_the_evening_starts_counting_next_morning():
    assert cal().add(at(2026, 11, 23, 20, 0), 1) == at(2026, 11, 24, 10, 0)


def test_friday_afternoon_runs_into_monday():
    assert cal().add(at(2026, 11, 27, 16, 30), 2) == at(2026, 11, 30, 10, 0)


def test_holidays_are_skipped_and_make_up_saturdays_count():
    calendar = cal(d2026_10_01=False, d2026_10_02=False, d2026_10_10=True)  # National Day; Saturday worked
    assert calendar.add(at(2026, 9, 30, 17, 0), 1) == at(2026, 10, 5, 9, 30)  # Thu/Fri off, weekend off
    assert calendar.add(at(2026, 10, 9, 17, 0), 1) == at(2026, 10, 10, 9, 30)  # the make-up Saturday


def test_a_seven_hour_day_times_two():
    assert cal().add(at(2026, 11, 23, 9, 0), 14) == at(2026, 11, 24, 17, 30)


def test_working_time_between_two_moments():
    calendar = cal()
    assert calendar.between(at(2026, 11, 27, 16, 0), at(2026, 11, 30, 10, 0)) == timedelta(hours=2, minutes=30)
    assert calendar.between(at(2026, 11, 30, 10, 0), at(2026, 11, 27, 16, 0)) == timedelta(0)


def test_first_priority_runs_on_the_clock():
    assert deadline(at(2026, 11, 28, 23, 0), 2, on_the_clock=True) == at(2026, 11, 29, 1, 0)
