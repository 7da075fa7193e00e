"""预警 (app/rules/flags.py): every flag at its threshold (quiet) and one
day / working day / fen past it (raised), on the calendar a fresh site holds
(tests/workcal.py): 2026's Spring Festival, 16–23 February off, Saturdays
14 and 28 February worked. And no flag for what happened before its basis
took effect."""
import datetime as dt
from decimal import Decimal

import pytest

from app.rules import committee, contracts, deadlines
from app.rules import flags as rules
from tests.workcal import CAL

d = dt.date.fromisoformat
# Friday 13 February 2026, before the holiday: 2 working days end on Tuesday
# 24 (counting Saturday 14), 7 on Monday 2 March (counting Saturday 28).
FRI = d("2026-02-13")


def test_the_calendar_the_cases_rely_on():
    assert CAL.is_workday(d("2026-02-14")) and CAL.is_workday(d("2026-02-28"))
    assert not any(CAL.is_workday(d(f"2026-02-{day}")) for day in range(16, 24))


def test_the_flags_are_those_of_the_table():
    assert [f.id for f in rules.FLAGS] == [f"YJ{i:02d}" for i in range(1, 15)]
    assert [f.name for f in rules.FLAGS] == [
        "等标期不足", "招标文件提供期限不足", "结果公告逾期", "合同签订逾期", "合同公告逾期",
        "合同备案逾期", "合同金额与中标金额不一致", "补充合同超过10%", "中标金额超过预算",
        "多次变更公告", "开标不足三家", "采购人代表任评审组长", "自行选定专家或多次补抽",
        "中标结果变更"]
    assert rules.by_id("YJ03").basis == "《政府采购法实施条例》第四十三条"
    assert rules.by_id("YJ99") is None
    # The articles are the forms' own, not restated.
    assert rules.by_id("YJ04").basis == contracts.SIGNING_RULE
    assert rules.by_id("YJ05").basis == contracts.ANNOUNCE_RULE
    assert rules.by_id("YJ06").basis == contracts.FILING_RULE
    assert rules.by_id("YJ08").basis == contracts.SUPPLEMENT_RULE
    assert rules.by_id("YJ12").basis == committee.ART_CHAIR
    assert all(f.effective_from <= d("2017-10-01") for f in rules.FLAGS)


@pytest.mark.parametrize("method,start,deadline,raised,said", [
    ("公开招标", "2026-02-02", "2026-02-22", False, ""),       # 20 days
    ("公开招标", "2026-02-02", "2026-02-21", True, "19 日"),
    ("竞争性磋商", "2026-02-02", "2026-02-12", False, ""),     # 10 days
    ("竞争性磋商", "2026-02-02", "2026-02-11", True, "9 日"),
    ("竞争性谈判", "2026-02-13", "2026-02-25", False, ""),     # 3 working days: 14, 24, 25
    ("竞争性谈判", "2026-02-13", "2026-02-24", True, "2 个工作日"),
    ("单一来源", "2026-02-13", "2026-02-14", False, ""),       # no statutory period
    ("公开招标", "2002-12-01", "2002-12-05", False, ""),       # before 《政府采购法》
])
def test_yj01_bid_period(method, start, deadline, raised, said):
    found = rules.bid_period(CAL, method, dt.datetime.combine(d(start), dt.time(9)),
                             dt.datetime.combine(d(deadline), dt.time(9, 30)))
    assert (found is not None) == raised
    if raised:
        assert said in found and deadlines.BID_PERIOD_RULE[method] in found
        assert found.endswith("（提示）")


