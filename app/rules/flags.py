"""预警 of 项目监督 (docs/supervision.md): the things a regulator should look
at, each worded as a 提示 with the figures and the article, never as a
verdict (a late 结果公告 may have a good reason; the regulator decides).

One `Flag` per rule, in `FLAGS` (YJ01–YJ14, the order of the table), and one
check per flag: plain values in, None or the 提示 out. A flag is raised one
day / one working day / one fen past its threshold, never at it, and only for
what happened on or after the day its basis took effect (`effective_from`):
a 2014 result notice is not judged by 87号令.

The periods and articles are those the forms already enforce
(app/rules/deadlines.py, contracts.py, committee.py, bid_ceiling.py); they
are imported, not restated, so a correction there reaches the 预警 too.
Days are counted as 《民法典》第二百零一条 says (the starting day not counted),
on the maintained `Calendar` the caller hands in.

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import bid_ceiling, committee, contracts, deadlines
from .workdays import Calendar, NotCovered

NOTE = "（提示）"

# The days the bases took effect.
LAW = dt.date(2003, 1, 1)  # 《政府采购法》
REGULATION = dt.date(2015, 3, 1)  # 《政府采购法实施条例》
ORDER_87 = dt.date(2017, 10, 1)  # 财政部令第87号
CIRCULAR_69 = dt.date(2012, 6, 11)  # 财库〔2012〕69号


@dataclass(frozen=True)
class Flag:
    id: str
    name: str
    basis: str
    threshold: str  # the limit, as people say it
    effective_from: dt.date

    def applies(self, day) -> bool:
        """Whether something that happened on `day` is judged by this flag."""
        if day is None:
            return True
        day = day.date() if isinstance(day, dt.datetime) else day
        return day >= self.effective_from


FLAGS = (
    Flag("YJ01", "等标期不足", "《政府采购法》第三十五条等（按采购方式）",
         "不少于采购方式规定的等标期", LAW),
    Flag("YJ02", "招标文件提供期限不足", "87号令第十八条；竞争性磋商暂行办法第十条",
         f"不少于{deadlines.DOCS_OBTAINABLE}个工作日", ORDER_87),
    Flag("YJ03", "结果公告逾期", "《政府采购法实施条例》第四十三条",
         f"{deadlines.RESULT_NOTICE}个工作日", REGULATION),
    Flag("YJ04", "合同签订逾期", contracts.SIGNING_RULE, f"{contracts.SIGNING_DAYS}日", LAW),
    Flag("YJ05", "合同公告逾期", contracts.ANNOUNCE_RULE,
         f"{contracts.ANNOUNCE_WORKDAYS}个工作日", REGULATION),
    Flag("YJ06", "合同备案逾期", contracts.FILING_RULE, f"{contracts.FILING_WORKDAYS}个工作日", LAW),
    Flag("YJ07", "合同金额与中标金额不一致", "87号令第七十一条", "相差0.01元", ORDER_87),
    Flag("YJ08", "补充合同超过10%", contracts.SUPPLEMENT_RULE,
         f"原合同金额的{contracts.SUPPLEMENT_SHARE:.0%}", LAW),
    Flag("YJ09", "中标金额超过预算", "87号令第六十三条第（四）项", "预算金额或最高限价", ORDER_87),
    Flag("YJ10", "多次变更公告", "87号令第二十七条", "3次", ORDER_87),
    Flag("YJ11", "开标不足三家", "87号令第四十三条", "3家", ORDER_87),
    Flag("YJ12", "采购人代表任评审组长", committee.ART_CHAIR, "—", CIRCULAR_69),
    Flag("YJ13", "自行选定专家或多次补抽", "87号令第四十八条", "补抽1次", ORDER_87),
    Flag("YJ14", "中标结果变更", "《政府采购法》第五十二条至第五十八条", "—", LAW),
)
_BY_ID = {flag.id: flag for flag in FLAGS}


def by_id(flag_id: str) -> Flag | None:
    return _BY_ID.get(flag_id)


def _day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


yuan = contracts.yuan


def _workdays_late(cal: Calendar, due: dt.date, actual: dt.date) -> str:
    """How late, in working days; in days when done on a day off after `due`."""
    late = cal.workdays_between(due, actual)
    return f"{late} 个工作日" if late else f"{(actual - due).days} 日"


# --- YJ01, YJ02: the periods of a 采购公告 (or a lot's trading-side times) ---------

def bid_period(cal: Calendar, method: str, doc_start, bid_deadline) -> str | None:
    """YJ01: from the documents' first day of issue to the bid deadline,
    below the method's minimum (deadlines.BID_PERIOD)."""
    start, deadline = _day(doc_start), _day(bid_deadline)
    if (method not in deadlines.BID_PERIOD or start is None or deadline is None
            or not FLAGS[0].applies(start)):
        return None
    need, unit = deadlines.BID_PERIOD[method]
    try:
        if deadline >= deadlines._add(cal, start, need, unit):
            return None
        have = deadlines._between(cal, start, deadline, unit)
    except (NotCovered, ValueError, OverflowError):  # a date near 9999 too
        return None
    return (f"自文件开始发出之日（{start}）至投标截止（{deadline}）为 {have} {unit}，"
            f"少于{method}规定的{need}{unit}（{deadlines.BID_PERIOD_RULE[method]}）{NOTE}")


