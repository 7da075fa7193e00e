"""Payload pieces several message types share."""
import re
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate


class OrganisationRef(Schema):
    """An organisation as the other site knows it: its name and its
    统一社会信用代码 (ids differ between sites' databases)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(1, 128))
    credit_code = fields.String(required=True, validate=validate.Length(18, 18))


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
