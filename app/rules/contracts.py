"""合同公告及备案: the statutory clocks and the amounts of a contract.

- 《政府采购法》第四十六条, 87号令第七十一条: the contract is signed within
  30 days of the 中标（成交）通知书 being issued.
- 《政府采购法实施条例》第五十条: the contract is announced within 2 working
  days of signing.
- 《政府采购法》第四十七条: a copy is filed (备案) within 7 working days of
  signing.
- 《政府采购法》第四十九条: supplements to a contract for more of the same may
  not add up to more than 10% of the original contract's amount.

Days are counted as 《民法典》第二百零一条 says: the starting day is not
counted. A missed clock does not stop a filing (a late contract must still be
announced and filed), but it needs a 逾期原因, which goes to the regulator
with the 备案.

Pure: no Flask, no database. Working days from the `Calendar` handed in.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .text import blank
from .workdays import Calendar, NotCovered

SIGNING_DAYS = 30
ANNOUNCE_WORKDAYS = 2
FILING_WORKDAYS = 7
SUPPLEMENT_SHARE = Decimal("0.10")

SIGNING_RULE = "《政府采购法》第四十六条、87号令第七十一条"
ANNOUNCE_RULE = "《政府采购法实施条例》第五十条"
FILING_RULE = "《政府采购法》第四十七条"
SUPPLEMENT_RULE = "《政府采购法》第四十九条"


def yuan(value) -> str:
    """1,450,000.00 元, as app/rules/money.py's callers print amounts."""
    return f"{Decimal(value):,.2f} 元"


def signing_deadline(award_on: dt.date, cal: Calendar | None = None) -> dt.date:
    """30 days from the award notice. A last day that is a rest day or a
    holiday moves to the next working day (《民法典》第二百零三条); past the
    calendar's last year (or without one) the 30th day stands."""
    deadline = award_on + dt.timedelta(days=SIGNING_DAYS)
    if cal is None:
        return deadline
    moved = deadline
    try:
        while not cal.is_workday(moved):
            moved += dt.timedelta(days=1)
    except NotCovered:
        return deadline
    return moved


def announce_deadline(cal: Calendar, signed_on: dt.date) -> dt.date:
    return cal.add_workdays(signed_on, ANNOUNCE_WORKDAYS)


def filing_deadline(cal: Calendar, signed_on: dt.date) -> dt.date:
    return cal.add_workdays(signed_on, FILING_WORKDAYS)


@dataclass(frozen=True)
class Clock:
    """One statutory period: from `start` to `deadline`; `actual` is the day
    the thing was (or will be) done; `days_over` > 0 when late, counted in
    the period's own unit (`unit`)."""

    name: str
    rule: str
    start: dt.date
    deadline: dt.date | None
    actual: dt.date
    days_over: int
    consequence: str
    period: str = ""
    unit: str = "日"
    error: str | None = None  # the calendar could not count these dates

    @property
    def late(self) -> bool:
        return self.days_over > 0

    def __str__(self):
        if self.error:
            return f"{self.name}：{self.error}"
        said = (f"{self.name}应在{self.period}（{self.start}）起{self.span}内完成（{self.rule}），"
                f"截至 {self.deadline}；")
        if not self.late:
            return said + f"{self.actual} 办理，未逾期"
        return said + f"{self.actual} 办理，已逾期 {self.days_over} {self.unit}。{self.consequence}"

    @property
    def span(self) -> str:
        return {"合同签订": f"{SIGNING_DAYS}日", "合同公告": f"{ANNOUNCE_WORKDAYS}个工作日",
                "合同备案": f"{FILING_WORKDAYS}个工作日"}[self.name]


SIGNING_CONSEQUENCE = ("须填写逾期原因；逾期原因随备案报送本级财政部门，无正当理由不按期签订合同的，"
                       "由财政部门责令限期改正（《政府采购法实施条例》第六十七条）。")
ANNOUNCE_CONSEQUENCE = ("须填写逾期原因；未按照规定公告政府采购合同的，由财政部门责令限期改正、给予警告"
                        "（《政府采购法实施条例》第六十七条第七项）。")
FILING_CONSEQUENCE = ("须填写逾期原因；未按照规定时间将合同副本报财政部门备案的，由财政部门责令限期改正、"
                      "给予警告（《政府采购法实施条例》第六十七条第八项）。")


