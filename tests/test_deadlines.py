"""Statutory periods of procurement notices (app/rules/deadlines.py), each
rule at its boundary: one day short, exactly enough, and with holidays and
调休 (weekend days made working days) in between.

The working days come from the calendar a fresh site holds: the years seeded
from the pinned `chinese-calendar` (1.11.0, 2004–2026) as 正式, and 2027
暂定 (the law's holidays, tests/workcal.py). Every date the tables rely on is
pinned first in CALENDAR, straight from `chinese_calendar.is_workday`, so that
a package upgrade that moves a holiday fails there, with the reason, rather
than somewhere in a deadline table. Across 2026 → 2027 each case is judged
twice: with 2027 暂定, and with a 2027 arrangement entered (ENTERED_2027).

The real arrangements used (from the package):
- 2025 国庆/中秋: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 worked.
- 2026 中秋: Fri 09-25..Sun 09-27 off.
- 2026 国庆: 10-01..10-07 off, Thursday 10-08 an ordinary working day;
  Sunday 09-20 and Saturday 10-10 worked.
- 2026 春节: 02-15..02-23 off; Saturdays 02-14 and 02-28 worked.

Days are counted as 民法典第二百零一条 says: the starting day is not counted,
except for the documents' obtainable period (87号令第十八条), whose first day
is counted.
"""
from datetime import date, datetime

import chinese_calendar
import pytest

from app.rules import deadlines
from app.rules.workdays import Calendar
from tests.workcal import CAL


def bid_period_error(*args, cal=CAL, **kwargs):
    return deadlines.bid_period_error(cal, *args, **kwargs)


def docs_period_error(*args, cal=CAL, **kwargs):
    return deadlines.docs_period_error(cal, *args, **kwargs)


def times_errors(*args, cal=CAL, **kwargs):
    return deadlines.times_errors(cal, *args, **kwargs)


def change_check(*args, cal=CAL, **kwargs):
    return deadlines.change_check(cal, *args, **kwargs)


def result_late_warning(*args, cal=CAL, **kwargs):
    return deadlines.result_late_warning(cal, *args, **kwargs)


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- The calendar the tables below rely on -----------------------------------

CALENDAR = [
    # (day, is a working day, why it matters below)
    ("2025-09-26", True, "Friday before 2025 National Day: first day of a documents period"),
    ("2025-09-27", False, "ordinary Saturday off in 2025"),
    ("2025-09-28", True, "2025 调休 Sunday: counted in the documents period"),
    ("2025-10-08", False, "2025 National Day runs to the 8th (Mid-Autumn joined on)"),
    ("2025-10-09", True, "first working day after 2025 National Day"),
    ("2025-10-11", True, "2025 调休 Saturday"),
    ("2026-09-20", True, "2026 调休 Sunday before National Day"),
    ("2026-09-24", True, "Thursday before 2026 Mid-Autumn"),
    ("2026-09-25", False, "2026 Mid-Autumn (Friday): not counted even as a first day"),
    ("2026-09-26", False, "2026 Mid-Autumn (Saturday)"),
    ("2026-09-27", False, "2026 Mid-Autumn (Sunday): NOT a 调休 day"),
    ("2026-09-28", True, "Monday after Mid-Autumn"),
    ("2026-09-30", True, "last working day before 2026 National Day"),
    ("2026-10-01", False, "2026 National Day"),
    ("2026-10-07", False, "last day of 2026 National Day"),
    ("2026-10-08", True, "first working day after 2026 National Day (a Thursday)"),
    ("2026-10-09", True, "Friday after 2026 National Day"),
    ("2026-10-10", True, "2026 调休 Saturday: counts as a working day"),
    ("2026-10-11", False, "ordinary Sunday after the 调休 Saturday"),
    ("2026-10-12", True, "Monday after 2026 National Day week"),
    ("2026-02-13", True, "Friday before 2026 Spring Festival"),
    ("2026-02-14", True, "2026 调休 Saturday before Spring Festival"),
    ("2026-02-15", False, "first day of 2026 Spring Festival"),
    ("2026-02-23", False, "last day of 2026 Spring Festival"),
    ("2026-02-24", True, "first working day after 2026 Spring Festival"),
    ("2026-02-28", True, "2026 调休 Saturday after Spring Festival"),
    ("2026-03-01", False, "ordinary Sunday after it"),
    ("2026-12-31", True, "last working day the calendar holds"),
]


