"""Payload pieces several message types share."""
import re
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ...rules.deadlines import order_errors
from ..envelope import in_years  # noqa: F401 - the messages' schemas import it from here

# A record's number (计划编号, 项目编号, 标段编号, 公告编号…) as this system
# writes them: it is a part of its pages' addresses, where "A/a/b" or ".."
# named no page (the plan stored, but never to be 受理).
KEY = validate.Regexp(r"^[0-9A-Za-z][0-9A-Za-z_-]*$", error="编号只能由字母、数字、连字符和下划线组成")

# INTEGER on PostgreSQL: a version, sequence or size past it is no value here.
INT_MAX = 2**31 - 1


class OrganisationRef(Schema):
    """An organisation as the other site knows it: its name and its
    统一社会信用代码 (ids differ between sites' databases)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(1, 128))
    credit_code = fields.String(required=True, validate=validate.Length(18, 18))


class Flag(fields.Field):
    """A JSON true or false, nothing that merely reads as one (marshmallow's
    Boolean takes "true", 1 or "yes", and has no strict mode)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("须为 true 或 false")
        return value


class Amount(fields.Field):
    """元 as every sender writes it ("850000.00"): ASCII digits, at most two
    decimals, above zero and within the Numeric(16, 2) columns that keep it.
    Not a JSON number, "1e5", "NaN" or full-width "１２３", which Python's
    Decimal would all have read; SQLite stores any size, so a budget past the
    column was applied there and failed only later."""

    def __init__(self, what: str = "金额", **kwargs):
        super().__init__(**kwargs)
        self.what = what

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,14}(\.[0-9]{1,2})?", value):
            raise ValidationError(f"{self.what}须为不超过两位小数、不超过14位整数的金额文本，"
                                  f"如 \"850000.00\"")
        amount = Decimal(value)
        if amount <= 0:
            raise ValidationError(f"{self.what}须大于 0")
        return amount.quantize(Decimal("0.01"))


def items(low: int | None = None, high: int | None = None):
    """A list's length, said in 项 (marshmallow's Length speaks of 字符)."""
    if low is not None and high is not None:
        error = "须有 {min} 至 {max} 项"
    elif low is not None:
        error = "至少须有 {min} 项"
    else:
        error = "最多 {max} 项"
    return validate.Length(min=low, max=high, error=error)


def unique(*keys: str):
    """A list's entries differ in each of `keys` (两个标段同一编号 is refused
    here, not by the database's UNIQUE when it is applied)."""
    def check(entries) -> None:
        for key in keys:
            values = [entry[key] for entry in entries]
            if len(values) != len(set(values)):
                raise ValidationError(f"{key} 不能重复")
    return check


_TIMES = ("doc_start", "doc_end", "bid_deadline", "open_time")


def times_in_order(data: dict, names: tuple[str, str, str, str]) -> None:
    """A peer's 文件获取开始/截止、投标截止、开标 times (`names`, in that order)
    in the order every method requires (rules.deadlines.order_errors), as
    the receiver will store them: aware times in local time, as applied.
    The statutory periods depend on the sender's calendar and are its own."""
    def local(value):
        if value is not None and value.tzinfo is not None:
            return value.astimezone().replace(tzinfo=None)
        return value

    found = order_errors(*(local(data.get(name)) for name in names))
    if found:
        raise ValidationError({names[_TIMES.index(field)]: [message]
                               for field, message in found.items()})
