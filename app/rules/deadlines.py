"""Statutory periods of a procurement's notices, checked on dates.

Each check returns None when the dates are lawful, else a message that names
the rule, the dates, the days missing and the earliest lawful date. Days
are counted as 《民法典》第二百零一条 says: the starting day is not counted
(the documents' first day of issue is, by 87号令第十八条's wording).

- 《政府采购货物和服务招标投标管理办法》(财政部令第87号):
  第十八条 documents obtainable ≥ 5 working days; 第二十条/第二十七条
  招标 ≥ 20 days from the documents' first day of issue to the bid deadline,
  and a clarification that affects bid preparation ≥ 15 days before the
  deadline, else the deadline is postponed (顺延); 第三十九条 the opening at
  the bid deadline.
- 《政府采购竞争性磋商采购方式管理暂行办法》: 磋商 ≥ 10 days (第十条), a
  change ≥ 5 days before the deadline.
- 《政府采购非招标采购方式管理办法》: 谈判/询价 ≥ 3 working days (第二十九条,
  第四十五条), a change ≥ 3 working days before the deadline.
- 《政府采购法实施条例》第四十三条: 结果公告 within 2 working days of the
  result being confirmed.

Working days come from the `Calendar` the caller hands in
(app/rules/workdays.py): the one administrators maintain in 【节假日维护】.
A 暂定 year is judged by the law's holidays; the caller asks a recording()
calendar whether that happened and says so next to the verdict.

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .workdays import Calendar, NotCovered

TENDER = ("公开招标", "邀请招标")
NEGOTIATION = ("竞争性谈判", "询价")
# Minimum period from the documents' first day of issue to the deadline:
# (amount, unit) where unit is "日" (calendar days) or "个工作日".
BID_PERIOD = {"公开招标": (20, "日"), "邀请招标": (20, "日"), "竞争性磋商": (10, "日"),
              "竞争性谈判": (3, "个工作日"), "询价": (3, "个工作日")}
# How long before the deadline a change that affects preparation may come.
CHANGE_NOTICE = {"公开招标": (15, "日"), "邀请招标": (15, "日"), "竞争性磋商": (5, "日"),
                 "竞争性谈判": (3, "个工作日"), "询价": (3, "个工作日")}
BID_PERIOD_RULE = {"公开招标": "《政府采购法》第三十五条", "邀请招标": "《政府采购法》第三十五条",
                   "竞争性磋商": "竞争性磋商暂行办法第十条",
                   "竞争性谈判": "非招标采购方式管理办法第二十九条",
                   "询价": "非招标采购方式管理办法第四十五条"}
CHANGE_RULE = {"公开招标": "87号令第二十七条", "邀请招标": "87号令第二十七条",
               "竞争性磋商": "竞争性磋商暂行办法第十条",
               "竞争性谈判": "非招标采购方式管理办法第二十九条",
               "询价": "非招标采购方式管理办法第四十五条"}
DOCS_OBTAINABLE = 5  # working days, 87号令第十八条
RESULT_NOTICE = 2  # working days, 实施条例第四十三条


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _add(cal: Calendar, day: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "日":
        return day + dt.timedelta(days=amount)
    return cal.add_workdays(day, amount)


def _between(cal: Calendar, a: dt.date, b: dt.date, unit: str) -> int:
    return (b - a).days if unit == "日" else cal.workdays_between(a, b)


def bid_period_error(cal: Calendar, method: str, start, deadline) -> str | None:
    """From the documents' first day of issue to the bid deadline."""
    if method not in BID_PERIOD:
        return None
    need, unit = BID_PERIOD[method]
    start, deadline = _date(start), _date(deadline)
    try:
        # The earliest lawful date first: counting stops there, so a late
        # deadline in a year the calendar does not hold is still judged.
        earliest = _add(cal, start, need, unit)
        if deadline >= earliest:
            return None
        have = _between(cal, start, deadline, unit)
    except NotCovered as exc:
        return str(exc)
    return (f"自文件开始发出之日（{start}）至投标截止（{deadline}）仅 {have} {unit}，"
            f"{method}不得少于{need}{unit}（{BID_PERIOD_RULE[method]}），还差 {need - have} {unit}，"
            f"投标截止最早为 {earliest}")


# Who sets the documents' 5 working days: 87号令 for 招标; the 磋商 rules for 磋商.
DOCS_RULE = {"公开招标": "87号令第十八条", "邀请招标": "87号令第十八条",
             "竞争性磋商": "竞争性磋商暂行办法第十条"}


def docs_period_error(cal: Calendar, start, end, method: str = "公开招标") -> str | None:
    """Documents obtainable for at least 5 working days, the first day counted."""
    start, end = _date(start), _date(end)
    try:
        earliest = cal.add_workdays(start - dt.timedelta(days=1), DOCS_OBTAINABLE)
        if end >= earliest:
            return None
        have = cal.workdays_between(start - dt.timedelta(days=1), end)
    except NotCovered as exc:
        return str(exc)
    return (f"采购文件获取期限（{start} 至 {end}）仅 {have} 个工作日，不得少于"
            f"{DOCS_OBTAINABLE}个工作日（{DOCS_RULE.get(method, DOCS_RULE['公开招标'])}），还差 {DOCS_OBTAINABLE - have} "
            f"个工作日，获取截止最早为 {earliest}")