@pytest.mark.parametrize("day, working, why", CALENDAR, ids=[row[0] for row in CALENDAR])
def test_the_calendar_the_tables_rely_on(day, working, why):
    assert chinese_calendar.is_workday(d(day)) is working, why


# --- bid_period_error: documents' first day of issue → bid deadline ------------

BID_PERIOD = [
    # (method, start, deadline, short by: None when lawful, else (had, short, earliest, unit))
    # 招标: 20 calendar days; National Day inside the period changes nothing.
    ("公开招标", "2026-09-22", "2026-10-11", (19, 1, "2026-10-12", "日")),
    ("公开招标", "2026-09-22", "2026-10-12", None),
    ("邀请招标", "2026-09-22", "2026-10-11", (19, 1, "2026-10-12", "日")),
    ("邀请招标", "2026-09-22", "2026-10-12", None),
    ("公开招标", "2026-02-10", "2026-03-01", (19, 1, "2026-03-02", "日")),
    ("公开招标", "2026-02-10", "2026-03-02", None),
    # 磋商: 10 calendar days.
    ("竞争性磋商", "2026-09-28", "2026-10-07", (9, 1, "2026-10-08", "日")),
    ("竞争性磋商", "2026-09-28", "2026-10-08", None),
    # 谈判/询价: 3 working days. From Wednesday 30 September 2026: the holiday
    # is not counted, Thursday 8th and Friday 9th are, the 调休 Saturday 10th
    # is the third.
    ("竞争性谈判", "2026-09-30", "2026-10-07", (0, 3, "2026-10-10", "个工作日")),
    ("竞争性谈判", "2026-09-30", "2026-10-09", (2, 1, "2026-10-10", "个工作日")),
    ("竞争性谈判", "2026-09-30", "2026-10-10", None),
    ("询价", "2026-09-30", "2026-10-09", (2, 1, "2026-10-10", "个工作日")),
    ("询价", "2026-09-30", "2026-10-10", None),
    # Spring Festival: from Friday 13 February the 调休 Saturday 14th is the
    # first working day, then nothing until Tuesday 24th.
    ("竞争性谈判", "2026-02-13", "2026-02-24", (2, 1, "2026-02-25", "个工作日")),
    ("竞争性谈判", "2026-02-13", "2026-02-25", None),
    ("询价", "2026-02-12", "2026-02-23", (2, 1, "2026-02-24", "个工作日")),
    ("询价", "2026-02-12", "2026-02-24", None),
    # Mid-Autumn and National Day 2026 back to back: from Thursday 24
    # September, the 25th–27th are off, the 28th–30th are the three.
    ("询价", "2026-09-24", "2026-09-29", (2, 1, "2026-09-30", "个工作日")),
    ("询价", "2026-09-24", "2026-09-30", None),
    # No statutory period.
    ("单一来源", "2026-09-30", "2026-09-30", None),
    ("框架协议采购", "2026-09-30", "2026-10-01", None),
]


@pytest.mark.parametrize("method, start, deadline, short", BID_PERIOD,
                         ids=[f"{m}-{s}-{e}" for m, s, e, _ in BID_PERIOD])
def test_bid_period(method, start, deadline, short):
    error = bid_period_error(method, d(start), d(deadline))
    if short is None:
        assert error is None
        return
    had, missing, earliest, unit = short
    assert start in error and deadline in error
    assert f"仅 {had} {unit}" in error
    assert f"还差 {missing} {unit}" in error
    assert f"最早为 {earliest}" in error
    assert method in error
    # The earliest lawful deadline is lawful.
    assert bid_period_error(method, d(start), d(earliest)) is None


