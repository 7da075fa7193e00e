"""The days off the law itself gives, for a year whose arrangement is not
entered yet (暂定).

《全国年节及纪念日放假办法》 as amended in 2024 (国务院令第795号), 第二条:
元旦 1 day (1 January); 春节 4 days (除夕 to 正月初三); 清明节 1 day (the
solar term); 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day
(八月十五); 国庆节 3 days (1–3 October). 第六条: a holiday that falls on a
Saturday or Sunday is made up (补假) on a working day; we take the next
weekday not already off, which is what every yearly arrangement has done.

What the law does not fix is left out on purpose: the 调休 Saturdays and
Sundays the State Council swaps in each year are never guessed, so a 暂定
year has fewer working weekend days than the real one will.

The lunar dates and 清明 come from `lunar-python` (pinned in
requirements.txt). Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar

FIRST_YEAR, LAST_YEAR = 1901, 2099  # what the lunar tables are trusted for
LAW = "《全国年节及纪念日放假办法》（2024年修订）"


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> list[tuple[str, list[dt.date]]]:
    """Each statutory holiday of the year with its days (weekends included)."""
    new_year = _lunar(year, 1, 1)
    eve = new_year - dt.timedelta(days=1)
    return [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", [eve + dt.timedelta(days=i) for i in range(4)]),
        ("清明节", [_qingming(year)]),
        ("劳动节", [dt.date(year, 5, 1), dt.date(year, 5, 2)]),
        ("端午节", [_lunar(year, 5, 5)]),
        ("中秋节", [_lunar(year, 8, 15)]),
        ("国庆节", [dt.date(year, 10, d) for d in (1, 2, 3)]),
    ]


@lru_cache(maxsize=64)
def days_off(year: int) -> dict[dt.date, str]:
    """Weekdays off in `year` by the law, with the holiday's name; a made-up
    day (补假) is named after its holiday."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{year} 年超出可计算的范围（{FIRST_YEAR}–{LAST_YEAR}）")
    off: dict[dt.date, str] = {}
    owed: list[tuple[dt.date, str]] = []
    listed = festivals(year)
    festive = {day for _name, days in listed for day in days}
    for name, days in listed:
        for day in days:
            if day.weekday() >= 5:
                owed.append((day, name))
            else:
                off[day] = name
    for day, name in owed:
        make_up = day
        while make_up.weekday() >= 5 or make_up in off or make_up in festive:
            make_up += dt.timedelta(days=1)
        if make_up.year == year:
            off[make_up] = f"{name}（补假）"
    return off


AMENDED = 2025  # the year the 2024 amendment first applies to


def missing(year: int, days_off) -> list[str]:
    """The law's holidays an entered arrangement (`days_off`: its weekdays
    off) leaves out: a weekday the law gives that is not off, or, for a
    holiday that falls wholly on a weekend, no day off near it (its 补假).
    Years before the amendment are not judged: their holidays differed."""
    if year < AMENDED:
        return []
    days_off = set(days_off)
    found = []
    for name, days in festivals(year):
        weekdays = [day for day in days if day.weekday() < 5]
        if weekdays:
            if any(day not in days_off for day in weekdays):
                found.append(name)
        elif not any(days[0] - dt.timedelta(days=3) <= day <= days[-1] + dt.timedelta(days=7)
                     for day in days_off):
            found.append(name)
    return found
