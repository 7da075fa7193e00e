"""Working days (工作日) on the Chinese calendar, with 调休.

Source: the pinned `chinese-calendar` package (import `chinese_calendar`),
which holds the State Council's yearly holiday arrangements (国务院办公厅关于
部分节假日安排的通知): the statutory days off, and the weekend days made
working days (调休, e.g. Saturday 2026-10-10 after National Day).

The package covers FIRST_YEAR–LAST_YEAR (1.11.0: 2004–2026). Beyond them
a working day cannot be known (春节, 端午, 中秋 move with the lunar calendar,
and 调休 swaps exist only once the State Council publishes them), so every
function here raises `NotCovered`, whose message names the date and the
years covered; callers show it as the reason a deadline cannot be checked.
The fix is operational: upgrade the package once the next year's
arrangement is published (usually in November or December; see
docs/operations.md).

Counting follows 《民法典》第二百零一条: the day of the event is not counted,
so "within 7 working days of D" ends on `add_workdays(D, 7)`.

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from importlib.metadata import version

import chinese_calendar
from chinese_calendar.constants import holidays as _KNOWN_HOLIDAYS

FIRST_YEAR = min(_KNOWN_HOLIDAYS).year
LAST_YEAR = max(_KNOWN_HOLIDAYS).year
VERSION = version("chinese-calendar")
MAX_STEP = 3660  # about ten years of days: a guard against runaway loops


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


class NotCovered(ValueError):
    """A date outside the years the holiday calendar holds."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(
            f"{day} 超出工作日历收录的年份（{FIRST_YEAR}–{LAST_YEAR} 年，"
            f"chinese-calendar {VERSION}），无法按工作日计算法定期限；"
            f"请在国务院办公厅公布该年节假日安排后升级 chinese-calendar")


def covers(day) -> bool:
    return FIRST_YEAR <= _day(day).year <= LAST_YEAR


def is_workday(day) -> bool:
    day = _day(day)
    if not covers(day):
        raise NotCovered(day)
    return chinese_calendar.is_workday(day)


def add_workdays(day, n: int) -> dt.date:
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
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(a, b) -> int:
    """Working days d with a < d <= b (the first day not counted, the last
    counted); negative, counted the same way from b, when b is before a.
    So workdays_between(a, add_workdays(a, n)) == n for n >= 0."""
    a, b = _day(a), _day(b)
    if b < a:
        return -workdays_between(b, a)
    if (b - a).days > MAX_STEP:
        raise ValueError("date range out of range")
    return sum(1 for i in range(1, (b - a).days + 1)
               if is_workday(a + dt.timedelta(days=i)))