def test_bid_period_takes_datetimes_by_their_date():
    # 09:00 on the first day to 09:30 twenty days later: counted by date.
    assert bid_period_error("公开招标", at("2026-09-22 09:00"), at("2026-10-12 09:30")) is None
    assert "还差 1 日" in bid_period_error("公开招标", at("2026-09-22 09:00"),
                                          at("2026-10-11 23:59"))


# --- docs_period_error: documents obtainable ≥ 5 working days, first day counted

DOCS_PERIOD = [
    # (start, end, short by: None when lawful, else (had, short, earliest))
    # Friday 26 September 2025 (counted), the 调休 Sunday 28th, 29th, 30th;
    # the holiday to 8 October not counted; Thursday 9th is the fifth.
    ("2025-09-26", "2025-10-08", (4, 1, "2025-10-09")),
    ("2025-09-26", "2025-10-09", None),
    # Tuesday 29 September 2026: 29, 30, 8, 9 and the 调休 Saturday 10th.
    ("2026-09-29", "2026-10-09", (4, 1, "2026-10-10")),
    ("2026-09-29", "2026-10-10", None),
    # Monday 28th: 28, 29, 30, 8, 9.
    ("2026-09-28", "2026-10-08", (4, 1, "2026-10-09")),
    ("2026-09-28", "2026-10-09", None),
    # Starting on Mid-Autumn Friday 25th: the first day is counted only if it
    # is a working day, so this ends as the Monday-28th row does.
    ("2026-09-25", "2026-10-08", (4, 1, "2026-10-09")),
    ("2026-09-25", "2026-10-09", None),
    # Spring Festival: 12, 13, the 调休 Saturday 14th, then 24, 25.
    ("2026-02-12", "2026-02-24", (4, 1, "2026-02-25")),
    ("2026-02-12", "2026-02-25", None),
    # An ordinary week: Monday to Thursday is one short, to Friday enough.
    ("2026-03-02", "2026-03-05", (4, 1, "2026-03-06")),
    ("2026-03-02", "2026-03-06", None),
    # A same-day period has only its first day.
    ("2026-03-02", "2026-03-02", (1, 4, "2026-03-06")),
]


@pytest.mark.parametrize("start, end, short", DOCS_PERIOD,
                         ids=[f"{s}-{e}" for s, e, _ in DOCS_PERIOD])
def test_docs_period(start, end, short):
    error = docs_period_error(d(start), d(end))
    if short is None:
        assert error is None
        return
    had, missing, earliest = short
    assert start in error and end in error
    assert f"仅 {had} 个工作日" in error
    assert f"还差 {missing} 个工作日" in error
    assert f"最早为 {earliest}" in error
    assert docs_period_error(d(start), d(earliest)) is None


@pytest.mark.parametrize("method,article", [
    ("公开招标", "87号令第十八条"), ("邀请招标", "87号令第十八条"),
    ("竞争性磋商", "竞争性磋商暂行办法第十条")])
def test_docs_period_names_the_methods_own_article(method, article):
    error = docs_period_error(d("2026-02-13"), d("2026-02-25"), method)
    assert f"（{article}）" in error
    found = deadlines.times_errors(CAL, method, at("2026-02-13 09:00"), at("2026-02-25 17:00"),
                                   None, None)
    assert f"（{article}）" in found["doc_end"]


def test_docs_period_takes_datetimes_by_their_date():
    assert docs_period_error(at("2026-09-29 09:00"), at("2026-10-10 17:00")) is None
    assert "还差 1 个工作日" in docs_period_error(at("2026-09-29 09:00"), at("2026-10-09 17:00"))


# --- times_errors: order of a lot's times, then the periods, by field -----------

# A lawful 公开招标 plan: documents 22–29 September 2026 (22, 23, 24, 28, 29:
# five working days around Mid-Autumn), bids and opening 20 days later.
LAWFUL = {"doc_start": at("2026-09-22 09:00"), "doc_end": at("2026-09-29 17:00"),
          "bid_deadline": at("2026-10-12 09:30"), "open_time": at("2026-10-12 09:30")}

