"""An opening bid above the lot's 最高限价 (or, without one, its budget).

《政府采购货物和服务招标投标管理办法》（财政部令第87号）第六十三条：投标人存在下列
情况之一的，投标无效：……（四）报价超过招标文件中规定的预算金额或者最高限价的.

The opening record is what happened and is kept; this rule only says what the
committee must do with it. Pure: amounts in, message out.
"""
from decimal import Decimal, InvalidOperation

BASIS = ("《政府采购货物和服务招标投标管理办法》（财政部令第87号）第六十三条第（四）项："
         "报价超过招标文件中规定的预算金额或者最高限价的，投标无效")
TENDER = ("公开招标", "邀请招标")


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def ceiling(budget, max_price) -> tuple[Decimal, str] | None:
    """(amount, its name): the 最高限价 when one is set, else the budget."""
    limit = _amount(max_price)
    if limit is not None:
        return limit, "最高限价"
    budget = _amount(budget)
    return (budget, "预算金额") if budget is not None else None


def ceiling_warning(price, budget, max_price, method: str | None = None) -> str | None:
    """The warning for a bid above the ceiling, or None (at or below it, or
    nothing to compare). A price the amount rules refuse gives None: that
    refusal speaks first."""
    price = _amount(price)
    found = ceiling(budget, max_price)
    if price is None or found is None or price <= found[0]:
        return None
    limit, name = found
    committee = "评标委员会" if method in TENDER or method is None else "评审小组"
    return (f"投标报价 {_yuan(price)} 元超过该标段{name} {_yuan(limit)} 元"
            f"（超出 {_yuan(price - limit)} 元）。依{BASIS}；"
            f"该投标应由{committee}按无效投标处理。开标记录照实保存。")
