"""Working time: deadlines count working hours on working days, as the hotline's rules do.

A working day is Monday to Friday unless the calendar says otherwise: official holidays are days off, and
make-up days (调休) are Saturdays or Sundays worked. The calendar lives in the database
(``appeals.CalendarDay``, edited by an administrator); the daily hours in ``GONGZHI["WORKING_HOURS"]``.
First-priority appeals (epidemic, safety) run on the clock instead: handled at once, day or night (003).

The functions here are pure over a ``Calendar`` so they are cheap to test and to run in bulk.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.utils import timezone

from .models import CalendarDay

MAX_DAYS = 800  # a deadline more than two years of working days away is a configuration error
_LOADED: dict[tuple[date, int], tuple[float, dict[date, bool]]] = {}  # Calendar.load's minute-long memory


def _periods() -> tuple[tuple[int, int], ...]:
    """Working periods of a day as (start, end) minutes after midnight, e.g. 9:00–12:00 and 13:30–17:30."""
    out = []
    for start, end in settings.GONGZHI["WORKING_HOURS"]:
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
        out.append((sh * 60 + sm, eh * 60 + em))
    return tuple(sorted(out))


@dataclass
class Calendar:
    """Exceptions to Monday–Friday: {date: True (a make-up working day) or False (a holiday)}."""

    exceptions: dict[date, bool] = field(default_factory=dict)
    periods: tuple[tuple[int, int], ...] = field(default_factory=_periods)

    @classmethod
    def load(cls, start: date, days: int = 120) -> Calendar:
        """Holidays and make-up days around ``start``. Every intake needs them, so each process keeps what it
        read for a minute; a change in this process clears it at once (``forget``), other processes within the
        minute."""
        now = monotonic()
        found = _LOADED.get((start, days))
        if found is not None and found[0] > now:
            return cls(exceptions=found[1])
        rows = CalendarDay.objects.filter(day__gte=start - timedelta(days=1), day__lte=start + timedelta(days=days))
        exceptions = {row.day: row.is_workday for row in rows}
        if len(_LOADED) > 64:
            _LOADED.clear()
        _LOADED[(start, days)] = (now + 60, exceptions)
        return cls(exceptions=exceptions)

    @staticmethod
    def forget(**_kwargs) -> None:
        _LOADED.clear()

    def is_workday(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def _intervals(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return
        tz = timezone.get_current_timezone()
        midnight = datetime.combine(day, time.min)
        for start, end in self.periods:
            yield (timezone.make_aware(midnight + timedelta(minutes=start), tz),
                   timezone.make_aware(midnight + timedelta(minutes=end), tz))

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start``."""
        remaining = timedelta(hours=hours)
        local = timezone.localtime(start)
        day = local.date()
        for _ in range(MAX_DAYS):
            for begin, end in self._intervals(day):
                if end <= local:
                    continue
                begin = max(begin, local)
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError("deadline beyond the calendar")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (zero if b is before a)."""
        if b <= a:
            return timedelta(0)
        a, b = timezone.localtime(a), timezone.localtime(b)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            for begin, end in self._intervals(day):
                lo, hi = max(begin, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def deadline(start: datetime, hours: float, *, on_the_clock: bool, calendar: Calendar | None = None) -> datetime:
    if on_the_clock:
        return start + timedelta(hours=hours)
    calendar = calendar or Calendar.load(timezone.localdate(start))
    return calendar.add(start, hours)