TIMES = [
    # (id, method, changes to LAWFUL, {field: text the message contains})
    ("lawful", "公开招标", {}, {}),
    ("lawful-磋商-opening-later", "竞争性磋商", {"open_time": at("2026-10-12 14:00")}, {}),
    ("doc-end-not-after-start", "公开招标",
     {"doc_end": at("2026-09-22 09:00")}, {"doc_end": "应晚于文件获取开始时间"}),
    ("doc-end-after-deadline", "公开招标",
     {"doc_end": at("2026-10-12 10:00")}, {"doc_end": "不能晚于投标截止时间"}),
    ("deadline-not-after-doc-start", "公开招标",
     {"doc_end": at("2026-09-21 17:00"), "bid_deadline": at("2026-09-22 09:00"),
      "open_time": at("2026-09-22 09:00")},
     {"doc_end": "应晚于文件获取开始时间", "bid_deadline": "应晚于文件获取开始时间"}),
    ("open-before-deadline", "公开招标",
     {"open_time": at("2026-10-12 09:00")}, {"open_time": "不能早于投标截止时间"}),
    ("open-before-deadline-磋商", "竞争性磋商",
     {"open_time": at("2026-10-12 09:00")}, {"open_time": "不能早于投标截止时间"}),
    ("招标-open-after-deadline", "公开招标",
     {"open_time": at("2026-10-12 10:00")}, {"open_time": "同一时间"}),
    ("邀请招标-open-after-deadline", "邀请招标",
     {"open_time": at("2026-10-12 10:00")}, {"open_time": "87号令第三十九条"}),
    # The periods, once the order is right.
    ("bid-period-one-day-short", "公开招标",
     {"bid_deadline": at("2026-10-11 09:30"), "open_time": at("2026-10-11 09:30")},
     {"bid_deadline": "还差 1 日"}),
    ("docs-period-one-day-short", "公开招标",
     {"doc_end": at("2026-09-28 17:00")}, {"doc_end": "还差 1 个工作日"}),
    ("docs-period-磋商", "竞争性磋商",
     {"doc_end": at("2026-09-28 17:00")}, {"doc_end": "还差 1 个工作日"}),
    # 谈判/询价 have no documents-period rule here, only 3 working days to bids
    # (22 September → 28th: 23, 24 and 28; Mid-Autumn 25th–27th not counted).
    ("谈判-short-docs-not-checked", "竞争性谈判",
     {"doc_end": at("2026-09-22 17:00"), "bid_deadline": at("2026-09-28 09:30"),
      "open_time": at("2026-09-28 09:30")}, {}),
    ("谈判-bid-period-across-mid-autumn", "竞争性谈判",
     {"doc_start": at("2026-09-24 09:00"), "doc_end": at("2026-09-24 17:00"),
      "bid_deadline": at("2026-09-29 09:30"), "open_time": at("2026-09-29 09:30")},
     {"bid_deadline": "还差 1 个工作日"}),
    # An order error replaces the period message of the same field.
    ("order-before-period", "公开招标",
     {"doc_end": at("2026-10-13 17:00")}, {"doc_end": "不能晚于投标截止时间"}),
]


@pytest.mark.parametrize("method, changes, expected", [row[1:] for row in TIMES],
                         ids=[row[0] for row in TIMES])
def test_times_errors(method, changes, expected):
    found = times_errors(method, **{**LAWFUL, **changes})
    assert set(found) == set(expected), found
    for field, text in expected.items():
        assert text in found[field]


def test_times_errors_leaves_blank_times_alone():
    assert times_errors("公开招标", None, None, None, None) == {}
    assert times_errors("公开招标", LAWFUL["doc_start"], None, None, None) == {}
    # The deadline alone cannot be checked against the documents.
    assert times_errors("公开招标", None, None, at("2026-10-12 09:30"),
                        at("2026-10-12 10:00")) == {
        "open_time": "开标应当在投标截止时间的同一时间进行（87号令第三十九条）"}


# --- change_check: a change affecting preparation, before the deadline --------

CHANGE_NEED = {"公开招标": 15, "邀请招标": 15, "竞争性磋商": 5, "竞争性谈判": 3, "询价": 3}