@pytest.mark.parametrize("method,start,end,raised", [
    ("公开招标", "2026-02-13", "2026-02-26", False),  # 13, 14, 24, 25, 26: five, the first counted
    ("公开招标", "2026-02-13", "2026-02-25", True),
    ("竞争性磋商", "2026-02-13", "2026-02-25", True),
    ("询价", "2026-02-13", "2026-02-14", False),     # not timed by 87号令第十八条
    ("公开招标", "2017-09-29", "2017-09-30", False),  # before 87号令 took effect
    ("公开招标", "2017-10-09", "2017-10-10", True),
])
def test_yj02_documents_obtainable(method, start, end, raised):
    found = rules.docs_period(CAL, method, d(start), d(end))
    assert (found is not None) == raised
    if raised:
        assert "4 个工作日" in found or "2 个工作日" in found
        article = "竞争性磋商暂行办法第十条" if method == "竞争性磋商" else "87号令第十八条"
        assert article in found and "5个工作日" in found
        assert (method == "竞争性磋商") != ("87号令" in found)


@pytest.mark.parametrize("published,said", [
    ("2026-02-21", None),   # in the holiday, before the deadline
    ("2026-02-24", None),   # the 2nd working day
    ("2026-02-25", "第3个工作日"),
])
def test_yj03_result_notice(published, said):
    found = rules.result_notice(CAL, FRI, d(published))
    if said is None:
        assert found is None
    else:
        assert said in found and "《政府采购法实施条例》第四十三条" in found
        assert "2个工作日" in found and "2026-02-24" in found and "逾期 1 个工作日" in found


def test_yj03_on_a_day_off_after_the_deadline_counts_days():
    # Confirmed Wednesday 4 March: due Friday 6; published Saturday 7.
    found = rules.result_notice(CAL, d("2026-03-04"), d("2026-03-07"))
    assert "第3日" in found and "逾期 1 日" in found


def test_yj03_not_before_the_regulation():
    assert rules.result_notice(CAL, d("2015-02-25"), d("2015-02-28")) is None
    assert rules.result_notice(CAL, d("2015-02-25"), d("2015-03-02")) is not None


@pytest.mark.parametrize("signed,today,said", [
    ("2026-02-13", None, None),            # the 30th day
    ("2026-02-14", None, "逾期 1 日"),
    (None, "2026-02-13", None),
    (None, "2026-02-14", "尚无已备案的合同"),
])
def test_yj04_signing_within_30_days(signed, today, said):
    found = rules.signing(CAL, d("2026-01-14"), signed and d(signed), today and d(today))
    if said is None:
        assert found is None
    else:
        assert said in found and "《政府采购法》第四十六条" in found and "30日" in found


@pytest.mark.parametrize("signed,said", [
    ("2026-02-24", None),          # the 30th day (16 February) falls in the Spring Festival
    ("2026-02-25", "逾期 1 日"),
])
def test_yj04_a_30th_day_on_a_holiday_moves_to_the_next_working_day(signed, said):
    assert not CAL.is_workday(d("2026-02-16")) and not CAL.is_workday(d("2026-02-23"))
    found = rules.signing(CAL, d("2026-01-17"), d(signed), None)
    if said is None:
        assert found is None
    else:
        assert said in found and "截至 2026-02-24" in found and "《民法典》第二百零三条" in found


def test_yj04_not_before_the_law():
    assert rules.signing(CAL, d("2002-11-01"), d("2003-02-01"), None) is None
    assert rules.signing(CAL, d("2003-03-01"), d("2003-04-01"), None) is not None  # due Mon 31 March


@pytest.mark.parametrize("check,need,due", [
    (rules.announcement, 2, "2026-02-24"),
    (rules.filing, 7, "2026-03-02"),
])
def test_yj05_yj06_clocks_after_signing(check, need, due):
    due = d(due)
    assert check(CAL, FRI, due) is None
    late = check(CAL, FRI, due + dt.timedelta(days=1))
    assert f"{need}个工作日" in late and "逾期 1 个工作日" in late and str(due) in late
    # Not done yet: judged on today.
    assert check(CAL, FRI, None, due) is None
    assert "至今" in check(CAL, FRI, None, due + dt.timedelta(days=1))
    assert check(CAL, FRI, None, None) is None


