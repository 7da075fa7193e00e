"""Working days on the Chinese calendar (app/rules/workdays.py): holidays,
调休 Saturdays from the seeded years, and 暂定 years judged by the law's
holidays (app/rules/statutory_holidays.py) until they are entered."""
from datetime import date, datetime, timedelta

import pytest

from app.rules import calendar_seed, statutory_holidays, workdays
from app.rules.workdays import Calendar
from tests.workcal import CAL, add_workdays, is_workday, workdays_between


def test_national_day_2026_is_off_and_the_tiaoxiu_saturday_is_on():
    # 2026: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
    for day in range(1, 8):
        assert not is_workday(date(2026, 10, day))
    assert is_workday(date(2026, 9, 20))   # Sunday, 调休
    assert is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert is_workday(date(2026, 10, 9))   # Friday


def test_add_workdays_across_national_day():
    # Wednesday 30 September 2026 + 1 working day: the holiday is skipped.
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8 (Thu), 9 (Fri), 10 (Sat, 调休), 12, 13, 14, 15 → the 7th is 15 October.
    assert add_workdays(date(2026, 9, 30), 7) == date(2026, 10, 15)
    # Without the 调休 Saturday it would have been the 16th.
    assert add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_add_workdays_backwards_and_zero():
    assert add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert add_workdays(date(2026, 10, 10), 0) == date(2026, 10, 10)
    assert add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)  # not moved


def test_datetimes_are_taken_as_their_date():
    assert add_workdays(datetime(2026, 9, 30, 17, 30), 1) == date(2026, 10, 8)
    assert is_workday(datetime(2026, 10, 10, 9, 0))


def test_workdays_between_counts_after_the_first_day_up_to_the_last():
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert workdays_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert workdays_between(date(2026, 10, 15), date(2026, 9, 30)) == -7
    assert workdays_between(date(2026, 10, 15), date(2026, 10, 15)) == 0


@pytest.mark.parametrize("start", [date(2026, 9, 25), date(2026, 10, 2), date(2026, 10, 10),
                                   date(2025, 12, 31), date(2026, 4, 2)])
@pytest.mark.parametrize("n", [0, 1, 5, 7, 20])
def test_workdays_between_undoes_add_workdays(start, n):
    assert workdays_between(start, add_workdays(start, n)) == n


def test_spring_festival_2026_with_its_tiaoxiu_saturdays():
    assert is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert not is_workday(date(2026, 2, 16))
    assert is_workday(date(2026, 2, 28))  # Saturday, 调休
    # Friday 13 February + 1 → Saturday 14th; +2 → Tuesday 24th.
    assert add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_the_seed_matches_the_package_day_by_day():
    """Every day 2004–2026 answers as chinese_calendar does: the seed loses nothing."""
    import chinese_calendar

    day = date(2004, 1, 1)
    while day.year <= calendar_seed.years()[-1]:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


def test_the_law_gives_2027_its_holidays_with_make_up_days():
    """《全国年节及纪念日放假办法》(2024): 春节 from 除夕 (Friday 2027-02-05) for 4
    days; Saturday and Sunday are made up on the next weekdays (第六条)."""
    off = statutory_holidays.days_off(2027)
    assert off[date(2027, 1, 1)] == "元旦"
    assert [d for d, name in off.items() if name.startswith("春节")] == [
        date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)]
    assert off[date(2027, 4, 5)] == "清明节"  # the solar term, Monday
    assert off[date(2027, 6, 9)] == "端午节" and off[date(2027, 9, 15)] == "中秋节"
    assert {date(2027, 10, 1), date(2027, 10, 4), date(2027, 10, 5)} <= set(off)
    assert all(day.weekday() < 5 for day in off)
    # 2026 by the law alone, to compare with the real arrangement: 清明 (Sunday
    # 5 April) made up on Monday the 6th, as the State Council did.
    assert statutory_holidays.days_off(2026)[date(2026, 4, 6)] == "清明节（补假）"


def test_a_provisional_year_counts_the_law_and_guesses_no_tiaoxiu():
    assert CAL.state(2027) == "暂定" and CAL.state(2026) == "正式"
    assert not is_workday(date(2027, 1, 1))
    assert not is_workday(date(2027, 2, 6))  # Saturday: no 调休 guessed
    # Thursday 31 December 2026 + 1 → Monday 4 January 2027 (元旦 Friday off).
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == 2


def test_a_recording_calendar_names_the_provisional_years_it_relied_on():
    inside = CAL.recording()
    inside.add_workdays(date(2026, 12, 1), 5)
    assert inside.note() is None
    across = CAL.recording()
    assert across.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 5)
    assert across.note() == "按法定节假日暂定计算，2027 年节假日安排尚未录入"
    assert CAL.consulted is None  # the shared calendar records nothing