CHANGE = [
    # (method, published on, deadline, new deadline, None when lawful else
    #  (had, short, unit, earliest))
    # 招标: 15 days before the deadline; 顺延 keeps the deadline's time of day.
    ("公开招标", "2026-10-05", "2026-10-20 09:30", None, None),
    ("公开招标", "2026-10-06", "2026-10-20 09:30", None, (14, 1, "日", "2026-10-21 09:30")),
    ("邀请招标", "2026-10-06", "2026-10-20 09:30", None, (14, 1, "日", "2026-10-21 09:30")),
    # Postponed to exactly the earliest lawful deadline: lawful.
    ("公开招标", "2026-10-06", "2026-10-20 09:30", "2026-10-21 09:30", None),
    # Postponed only to later the same day: still 14 days; the offer keeps
    # the time of day the user gave.
    ("公开招标", "2026-10-06", "2026-10-20 09:30", "2026-10-20 17:00",
     (14, 1, "日", "2026-10-21 17:00")),
    # 磋商: 5 days, the holiday counted as any day.
    ("竞争性磋商", "2026-10-03", "2026-10-08 09:00", None, None),
    ("竞争性磋商", "2026-10-04", "2026-10-08 09:00", None, (4, 1, "日", "2026-10-09 09:00")),
    # 谈判/询价: 3 working days. Deadline on the 调休 Saturday 10 October 2026:
    # published on 30 September, 8, 9 and 10 are the three (the holiday not).
    ("竞争性谈判", "2026-09-30", "2026-10-10 09:00", None, None),
    # Published during the holiday: the same three.
    ("询价", "2026-10-03", "2026-10-10 09:00", None, None),
    # Published on the 8th: 9 and 10 only; three is Monday 12th (Sunday skipped).
    ("竞争性谈判", "2026-10-08", "2026-10-10 09:00", None, (2, 1, "个工作日", "2026-10-12 09:00")),
    ("竞争性谈判", "2026-10-08", "2026-10-10 09:00", "2026-10-12 09:00", None),
    # Spring Festival: from Friday 13 February, the 调休 Saturday 14th, then 24, 25.
    ("询价", "2026-02-13", "2026-02-25 09:00", None, None),
    ("询价", "2026-02-14", "2026-02-25 09:00", None, (2, 1, "个工作日", "2026-02-26 09:00")),
    # Published on the last day of the holiday: nothing is gained by it.
    ("询价", "2026-02-23", "2026-02-25 09:00", None, (2, 1, "个工作日", "2026-02-26 09:00")),
    # No rule.
    ("单一来源", "2026-10-09", "2026-10-10 09:00", None, None),
]


@pytest.mark.parametrize("method, on, deadline, new_deadline, short", CHANGE,
                         ids=[f"{m}-{o}-{e}" + (f"-to-{n}" if n else "")
                              for m, o, e, n, _ in CHANGE])
def test_change_check(method, on, deadline, new_deadline, short):
    check = change_check(method, d(on), at(deadline), new_deadline and at(new_deadline))
    if short is None:
        assert check.error is None and check.earliest is None
        return
    had, missing, unit, earliest = short
    assert check.earliest == at(earliest)
    assert f"至少 {CHANGE_NEED[method]} {unit}前" in check.error
    assert f"发布于 {on}" in check.error
    assert (new_deadline or deadline) in check.error
    assert ("变更后的投标截止时间" in check.error) is bool(new_deadline)
    assert f"仅相隔 {had} {unit}" in check.error
    assert f"还差 {missing} {unit}" in check.error
    assert f"最早为 {earliest}" in check.error
    # 顺延 to the earliest it gives is lawful.
    assert change_check(method, d(on), at(deadline), check.earliest).error is None



# --- result_late_warning: 结果公告 within 2 working days of the result --------

