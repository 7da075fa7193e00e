"""Working days (工作日) on the Chinese calendar, with 调休.

Source: the pinned `chinese-calendar` package (import `chinese_calendar`),
which holds the State Council's yearly holiday arrangements (国务院办公厅关于
部分节假日安排的通知): the statutory days off, and the weekend days made
working days (调休, e.g. Saturday 2026-10-10 after National Day).

Outside the years the package holds (1.11.0: 2004–2026) its `is_workday`
raises NotImplementedError ("no available data for year 2027, only year
between [2004, 2026] supported"). A deadline must still be computable then,
so this module falls back to an estimate:

- Monday to Friday are working days, Saturday and Sunday are not;
- except the statutory holidays whose dates are known in advance
  (《全国年节及纪念日放假办法》, 2024 revision): 元旦 1 January, 清明节
  (the 清明 solar term, from the package's solar-term table), 劳动节 1–2 May,
  国庆节 1–3 October.

春节, 端午节 and 中秋节 follow the lunar calendar, and 调休 swaps are only
known once the State Council publishes them, so the estimate counts those
days as ordinary days. `is_estimated(day)` says when a result rests on the
estimate; callers add a note to what they show. Upgrade the package when the
next year's arrangement is published (usually in November or December).

Counting follows 《民法典》第二百零一条: the day of the event is not counted,
so "within 7 working days of D" ends on `add_workdays(D, 7)`.

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
from chinese_calendar.constants import holidays as _KNOWN_HOLIDAYS

FIRST_YEAR = min(_KNOWN_HOLIDAYS).year
LAST_YEAR = max(_KNOWN_HOLIDAYS).year
MAX_STEP = 3660  # about ten years of days: a guard against runaway loops

# Fixed-date statutory holidays (month, day) used by the fallback.
FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def is_estimated(day) -> bool:
    """True when `day` lies outside the years the holiday table holds."""
    return not FIRST_YEAR <= _day(day).year <= LAST_YEAR


def any_estimated(*days) -> bool:
    return any(d is not None and is_estimated(d) for d in days)


@lru_cache(maxsize=64)
def _fallback_holidays(year: int) -> frozenset:
    days = {dt.date(year, month, day) for month, day in FIXED_HOLIDAYS}
    if 1900 <= year <= 2100:  # the range of the package's solar-term formula
        days |= {d for d, name in chinese_calendar.get_solar_terms(
            dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明"}
    return frozenset(days)


def is_workday(day) -> bool:
    day = _day(day)
    if not is_estimated(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in _fallback_holidays(day.year)


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


ESTIMATE_NOTE = "（所涉年份的节假日安排尚未收录，工作日按周末及固定日期法定节假日估算）"
