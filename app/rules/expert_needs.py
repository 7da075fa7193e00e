"""专家抽取申请: when the review may be, and how many experts a committee needs.

《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十七条：评标委员会由
采购人代表和评审专家组成，成员人数应当为5人以上单数，其中评审专家不得少于成员总数
的三分之二；采购预算金额在1000万元以上、技术复杂、社会影响较大的，评标委员会成员
人数应当为7人以上单数。
《政府采购非招标采购方式管理办法》（财政部令第74号）第七条 and
《政府采购竞争性磋商采购方式管理暂行办法》第十四条：谈判小组、询价小组、磋商小组由
采购人代表和评审专家共3人以上单数组成，其中评审专家人数不得少于成员总数的三分之二。

Pure: values in, message out. The applicant asks for experts only; the
采购人代表 joins the committee on the trading site, so the smallest lawful
committee (5, 7 or 3) sets the fewest experts: two thirds of it, rounded up.
"""
import datetime as dt
from decimal import Decimal, InvalidOperation

from .workdays import LAST_YEAR

TENDER = ("公开招标", "邀请招标")
NON_TENDER = ("竞争性谈判", "竞争性磋商", "询价")
LARGE_BUDGET = Decimal("10000000")  # 1000万元

BASIS_TENDER = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十七条"
BASIS_NON_TENDER = ("《政府采购非招标采购方式管理办法》（财政部令第74号）第七条、"
                    "《政府采购竞争性磋商采购方式管理暂行办法》第十四条")


def review_time_error(review_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """The 评审时间 is when the sealed list is pushed: it must lie ahead."""
    if review_at is None:
        return "请填写评审时间"
    if review_at <= now:
        return (f"评审时间（{review_at:%Y-%m-%d %H:%M}）须晚于当前时间"
                f"（{now:%Y-%m-%d %H:%M}），抽取结果将于评审时间推送")
    if review_at.year > LAST_YEAR:
        # The draw's 2 working days before it are counted on the calendar,
        # which no one can compute past LAST_YEAR (a draw page was a 500).
        return (f"评审时间（{review_at:%Y-%m-%d %H:%M}）超出工作日历可计算的年份，"
                f"须在{LAST_YEAR}年12月31日以前")
    return None


def _budget(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and amount.is_finite() else None


def minimum_experts(method: str, budget=None, complex_or_wide=False) -> tuple[int, str] | None:
    """(fewest experts, legal basis) for the method, or None when the law
    sets no committee size for it (单一来源, 框架协议采购)."""
    if method in TENDER:
        amount = _budget(budget)
        members = 7 if complex_or_wide or (amount is not None and amount >= LARGE_BUDGET) else 5
        return -(-members * 2 // 3), BASIS_TENDER
    if method in NON_TENDER:
        return 2, BASIS_NON_TENDER
    return None


def expert_count_error(method: str, budget, total: int, complex_or_wide=False) -> str | None:
    """Too few 正选 experts (all 专家需求 rows together) for the committee."""
    found = minimum_experts(method, budget, complex_or_wide)
    if found is None:
        return None
    fewest, basis = found
    if total < fewest:
        members = {4: 5, 5: 7, 2: 3}[fewest]
        return (f"{method}项目评审委员会应为{members}人以上单数，评审专家不少于成员总数的三分之二，"
                f"即至少{fewest}名专家；当前专家需求合计{total}人（{basis}）")
    return None