RESULT = [
    # (confirmed on, published on, None when in time else working days late)
    # An ordinary week: Monday → Wednesday in time, Thursday late.
    ("2026-03-02", "2026-03-02", None),
    ("2026-03-02", "2026-03-04", None),
    ("2026-03-02", "2026-03-05", 1),
    ("2026-03-02", "2026-03-06", 2),
    # A weekend in between does not count: Thursday → Monday in time.
    ("2026-03-05", "2026-03-09", None),
    ("2026-03-05", "2026-03-10", 1),
    # National Day in between: Tuesday 29 September → 30th and 8 October.
    ("2026-09-29", "2026-10-07", None),
    ("2026-09-29", "2026-10-08", None),
    ("2026-09-29", "2026-10-09", 1),
    # The 调休 Saturday counts: from Thursday 8 October the two are the 9th
    # and the 10th, so Monday 12th is already a working day late.
    ("2026-10-08", "2026-10-10", None),
    ("2026-10-08", "2026-10-12", 1),
    # Spring Festival: from Friday 13 February, the 14th (调休) and the 24th.
    ("2026-02-13", "2026-02-20", None),
    ("2026-02-13", "2026-02-24", None),
    ("2026-02-13", "2026-02-25", 1),
    # 2025 National Day, with its 调休 Saturday 11 October.
    ("2025-09-30", "2025-10-10", None),
    ("2025-09-30", "2025-10-11", 1),
]


@pytest.mark.parametrize("confirmed, published, late", RESULT,
                         ids=[f"{c}-{p}" for c, p, _ in RESULT])
def test_result_late_warning(confirmed, published, late):
    warning = result_late_warning(d(confirmed), d(published))
    if late is None:
        assert warning is None
        return
    assert confirmed in warning and published in warning
    assert f"已逾期 {late} 个工作日" in warning
    assert "请填写逾期原因" in warning


# --- Across 2026 → 2027: 暂定, then a 2027 arrangement entered ---------------------

# A made-up 2027 arrangement for these tests (the real one is not published
# yet): 元旦 Friday 1 → Monday 4 January off, Saturday 9 January worked (调休).
ENTERED_2027 = Calendar(days_off=CAL.days_off | {date(2027, 1, 1), date(2027, 1, 4)},
                        days_worked=CAL.days_worked | {date(2027, 1, 9)},
                        official_years=CAL.official_years | {2027})
NOTE = "按法定节假日暂定计算，2027 年节假日安排尚未录入"

ACROSS = [
    # (id, check(cal) -> message or None, verdict with 2027 暂定, verdict once entered)
    # Documents from Monday 28 December: 28–31 are four working days; 暂定, Monday
    # 4 January is the fifth; entered, the 4th is off and the 5th is the fifth.
    ("docs-to-jan-4", lambda cal: docs_period_error(d("2026-12-28"), d("2027-01-04"), cal=cal),
     None, "获取截止最早为 2027-01-05"),
    ("docs-to-jan-5", lambda cal: docs_period_error(d("2026-12-28"), d("2027-01-05"), cal=cal),
     None, None),
    ("docs-to-dec-31", lambda cal: docs_period_error(d("2026-12-28"), d("2026-12-31"), cal=cal),
     "获取截止最早为 2027-01-04", "获取截止最早为 2027-01-05"),
    # 谈判 ≥ 3 working days from Thursday 31 December.
    ("谈判-to-jan-6", lambda cal: bid_period_error("竞争性谈判", d("2026-12-31"), d("2027-01-06"),
                                                 cal=cal),
     None, "投标截止最早为 2027-01-07"),
    ("谈判-to-jan-4", lambda cal: bid_period_error("竞争性谈判", d("2026-12-31"), d("2027-01-04"),
                                                 cal=cal),
     "投标截止最早为 2027-01-06", "投标截止最早为 2027-01-07"),
    # 询价 from Thursday 7 January: the 调休 Saturday counts once entered.
    ("询价-to-jan-11", lambda cal: bid_period_error("询价", d("2027-01-07"), d("2027-01-11"),
                                                  cal=cal),
     "投标截止最早为 2027-01-12", None),
    # 结果公告 within 2 working days of Thursday 31 December.
    ("result-jan-5", lambda cal: result_late_warning(d("2026-12-31"), d("2027-01-05"), cal=cal),
     None, None),
    ("result-jan-6", lambda cal: result_late_warning(d("2026-12-31"), d("2027-01-06"), cal=cal),
     "截至 2027-01-05", None),
    # A 谈判 change published Thursday 31 December: ≥ 3 working days before.
    ("change-谈判-jan-6", lambda cal: change_check("竞争性谈判", d("2026-12-31"),
                                                 at("2027-01-06 09:00"), None, cal=cal).error,
     None, "最早为 2027-01-07 09:00"),
]