def docs_period(cal: Calendar, method: str, doc_start, doc_end) -> str | None:
    """YJ02: documents obtainable for fewer than 5 working days (the first
    day counted), for the methods whose documents 87号令第十八条 or the
    磋商 rules time (as deadlines.times_errors does)."""
    start, end = _day(doc_start), _day(doc_end)
    if (method not in (*deadlines.TENDER, "竞争性磋商") or start is None or end is None
            or not FLAGS[1].applies(start)):
        return None
    try:
        have = cal.workdays_between(start - dt.timedelta(days=1), end)
    except (NotCovered, ValueError, OverflowError):  # a date near 9999 too
        return None
    if have >= deadlines.DOCS_OBTAINABLE:
        return None
    return (f"采购文件提供期限（{start} 至 {end}）为 {have} 个工作日，少于"
            f"{deadlines.DOCS_OBTAINABLE}个工作日（{deadlines.DOCS_RULE[method]}）{NOTE}")


# --- YJ03: 结果公告 ---------------------------------------------------------------

def result_notice(cal: Calendar, confirmed_on, published_on) -> str | None:
    """YJ03: published more than 2 working days after 采购结果确定日期."""
    confirmed, published = _day(confirmed_on), _day(published_on)
    if confirmed is None or published is None or not FLAGS[2].applies(published):
        return None
    try:
        due = cal.add_workdays(confirmed, deadlines.RESULT_NOTICE)
        if published <= due:
            return None
        said = _workdays_late(cal, due, published)
        nth = cal.workdays_between(confirmed, published)
    except (NotCovered, ValueError, OverflowError):  # a date near 9999 too
        return None
    # Published on a day off just after the deadline: count calendar days.
    nth = f"第{nth}个工作日" if nth > deadlines.RESULT_NOTICE else f"第{(published - confirmed).days}日"
    return (f"结果公告于采购结果确定（{confirmed}）后{nth}（{published}）发布，超过"
            f"《政府采购法实施条例》第四十三条规定的{deadlines.RESULT_NOTICE}个工作日"
            f"（截至 {due}），逾期 {said}{NOTE}")


# --- YJ04–YJ06: the clocks of a contract -------------------------------------------

def signing(cal: Calendar, award_on, signed_on, today) -> str | None:
    """YJ04: signed more than 30 days after the 中标（成交）通知书 (or the result
    notice standing for it), or no filed contract when 30 days have passed (GPS knows a contract
    from its 备案 on; the regulator sees no other). A 30th day that is a rest
    day or holiday moves to the next working day (contracts.signing_deadline)."""
    award, signed, today = _day(award_on), _day(signed_on), _day(today)
    if award is None or not FLAGS[3].applies(award):
        return None
    due = contracts.signing_deadline(award, cal)
    until = f"截至 {due}"
    if due != award + dt.timedelta(days=contracts.SIGNING_DAYS):
        until += "，第30日为休息日或法定节假日，顺延至其后第一个工作日（《民法典》第二百零三条）"
    if signed is not None:
        if signed <= due:
            return None
        return (f"合同于中标（成交）通知书发出（{award}）后第{(signed - award).days}日（{signed}）"
                f"签订，超过{contracts.SIGNING_RULE}规定的{contracts.SIGNING_DAYS}日"
                f"（{until}），逾期 {(signed - due).days} 日{NOTE}")
    if today is None or today <= due:
        return None
    return (f"中标（成交）通知书发出（{award}）已 {(today - award).days} 日，尚无已备案的合同，超过"
            f"{contracts.SIGNING_RULE}规定的{contracts.SIGNING_DAYS}日（{until}）{NOTE}")


def _after_signing(cal, flag, what, need, signed_on, done_on, today) -> str | None:
    signed, done, today = _day(signed_on), _day(done_on), _day(today)
    if signed is None or not flag.applies(signed):
        return None
    try:
        due = cal.add_workdays(signed, need)
        actual = done or today
        if actual is None or actual <= due:
            return None
        said = _workdays_late(cal, due, actual)
    except (NotCovered, ValueError, OverflowError):  # a date near 9999 too
        return None
    if done is None:
        return (f"合同于 {signed} 签订，至今（{today}）尚未{what}，超过{flag.basis}规定的"
                f"{need}个工作日（截至 {due}），已逾期 {said}{NOTE}")
    return (f"合同于 {signed} 签订，{done} {what}，超过{flag.basis}规定的{need}个工作日"
            f"（截至 {due}），逾期 {said}{NOTE}")


def announcement(cal: Calendar, signed_on, announced_on, today=None) -> str | None:
    """YJ05: 合同公告 later than 2 working days after signing (or not yet
    published when they have passed, judged on `today`)."""
    return _after_signing(cal, FLAGS[4], "发布合同公告", contracts.ANNOUNCE_WORKDAYS,
                          signed_on, announced_on, today)