def test_yj05_basis_and_a_holiday_inside_the_period():
    assert rules.announcement(CAL, FRI, d("2026-02-21")) is None
    late = rules.announcement(CAL, d("2026-03-04"), d("2026-03-07"))  # Saturday after Friday 6
    assert "逾期 1 日" in late and contracts.ANNOUNCE_RULE in late
    assert rules.announcement(CAL, d("2015-02-27"), d("2015-03-20")) is None  # signed before


@pytest.mark.parametrize("contracted,said", [
    ("880000.00", None), ("879999.99", "低于"), ("880000.01", "高于"),
])
def test_yj07_contract_amount_to_the_fen(contracted, said):
    found = rules.contract_amount("L1", Decimal("880000.00"), Decimal(contracted), d("2026-03-01"))
    if said is None:
        assert found is None
    else:
        assert said in found and "相差 0.01 元" in found and "87号令第七十一条" in found
    assert rules.contract_amount("L1", "880000.00", "1.00", d("2017-09-30")) is None


@pytest.mark.parametrize("total,raised", [("100000.00", False), ("100000.01", True)])
def test_yj08_supplements_above_ten_percent(total, raised):
    found = rules.supplements(Decimal("1000000.00"), Decimal(total))
    assert (found is not None) == raised
    if raised:
        assert "0.01 元" in found and contracts.SUPPLEMENT_RULE in found


@pytest.mark.parametrize("award,max_price,said", [
    ("900000.00", None, None), ("900000.01", None, "预算金额"),
    ("850000.00", "850000.00", None), ("850000.01", "850000.00", "最高限价"),
])
def test_yj09_award_above_the_ceiling(award, max_price, said):
    found = rules.award_over_budget("L1", Decimal(award), Decimal("900000.00"), max_price)
    if said is None:
        assert found is None
    else:
        assert said in found and "超出 0.01 元" in found and "87号令第六十三条" in found
    assert rules.award_over_budget("L1", "2", "1", None, d("2017-09-30")) is None


def test_yj10_three_change_notices():
    assert rules.change_notices(2) is None
    assert "3 次" in rules.change_notices(3) and "87号令第二十七条" in rules.change_notices(3)
    assert rules.change_notices(5, d("2017-09-30")) is None


def test_yj11_fewer_than_three_bids_in_an_open_tender():
    assert rules.opening_bids("公开招标", "L1", 3) is None
    assert "2 家" in rules.opening_bids("公开招标", "L1", 2)
    assert rules.opening_bids("竞争性磋商", "L1", 2) is None
    assert rules.opening_bids("公开招标", "L1", 2, d("2017-09-30")) is None


def test_yj12_the_purchasers_representative_as_chair():
    members = [{"name": "王代表", "source": "采购人代表", "is_chair": True},
               {"name": "李专家", "source": "抽取专家", "is_chair": False}]
    assert "王代表" in rules.chair(members) and committee.ART_CHAIR in rules.chair(members)
    members[0]["is_chair"], members[1]["is_chair"] = False, True
    assert rules.chair(members) is None
    members[0]["is_chair"] = True
    assert rules.chair(members, d("2012-06-10")) is None
    assert rules.chair(members, d("2012-06-11")) is not None


def test_yj13_more_than_one_supplementary_draw_or_self_selected_experts():
    assert rules.experts("SQ-1", 1) is None
    assert "补抽 2 次" in rules.experts("SQ-1", 2)
    assert "自行选定" in rules.experts("SQ-1", 0, self_selected=1)
    assert rules.experts("SQ-1", 3, on=d("2017-09-30")) is None


def test_yj14_a_winner_change():
    found = rules.winner_change("BG-1", "甲公司", "乙公司", d("2026-02-13"))
    assert "甲公司 → 乙公司" in found and "第五十二条" in found
    assert rules.winner_change("BG-1", "甲", "乙", d("2002-12-31")) is None