@pytest.mark.parametrize("check, provisional, entered", [row[1:] for row in ACROSS],
                         ids=[row[0] for row in ACROSS])
def test_across_the_year_end_provisional_then_entered(check, provisional, entered):
    recording = CAL.recording()
    got = check(recording)
    if provisional is None:
        assert got is None
    else:
        assert got is not None and provisional in got
    # Every one of these looked at 2027: the verdict is 暂定 and says so.
    assert recording.note() == NOTE
    got = check(ENTERED_2027)
    if entered is None:
        assert got is None
    else:
        assert got is not None and entered in got
    entered_recording = ENTERED_2027.recording()
    check(entered_recording)
    assert entered_recording.note() is None


def test_a_check_inside_2026_is_not_provisional():
    recording = CAL.recording()
    assert docs_period_error(d("2026-12-01"), d("2026-12-07"), cal=recording) is None
    assert recording.note() is None


CALENDAR_DAYS_2027 = [
    ("公开招标", "2027-03-01", "2027-03-20", (19, 1, "2027-03-21")),
    ("公开招标", "2027-03-01", "2027-03-21", None),
    ("竞争性磋商", "2027-03-01", "2027-03-10", (9, 1, "2027-03-11")),
    ("竞争性磋商", "2027-03-01", "2027-03-11", None),
    ("邀请招标", "2026-12-20", "2027-01-09", None),
]


@pytest.mark.parametrize("method, start, deadline, short", CALENDAR_DAYS_2027,
                         ids=[f"{m}-{s}-{e}" for m, s, e, _ in CALENDAR_DAYS_2027])
def test_calendar_day_periods_in_a_provisional_year(method, start, deadline, short):
    error = bid_period_error(method, d(start), d(deadline))
    if short is None:
        assert error is None
        return
    had, missing, earliest = short
    assert f"仅 {had} 日" in error and f"还差 {missing} 日" in error
    assert f"最早为 {earliest}" in error


@pytest.mark.parametrize("on, deadline, new_deadline, earliest", [
    ("2027-03-01", "2027-03-16 09:30", None, None),
    ("2027-03-02", "2027-03-16 09:30", None, "2027-03-17 09:30"),
    ("2027-03-02", "2027-03-16 09:30", "2027-03-17 09:30", None),
])
def test_tender_change_in_a_provisional_year(on, deadline, new_deadline, earliest):
    check = change_check("公开招标", d(on), at(deadline), new_deadline and at(new_deadline))
    assert check.earliest == (earliest and at(earliest))
    assert (check.error is None) is (earliest is None)


def test_times_errors_in_a_provisional_year_checks_both_periods():
    # 1–5 March 2027 are five working days by the law; the 20 days are 1 short.
    found = times_errors("公开招标", at("2027-03-01 09:00"), at("2027-03-05 17:00"),
                         at("2027-03-20 09:30"), at("2027-03-20 09:30"))
    assert "还差 1 日" in found["bid_deadline"] and "doc_end" not in found
    found = times_errors("公开招标", at("2027-03-01 09:00"), at("2027-03-04 17:00"),
                         at("2027-03-21 09:30"), at("2027-03-21 09:30"))
    assert list(found) == ["doc_end"] and "获取截止最早为 2027-03-05" in found["doc_end"]


# --- Year ends and days off: lawful results are not blocked by the calendar ------

def test_result_published_in_time_is_not_blocked_by_the_next_year():
    assert result_late_warning(d("2026-12-30"), d("2026-12-31")) is None


def test_a_period_already_met_in_the_covered_years_is_lawful():
    assert bid_period_error("竞争性谈判", d("2026-12-01"), d("2027-01-10")) is None


def test_a_late_result_on_a_day_off_is_not_zero_days_late():
    warning = result_late_warning(d("2026-10-08"), d("2026-10-11"))
    assert warning is not None and "已逾期 0 个工作日" not in warning
