"""Working days on the Chinese calendar (app/rules/workdays.py): holidays,
调休 Saturdays, and the estimate outside the years the table holds."""
from datetime import date, datetime

import pytest

from app.rules import workdays
from app.rules.workdays import add_workdays, is_workday, workdays_between


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


def test_the_package_refuses_years_it_does_not_hold():
    """Why NotCovered exists: chinese_calendar raises outside its table."""
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(workdays.LAST_YEAR + 1, 1, 4))


def test_beyond_the_covered_years_a_clear_error_names_the_date_and_years():
    later = date(workdays.LAST_YEAR + 1, 1, 4)
    assert not workdays.covers(later) and workdays.covers(date(2026, 3, 1))
    with pytest.raises(workdays.NotCovered) as raised:
        is_workday(later)
    message = str(raised.value)
    assert str(later) in message
    assert f"{workdays.FIRST_YEAR}–{workdays.LAST_YEAR}" in message
    assert "升级 chinese-calendar" in message
    with pytest.raises(workdays.NotCovered):
        is_workday(date(workdays.FIRST_YEAR - 1, 6, 1))
    # Across the end of the table: Thursday 31 December 2026 + 1 needs 2027.
    with pytest.raises(workdays.NotCovered):
        add_workdays(date(workdays.LAST_YEAR, 12, 31), 1)
    assert add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)


def test_far_out_of_range_is_refused():
    with pytest.raises(ValueError):
        add_workdays(date(2026, 1, 5), 100000)
    with pytest.raises(TypeError):
        add_workdays("2026-01-05", 1)
