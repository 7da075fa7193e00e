"""The statutory clocks and amounts of a contract (app/rules/contracts.py),
on the calendar a fresh site holds (tests/workcal.py): 2026's Spring
Festival (16–23 February off, Saturdays 14 and 28 February worked)."""
import datetime as dt
from decimal import Decimal

import pytest

from app.rules import contracts as rules
from tests.workcal import CAL

d = dt.date.fromisoformat
# Signed on Friday 13 February 2026: the 2 working days are Saturday 14
# (调休) and Tuesday 24 (after the holiday); the 7 end on Monday 2 March,
# counting Saturday 28 February (调休).
SIGNED = d("2026-02-13")


def test_the_calendar_the_cases_rely_on():
    assert CAL.is_workday(d("2026-02-14")) and CAL.is_workday(d("2026-02-28"))
    assert not CAL.is_workday(d("2026-02-16")) and not CAL.is_workday(d("2026-02-23"))


def test_deadlines_across_the_holiday_and_the_working_saturdays():
    assert rules.announce_deadline(CAL, SIGNED) == d("2026-02-24")
    assert rules.filing_deadline(CAL, SIGNED) == d("2026-03-02")
    assert rules.signing_deadline(d("2026-01-14")) == SIGNED


def test_a_30th_day_on_a_rest_day_or_holiday_moves_to_the_next_working_day():
    assert rules.signing_deadline(d("2026-01-17"), CAL) == d("2026-02-24")  # 春节
    assert rules.signing_deadline(d("2026-01-17")) == d("2026-02-16")  # no calendar: the 30th day
    assert rules.signing_deadline(d("2026-01-14"), CAL) == SIGNED  # a working day stays
    late = rules.clock_checks(CAL, d("2026-01-17"), d("2026-02-25"), d("2026-02-25"),
                              d("2026-02-25"))[0]
    assert (late.deadline, late.days_over) == (d("2026-02-24"), 1)


def clock(name, award_on, signed_on, announce_on, filed_on):
    found = rules.clock_checks(CAL, award_on, signed_on, announce_on, filed_on)
    return next(c for c in found if c.name == name)


@pytest.mark.parametrize("name,actual,over,unit", [
    ("合同签订", d("2026-02-13"), 0, "日"),
    ("合同签订", d("2026-02-14"), 1, "日"),
])
def test_signing_within_30_days_of_the_award_notice(name, actual, over, unit):
    found = clock(name, d("2026-01-14"), actual, actual, actual)
    assert found.deadline == d("2026-02-13")
    assert (found.days_over, found.unit, found.late) == (over, unit, over > 0)
    said = str(found)
    assert "《政府采购法》第四十六条" in said and "87号令第七十一条" in said
    assert "2026-01-14" in said and "2026-02-13" in said
    if over:
        assert "已逾期 1 日" in said and "逾期原因" in said
    else:
        assert "未逾期" in said


@pytest.mark.parametrize("actual,over,unit", [
    (d("2026-02-24"), 0, "个工作日"),   # the deadline itself, after the holiday
    (d("2026-02-25"), 1, "个工作日"),
    (d("2026-02-21"), 0, "个工作日"),   # a holiday before the deadline: in time
])
def test_announcement_within_2_working_days(actual, over, unit):
    found = clock("合同公告", None, SIGNED, actual, actual)
    assert found.deadline == d("2026-02-24")
    assert (found.days_over, found.unit) == (over, unit)
    assert "《政府采购法实施条例》第五十条" in str(found)
    if over:
        assert "已逾期 1 个工作日" in str(found) and "第六十七条第七项" in str(found)


