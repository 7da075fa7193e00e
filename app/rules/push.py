"""The push rule: does a plan go to its trading platform (限额以上)?

The limits are data (a matrix of region level × category × effective date
kept in the database); this module only decides, given those rows.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Threshold:
    region_level: str
    category: str
    amount: Decimal
    effective_from: date


@dataclass(frozen=True)
class PushDecision:
    meets: bool
    reason: str


def applicable(thresholds, region_level: str, category: str, on: date):
    """The newest threshold of that cell in force on the given day."""
    cell = [t for t in thresholds
            if t.region_level == region_level and t.category == category
            and t.effective_from <= on]
    return max(cell, key=lambda t: t.effective_from, default=None)


def decide(thresholds, *, region_level, category, budget: Decimal, on: date,
           interconnected: bool, platform_chosen: bool) -> PushDecision:
    if not interconnected:
        return PushDecision(False, "非互联互通项目，不推送")
    if not platform_chosen:
        return PushDecision(False, "未选择交易平台，不推送")
    rule = applicable(thresholds, region_level, category, on)
    if rule is None:
        return PushDecision(False, f"{on} 无适用的{region_level}{category}类限额标准，不推送")
    limit = f"{region_level}{category}类限额 {rule.amount:,.2f} 元（{rule.effective_from} 起执行）"
    if budget >= rule.amount:
        return PushDecision(True, f"预算金额 {budget:,.2f} 元 ≥ {limit}，满足推送条件")
    return PushDecision(False, f"预算金额 {budget:,.2f} 元 < {limit}，限额以下不推送")
