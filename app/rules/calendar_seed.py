"""The years `chinese-calendar` knows, as calendar rows: the seed of each
site's 【节假日维护】 data, not its source of truth (administrators enter
later years themselves; see app/holidays.py).

Only days that differ from the plain week are kept: a weekday off (休) and a
Saturday or Sunday worked (班). Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from importlib.metadata import version

from .workdays import Calendar

SOURCE = f"chinese-calendar {version('chinese-calendar')}"


def _tables():
    from chinese_calendar.constants import holidays, workdays

    return holidays, workdays


def _name(value: str) -> str:
    """The package keys its tables by the English name; people know the Chinese."""
    from chinese_calendar.constants import Holiday

    names = {h.value: h.chinese for h in Holiday}
    return names.get(value, value)


def years() -> list[int]:
    holidays, _workdays = _tables()
    return sorted({day.year for day in holidays})


def rows() -> list[tuple[dt.date, str, str]]:
    """(day, 休 or 班, holiday name) for every year the package holds."""
    holidays, workdays = _tables()
    found = [(day, "休", _name(h)) for day, h in holidays.items() if day.weekday() < 5]
    found += [(day, "班", _name(h)) for day, h in workdays.items() if day.weekday() >= 5]
    return sorted(found)


def calendar() -> Calendar:
    """The package's years as an official Calendar (tests of the rules use it)."""
    found = rows()
    return Calendar(days_off=frozenset(d for d, kind, _n in found if kind == "休"),
                    days_worked=frozenset(d for d, kind, _n in found if kind == "班"),
                    official_years=frozenset(years()))