def _workday_clock(cal, name, rule, signed_on, actual, need, consequence) -> Clock:
    unit = "个工作日"
    try:
        deadline = cal.add_workdays(signed_on, need)
        over = cal.workdays_between(deadline, actual) if actual > deadline else 0
    except NotCovered as exc:
        return Clock(name, rule, signed_on, None, actual, 0, consequence,
                     "合同签订之日", unit, error=str(exc))
    except (OverflowError, ValueError):  # a date at the calendar's very end
        return Clock(name, rule, signed_on, None, actual, 0, consequence, "合同签订之日", unit,
                     error=f"日期 {actual} 超出工作日历的范围，无法计算期限")
    if actual > deadline and over == 0:
        # Done on a weekend or holiday after the deadline: late by calendar days.
        over, unit = (actual - deadline).days, "日"
    return Clock(name, rule, signed_on, deadline, actual, over, consequence,
                 "合同签订之日", unit)


def clock_checks(cal: Calendar, award_on: dt.date | None, signed_on: dt.date,
                 announce_on: dt.date, filed_on: dt.date) -> list[Clock]:
    """The three clocks of a contract; without `award_on` (a 补充合同) only
    the announcement and filing clocks apply."""
    clocks = []
    if award_on is not None and award_on.year < dt.MAXYEAR:
        deadline = signing_deadline(award_on, cal)
        over = max(0, (signed_on - deadline).days)
        clocks.append(Clock("合同签订", SIGNING_RULE, award_on, deadline, signed_on, over,
                            SIGNING_CONSEQUENCE, "中标（成交）通知书发出之日", "日"))
    clocks.append(_workday_clock(cal, "合同公告", ANNOUNCE_RULE, signed_on, announce_on,
                                 ANNOUNCE_WORKDAYS, ANNOUNCE_CONSEQUENCE))
    clocks.append(_workday_clock(cal, "合同备案", FILING_RULE, signed_on, filed_on,
                                 FILING_WORKDAYS, FILING_CONSEQUENCE))
    return clocks


def late_problem(clocks: list[Clock], late_reason: str | None) -> str | None:
    """A missed clock is allowed only with a 逾期原因."""
    errors = [str(c) for c in clocks if c.error]
    if errors:
        return "；".join(errors)
    late = [c for c in clocks if c.late]
    if not late or not blank(late_reason):
        return None
    return "以下期限已逾期，请填写逾期原因后再提交：" + "；".join(str(c) for c in late)


def amount_problems(amount: Decimal, lots, note: str | None) -> list[str]:
    """`lots`: (code, award, already contracted, this contract's part) per
    关联标段. The contract's amount is the sum of its parts; no part may take
    a lot above its award; a part below what remains of the award needs a
    金额差异说明 (the rest is contracted separately, or not at all)."""
    found = []
    total = sum((Decimal(part) for _, _, _, part in lots), Decimal(0))
    if Decimal(amount) != total:
        found.append(f"合同金额 {yuan(amount)} 与关联标段本合同金额合计 {yuan(total)} 不一致，"
                     "请核对")
    for code, award, already, part in lots:
        award, already, part = Decimal(award), Decimal(already), Decimal(part)
        remaining = award - already
        if part <= 0:
            found.append(f"标段 {code} 的本合同金额必须大于0元")
        elif part > remaining:
            found.append(
                f"标段 {code} 的本合同金额 {yuan(part)} 超过中标（成交）金额 {yuan(award)}"
                f"（已签合同 {yuan(already)}，剩余 {yuan(remaining)}），超出 {yuan(part - remaining)}；"
                f"合同应按采购文件和中标（成交）结果签订，金额不得高于中标（成交）金额（{SIGNING_RULE}）")
        elif part < remaining and blank(note):
            found.append(f"标段 {code} 的本合同金额 {yuan(part)} 低于剩余中标（成交）金额 "
                         f"{yuan(remaining)}，相差 {yuan(remaining - part)}，请填写金额差异说明")
    return found


def supplement_problem(original_amount, earlier_supplements_total, amount) -> str | None:
    """All supplements together at most 10% of the original contract."""
    original, earlier, amount = (Decimal(original_amount), Decimal(earlier_supplements_total),
                                 Decimal(amount))
    limit = original * SUPPLEMENT_SHARE
    total = earlier + amount
    if total <= limit:
        return None
    return (f"补充合同累计金额 {yuan(total)}（此前补充合同 {yuan(earlier)}，本次 {yuan(amount)}）"
            f"超过原合同金额 {yuan(original)} 的10%（{yuan(limit)}），超出 {yuan(total - limit)}；"
            f"追加采购金额不得超过原合同采购金额的10%（{SUPPLEMENT_RULE}），超出部分应另行采购")