def filing(cal: Calendar, signed_on, filed_on, today=None) -> str | None:
    """YJ06: 备案 later than 7 working days after signing (or not yet)."""
    return _after_signing(cal, FLAGS[5], "备案", contracts.FILING_WORKDAYS,
                          signed_on, filed_on, today)


# --- YJ07–YJ09: amounts ----------------------------------------------------------

def contract_amount(lot_code: str, award, contracted, on=None) -> str | None:
    """YJ07: the filed contracts of a lot add up to other than its award."""
    award, contracted = _amount(award), _amount(contracted)
    if award is None or contracted is None or contracted == award or not FLAGS[6].applies(on):
        return None
    more = "高于" if contracted > award else "低于"
    return (f"标段 {lot_code} 已备案合同金额 {yuan(contracted)}{more}中标（成交）金额 {yuan(award)}，"
            f"相差 {yuan(abs(contracted - award))}（87号令第七十一条：合同应按中标（成交）结果签订）"
            f"{NOTE}")


def supplements(original_amount, supplements_total, on=None) -> str | None:
    """YJ08: the supplements of a contract together above 10% of it."""
    original, total = _amount(original_amount), _amount(supplements_total)
    if original is None or total is None or not FLAGS[7].applies(on):
        return None
    limit = original * contracts.SUPPLEMENT_SHARE
    if total <= limit:
        return None
    return (f"补充合同累计金额 {yuan(total)}，超过原合同金额 {yuan(original)} 的"
            f"{contracts.SUPPLEMENT_SHARE:.0%}（{yuan(limit)}）{yuan(total - limit)}"
            f"（{contracts.SUPPLEMENT_RULE}）{NOTE}")


def award_over_budget(lot_code: str, award, budget, max_price=None, on=None) -> str | None:
    """YJ09: an award above the lot's 最高限价 or, without one, its budget
    (the ceiling bid_ceiling judges opening bids by)."""
    award = _amount(award)
    found = bid_ceiling.ceiling(budget, max_price)
    if award is None or found is None or award <= found[0] or not FLAGS[8].applies(on):
        return None
    limit, name = found
    return (f"标段 {lot_code} 中标（成交）金额 {yuan(award)} 超过{name} {yuan(limit)}，"
            f"超出 {yuan(award - limit)}（{FLAGS[8].basis}：报价超过预算金额或最高限价的投标无效）"
            f"{NOTE}")


# --- YJ10–YJ14: counts and people ----------------------------------------------

CHANGES_MAX = 2  # a third 变更公告 is the flag


def change_notices(count: int, on=None) -> str | None:
    """YJ10: three or more 变更公告 published on the project."""
    if count <= CHANGES_MAX or not FLAGS[9].applies(on):
        return None
    return f"本项目已发布变更公告 {count} 次（3次及以上），请关注采购文件是否频繁变更（87号令第二十七条）{NOTE}"


BIDS_MIN = 3


def opening_bids(method: str, lot_code: str, bids: int, on=None) -> str | None:
    """YJ11: fewer than 3 bids opened in a 公开招标 lot."""
    if method != "公开招标" or bids >= BIDS_MIN or not FLAGS[10].applies(on):
        return None
    return (f"公开招标标段 {lot_code} 开标时投标人 {bids} 家，不足{BIDS_MIN}家"
            f"（87号令第四十三条：投标截止后投标人不足3家的，不得开标）{NOTE}")


def chair(members, on=None) -> str | None:
    """YJ12: the 评审组长 is the 采购人代表 (members: dicts or objects with
    name, source, is_chair, as committee.check takes them)."""
    if not FLAGS[11].applies(on):
        return None
    names = [committee._get(m, "name") or "" for m in members or ()
             if committee._get(m, "is_chair") and committee._get(m, "source") == committee.OWNER_REP]
    if not names:
        return None
    return (f"评审组长 {'、'.join(names)} 为采购人代表，采购人代表不得担任评审组长"
            f"（{committee.ART_CHAIR}）{NOTE}")


SUPPLEMENT_DRAWS_MAX = 1


def experts(request_no: str, supplement_draws: int, self_selected: int = 0, on=None) -> str | None:
    """YJ13: experts not drawn at random (self-selected), or more than one
    补抽 on one request."""
    if not FLAGS[12].applies(on):
        return None
    said = []
    if self_selected > 0:
        said.append(f"评审委员会中 {self_selected} 名专家非随机抽取（自行选定）")
    if supplement_draws > SUPPLEMENT_DRAWS_MAX:
        said.append(f"专家抽取申请 {request_no} 已补抽 {supplement_draws} 次")
    if not said:
        return None
    return "，".join(said) + f"，请核实专家抽取是否规范（87号令第四十八条）{NOTE}"


def winner_change(filing_no: str, original_supplier: str, new_supplier: str, on=None) -> str | None:
    """YJ14: a 中标结果变更备案 on the project (from its submission on)."""
    if not FLAGS[13].applies(on):
        return None
    return (f"中标结果变更备案 {filing_no}：{original_supplier} → {new_supplier}"
            f"（《政府采购法》第五十二条至第五十八条）{NOTE}")