def test_entered_days_override_the_law_and_official_years_ignore_it():
    worked = date(2027, 2, 20)  # a Saturday made a working day
    entered = Calendar(days_off=frozenset({date(2027, 2, 11), date(2027, 2, 12)}),
                       days_worked=frozenset({worked}))
    assert entered.is_workday(worked) and not entered.is_workday(date(2027, 2, 11))
    assert not entered.is_workday(date(2027, 2, 8))  # still 暂定: the law's 春节
    official = Calendar(days_off=frozenset({date(2027, 1, 1)}),
                        official_years=frozenset({2027}))
    assert official.is_workday(date(2027, 2, 8))  # only what was entered counts
    recorded = official.recording()
    recorded.add_workdays(date(2027, 1, 4), 10)
    assert recorded.note() is None


def _counted_day_by_day(cal, a, b):
    if b < a:
        return -_counted_day_by_day(cal, b, a)
    return sum(1 for i in range(1, (b - a).days + 1) if cal.is_workday(a + timedelta(days=i)))


@pytest.mark.parametrize("seed", range(6))
def test_workdays_between_agrees_with_asking_each_day(seed):
    """The count by each year's departures from Monday–Friday is what asking
    is_workday of each day gives, both ways, across official, entered and
    暂定 years, and notes the same 暂定 years."""
    import random

    rng = random.Random(seed)
    span = [date(2024, 1, 1) + timedelta(days=i) for i in range(5 * 366)]
    weekends = [day for day in span if day.weekday() >= 5]
    weekdays = [day for day in span if day.weekday() < 5]
    calendars = [CAL, Calendar(), Calendar(
        days_off=frozenset(rng.sample(weekdays, 40) + rng.sample(weekends, 5)),
        days_worked=frozenset(rng.sample(weekends, 12) + rng.sample(weekdays, 5)),
        official_years=frozenset(rng.sample(range(2024, 2029), 2)))]
    for cal in calendars:
        for _ in range(60):
            a, b = rng.choice(span), rng.choice(span)
            asked, counted = cal.recording(), cal.recording()
            assert counted.workdays_between(a, b) == _counted_day_by_day(asked, a, b), (a, b)
            assert counted.note() == asked.note(), (a, b)


def test_beyond_the_computable_years_a_clear_error():
    with pytest.raises(workdays.NotCovered) as raised:
        is_workday(date(workdays.LAST_YEAR + 1, 1, 4))
    assert "无法按工作日计算法定期限" in str(raised.value)


def test_a_count_reaching_beyond_the_computable_years_names_the_first_day_beyond():
    last = date(workdays.LAST_YEAR, 12, 20)
    with pytest.raises(workdays.NotCovered) as raised:
        workdays_between(last, date(workdays.LAST_YEAR + 1, 1, 10))
    assert raised.value.day == date(workdays.LAST_YEAR + 1, 1, 1)
    with pytest.raises(workdays.NotCovered) as raised:
        workdays_between(date(workdays.LAST_YEAR + 1, 3, 1), date(workdays.LAST_YEAR + 1, 3, 9))
    assert raised.value.day == date(workdays.LAST_YEAR + 1, 3, 2)
    with pytest.raises(workdays.NotCovered) as raised:
        workdays_between(date(workdays.FIRST_YEAR - 1, 12, 30), date(workdays.FIRST_YEAR, 1, 9))
    assert raised.value.day == date(workdays.FIRST_YEAR - 1, 12, 31)
    assert workdays_between(date(workdays.FIRST_YEAR - 1, 12, 31),
                            date(workdays.FIRST_YEAR, 1, 2)) == 1  # 31 Dec not counted, 元旦 off
    with pytest.raises(workdays.NotCovered):
        workdays_between(date(workdays.FIRST_YEAR - 1, 12, 1), date(workdays.FIRST_YEAR - 1, 12, 9))


def test_far_out_of_range_is_refused():
    with pytest.raises(ValueError):
        add_workdays(date(2026, 1, 5), 100000)
    with pytest.raises(TypeError):
        add_workdays("2026-01-05", 1)


def test_an_arrangement_missing_a_holiday_of_the_law_is_named():
    import datetime as dt

    from app.rules import statutory_holidays as law

    every = set(law.days_off(2027))
    assert law.missing(2027, every) == []
    spring = {day for day, name in law.days_off(2027).items() if name.startswith("春节")}
    assert law.missing(2027, spring) == ["元旦", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    # 劳动节 2027 is a Saturday and Sunday: any day off in the week after is its 补假.
    without_may = {day for day in every if day.month != 5}
    assert law.missing(2027, without_may) == ["劳动节"]
    assert law.missing(2027, without_may | {dt.date(2027, 5, 6)}) == []
    # A weekday the law gives that is not off: 端午 (Wednesday 9 June) worked.
    assert law.missing(2027, every - {dt.date(2027, 6, 9)}) == ["端午节"]
    assert law.missing(2024, set()) == []  # before the 2024 amendment: not judged