def order_errors(doc_start, doc_end, bid_deadline, open_time) -> dict[str, str]:
    """The order of the four times alone, by field; blank times are not
    checked. What any method requires, without a calendar: the sync inbox
    holds a peer's times to it (app/sync/messages)."""
    found = {}
    if doc_start and doc_end and doc_end <= doc_start:
        found["doc_end"] = "文件获取截止时间应晚于文件获取开始时间"
    if doc_end and bid_deadline and doc_end > bid_deadline:
        found["doc_end"] = "文件获取截止时间不能晚于投标截止时间"
    if doc_start and bid_deadline and bid_deadline <= doc_start:
        found["bid_deadline"] = "投标截止时间应晚于文件获取开始时间"
    if bid_deadline and open_time and open_time < bid_deadline:
        found["open_time"] = "开标时间不能早于投标截止时间"
    return found


def times_errors(cal: Calendar, method: str, doc_start, doc_end, bid_deadline, open_time) -> dict[str, str]:
    """The order of a notice's (or a lot's) times and the statutory periods
    between them, by field: doc_start, doc_end, bid_deadline, open_time.
    Blank times are not checked here."""
    found = order_errors(doc_start, doc_end, bid_deadline, open_time)
    if (bid_deadline and open_time and "open_time" not in found
            and method in TENDER and open_time != bid_deadline):
        found["open_time"] = ("开标应当在投标截止时间的同一时间进行"
                              "（87号令第三十九条）")
    if ("bid_deadline" not in found and doc_start and bid_deadline
            and (message := bid_period_error(cal, method, doc_start, bid_deadline))):
        found["bid_deadline"] = message
    if ("doc_end" not in found and doc_start and doc_end and method in (*TENDER, "竞争性磋商")
            and (message := docs_period_error(cal, doc_start, doc_end, method))):
        found["doc_end"] = message
    return found


@dataclass(frozen=True)
class ChangeCheck:
    """A 变更公告 that affects bid preparation, published on `on`: `error`
    is None when lawful; `earliest` is the earliest lawful deadline (顺延)."""

    error: str | None
    earliest: dt.datetime | None = None


def change_check(cal: Calendar, method: str, on: dt.date, deadline: dt.datetime,
                 new_deadline: dt.datetime | None) -> ChangeCheck:
    """A change affecting preparation, published on `on`, to a procurement
    whose bid deadline is `deadline`; `new_deadline` when it postpones."""
    if method not in CHANGE_NOTICE:
        return ChangeCheck(None)
    need, unit = CHANGE_NOTICE[method]
    effective = new_deadline or deadline
    try:
        earliest = dt.datetime.combine(_add(cal, on, need, unit), effective.time())
        if effective.date() >= earliest.date():
            return ChangeCheck(None)
        have = _between(cal, on, effective.date(), unit)
    except NotCovered as exc:
        return ChangeCheck(str(exc))
    what = "变更后的投标截止时间" if new_deadline else "投标截止时间"
    return ChangeCheck(
        f"变更内容影响投标文件编制的，应在投标截止时间至少 {need} {unit}前发布"
        f"（{method}，{CHANGE_RULE[method]}）：变更公告发布于 {on}，{what}为 "
        f"{effective:%Y-%m-%d %H:%M}，仅相隔 {have} {unit}，还差 {need - have} {unit}。"
        f"请顺延投标截止时间，最早为 {earliest:%Y-%m-%d %H:%M}", earliest)


def postponed(cal: Calendar, method: str, earliest: dt.datetime, doc_start) -> dt.datetime:
    """顺延's proposal for a 变更公告 whose deadline comes too soon: no earlier
    than `earliest` (change_check's), nor than the bid period from the
    documents' first day allows (bid_period_error), on a working day (the
    centre opens bids on working days): the first time every check passes.
    Raises NotCovered past the calendar."""
    day = earliest.date()
    if doc_start is not None and method in BID_PERIOD:
        need, unit = BID_PERIOD[method]
        day = max(day, _add(cal, _date(doc_start), need, unit))
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, earliest.time())


def result_late_warning(cal: Calendar, confirmed_on: dt.date, published_on: dt.date) -> str | None:
    """结果公告 later than 2 working days after the result was confirmed."""
    try:
        # Fewer working days than allowed up to today: in time, and nothing
        # past today need be known.
        if cal.workdays_between(confirmed_on, published_on) < RESULT_NOTICE:
            return None
        due = cal.add_workdays(confirmed_on, RESULT_NOTICE)
    except NotCovered as exc:
        return str(exc)
    if published_on <= due:
        return None
    late = cal.workdays_between(due, published_on)
    late = f"{late} 个工作日" if late else f"{(published_on - due).days} 日"
    return (f"结果公告应在采购结果确定之日（{confirmed_on}）起 {RESULT_NOTICE} 个工作日内发布"
            f"（《政府采购法实施条例》第四十三条），截至 {due}；{published_on} 发布已逾期 {late}，"
            f"请填写逾期原因")
