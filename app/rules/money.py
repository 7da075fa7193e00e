"""Amounts in yuan (元): positive, at most 100亿, at most two decimals (分)."""
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("10000000000")  # 100亿元: anything above is a typo


def amount_error(value, label: str, allow_zero: bool = False) -> str | None:
    """Why `value` is not an acceptable amount, or None. With allow_zero
    (fees: "不收取请填0") 0 is accepted and only negatives are refused."""
    if value is None or value == "":
        return f"请填写{label}"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return f"{label}必须是数字（单位：元）"
    if not amount.is_finite():
        return f"{label}必须是数字（单位：元）"
    if allow_zero and amount < 0:
        return f"{label}不能为负数"
    if not allow_zero and amount <= 0:
        return f"{label}必须大于0元"
    if amount > MAX_AMOUNT:
        return f"{label}不能超过100亿元，请核对单位是否为“元”"
    if amount.as_tuple().exponent < -2:
        return f"{label}最多保留两位小数（分）"
    return None
