"""Working days (工作日) on the Chinese calendar, with 调休.

A `Calendar` is data handed in by the caller: the weekdays off (休) and the
weekend days worked (班) that administrators entered in 【节假日维护】 (or
that were seeded from `chinese-calendar`), and which years are 正式, i.e.
hold the State Council's arrangement (国务院办公厅关于部分节假日安排的通知).

A year that is not 正式 is 暂定: its days off are the law's own
(app/rules/statutory_holidays.py) plus any days already entered for it, and
no 调休 weekend is guessed. Judging on a 暂定 day is allowed, but callers
say so next to the verdict: `provisional_note()` gives the words, and a
`recording()` calendar notes which 暂定 years a check looked at.

Counting follows 《民法典》第二百零一条: the day of the event is not counted,
so "within 7 working days of D" ends on `add_workdays(D, 7)`.

Pure: no Flask, no database.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field, replace

from . import statutory_holidays

FIRST_YEAR, LAST_YEAR = statutory_holidays.FIRST_YEAR, statutory_holidays.LAST_YEAR
MAX_STEP = 3660  # about ten years of days: a guard against runaway loops
OFFICIAL, PROVISIONAL = "正式", "暂定"


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


class NotCovered(ValueError):
    """A date outside the years any calendar can be computed for."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(f"{day} 超出工作日历可计算的年份（{FIRST_YEAR}–{LAST_YEAR} 年），"
                         "无法按工作日计算法定期限")


def provisional_note(years) -> str | None:
    """The words shown next to a verdict that relied on 暂定 days."""
    years = sorted(set(years))
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    return f"按法定节假日暂定计算，{listed} 年节假日安排尚未录入"


@dataclass(frozen=True)
class Calendar:
    days_off: frozenset = frozenset()      # weekdays off (休)
    days_worked: frozenset = frozenset()   # weekend days worked (班, 调休)
    official_years: frozenset = frozenset()
    # Set on a recording() copy only: the 暂定 years a check looked at.
    consulted: set | None = field(default=None, compare=False, hash=False)

    def recording(self) -> "Calendar":
        """A copy that notes the 暂定 years its answers relied on."""
        return replace(self, consulted=set())

    def state(self, year: int) -> str:
        return OFFICIAL if year in self.official_years else PROVISIONAL

    def note(self) -> str | None:
        """On a recording() copy: the 暂定 note for what was looked at."""
        return provisional_note(self.consulted or ())

    def is_workday(self, day) -> bool:
        day = _day(day)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise NotCovered(day)
        official = day.year in self.official_years
        if not official and self.consulted is not None:
            self.consulted.add(day.year)
        if day in self.days_worked:
            return True
        if day in self.days_off:
            return False
        if not official and day in statutory_holidays.days_off(day.year):
            return False
        return day.weekday() < 5

    def add_workdays(self, day, n: int) -> dt.date:
        """The n-th working day after `day` (before it when n < 0); `day`
        itself when n == 0, whether or not it is a working day."""
        day = _day(day)
        step = 1 if n >= 0 else -1
        remaining, walked = abs(n), 0
        while remaining:
            day += dt.timedelta(days=step)
            walked += 1
            if walked > MAX_STEP:
                raise ValueError(f"{n} working days is out of range")
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, a, b) -> int:
        """Working days d with a < d <= b (the first day not counted, the last
        counted); negative, counted the same way from b, when b is before a.
        So workdays_between(a, add_workdays(a, n)) == n for n >= 0."""
        a, b = _day(a), _day(b)
        if b < a:
            return -self.workdays_between(b, a)
        if (b - a).days > MAX_STEP:
            raise ValueError("date range out of range")
        if a == b:
            return 0
        # As is_workday asked of each day after a up to b would, in O(log n):
        # a page's 200 overdue 质疑 each counted ~500 days one by one, 80% of
        # the 项目质疑 list at a city's volume (docs/benchmarks.md, session 48).
        first = a + dt.timedelta(days=1)
        if first.year < FIRST_YEAR:
            raise NotCovered(first)
        if b.year > LAST_YEAR:
            raise NotCovered(max(first, dt.date(LAST_YEAR + 1, 1, 1)))
        if self.consulted is not None:
            self.consulted.update(year for year in range(first.year, b.year + 1)
                                  if year not in self.official_years)
        count = _weekdays_to(b) - _weekdays_to(a)
        for year in range(first.year, b.year + 1):
            days, running = _departures(year, self.days_off, self.days_worked,
                                        year in self.official_years)
            count += running[bisect.bisect_right(days, b)] - running[bisect.bisect_right(days, a)]
        return count

    def days_of(self, year: int) -> dict[dt.date, str]:
        """The days of `year` that differ from the plain week, as 休 or 班
        (for drawing the year: entered days, and the law's for a 暂定 year)."""
        found = {}
        if year not in self.official_years and FIRST_YEAR <= year <= LAST_YEAR:
            found.update({day: "休" for day in statutory_holidays.days_off(year)})
        found.update({day: "休" for day in self.days_off if day.year == year})
        for day in self.days_worked:
            if day.year == year:
                found[day] = "班"
        return found


def _weekdays_to(day: dt.date) -> int:
    """Monday to Friday from 0001-01-01 (a Monday, ordinal 1) to `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


@functools.lru_cache(maxsize=256)
def _departures(year: int, days_off: frozenset, days_worked: frozenset, official: bool):
    """The days of `year` where a calendar departs from Monday to Friday, in
    order, and the running sum of their departures (+1 a weekend day worked,
    -1 a weekday off): ([d1, d2, …], [0, s1, s2, …]). Kept per year and
    calendar (its sets are the key: an entry in 【节假日维护】 makes a new
    calendar); the law's days of a year take ~3 ms to work out."""
    change = {day: 1 for day in days_worked if day.year == year and day.weekday() >= 5}
    for day in days_off:
        if day.year == year and day.weekday() < 5 and day not in days_worked:
            change[day] = -1
    if not official:
        for day in statutory_holidays.days_off(year):
            if day.weekday() < 5 and day not in days_worked and day not in days_off:
                change[day] = -1
    days = sorted(change)
    return days, [0, *itertools.accumulate(change[day] for day in days)]