@pytest.mark.parametrize("actual,over,unit", [
    (d("2026-02-28"), 0, "个工作日"),   # the 调休 Saturday is the 6th working day
    (d("2026-03-02"), 0, "个工作日"),   # the deadline
    (d("2026-03-03"), 1, "个工作日"),
])
def test_filing_within_7_working_days(actual, over, unit):
    found = clock("合同备案", None, SIGNED, SIGNED, actual)
    assert found.deadline == d("2026-03-02")
    assert (found.days_over, found.unit) == (over, unit)
    assert "《政府采购法》第四十七条" in str(found)


def test_a_deadline_missed_only_over_a_weekend_counts_calendar_days():
    # Announce deadline Friday 2026-03-06 (signed Wednesday 4 March); done Saturday 7.
    found = clock("合同公告", None, d("2026-03-04"), d("2026-03-07"), d("2026-03-07"))
    assert found.deadline == d("2026-03-06")
    assert (found.days_over, found.unit) == (1, "日")


def test_a_supplement_has_no_signing_clock():
    names = [c.name for c in rules.clock_checks(CAL, None, SIGNED, SIGNED, SIGNED)]
    assert names == ["合同公告", "合同备案"]


def test_late_needs_a_reason():
    late = rules.clock_checks(CAL, d("2026-01-01"), SIGNED, d("2026-02-25"), d("2026-03-03"))
    assert [c.name for c in late if c.late] == ["合同签订", "合同公告", "合同备案"]
    problem = rules.late_problem(late, "  ")
    assert problem.startswith("以下期限已逾期，请填写逾期原因")
    assert "2026-02-02" in problem  # the signing deadline named: Saturday 31 January moved on
    assert rules.late_problem(late, "供应商法定代表人出国，延迟签字") is None
    in_time = rules.clock_checks(CAL, d("2026-01-14"), SIGNED, SIGNED, SIGNED)
    assert rules.late_problem(in_time, "") is None


def test_a_date_the_calendar_cannot_count_is_said_not_raised():
    found = rules.clock_checks(CAL, None, d("2099-12-30"), d("2099-12-31"), d("2099-12-31"))
    assert all(c.error for c in found)
    assert "超出工作日历可计算的年份" in rules.late_problem(found, "原因")


A = Decimal("880000.00")


@pytest.mark.parametrize("amount,lots,note,expected", [
    # equal to the award: nothing to say
    (A, [("L1", A, 0, A)], "", []),
    # one fen above the award
    (A + Decimal("0.01"), [("L1", A, 0, A + Decimal("0.01"))], "",
     ["超过中标（成交）金额 880,000.00 元", "超出 0.01 元"]),
    # above what remains after an earlier contract
    (Decimal("500000"), [("L1", A, Decimal("400000"), Decimal("500000"))], "",
     ["剩余 480,000.00 元", "超出 20,000.00 元"]),
    # partial without a note / with one
    (Decimal("800000"), [("L1", A, 0, Decimal("800000"))], "",
     ["低于剩余中标（成交）金额 880,000.00 元", "金额差异说明"]),
    (Decimal("800000"), [("L1", A, 0, Decimal("800000"))], "分两期签订", []),
    # the amount is the sum of the parts
    (Decimal("1000000"), [("L1", A, 0, A)], "", ["与关联标段本合同金额合计 880,000.00 元 不一致"]),
])
def test_amounts(amount, lots, note, expected):
    found = " ".join(rules.amount_problems(amount, lots, note))
    if not expected:
        assert found == ""
    for words in expected:
        assert words in found


@pytest.mark.parametrize("earlier,amount,refused", [
    ("0", "88000.00", False),            # exactly 10%
    ("0", "88000.01", True),             # one fen over
    ("50000.00", "38000.00", False),     # together exactly 10%
    ("50000.00", "38000.01", True),
])
def test_supplements_at_most_10_percent(earlier, amount, refused):
    problem = rules.supplement_problem(A, Decimal(earlier), Decimal(amount))
    assert (problem is not None) is refused
    if refused:
        assert "《政府采购法》第四十九条" in problem
        assert "88,000.00 元" in problem and "超出 0.01 元" in problem
