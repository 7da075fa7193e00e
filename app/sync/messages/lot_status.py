"""lot.status (platform → GPS): a lot's trading-side stages — 招标文件规划
and 开评标配置, its 项目质疑 and its 开标记录 — as the platform holds them
now, whole. The payload schema only; app/lot_status.py sends and applies it
and registers the type from create_app(), so nothing here imports it.

The objector, the objection's text and the bidders' credit codes stay on
the platform: GPS needs the dates (质疑/答复 periods) and the bids (开标不足
三家, prices above the 最高限价), not what was said.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema

from .common import KEY, Amount, Flag, items, times_in_order, unique

MAX_ROWS = 500  # objections or bids of one lot; far above any real lot
# Spelled out, not imported from app/lot_settings.py: the contract stays the
# contract (and app/sync imports no domain module).
EVALUATION_METHODS = ("综合评分法", "最低评标价法", "最低价成交", "价格优先法", "质量优先法")


# The years every date column accepts (app-wide, 2000–2099): a date outside
# them is a sender's error, refused here rather than met by a rule later.
WHEN = validate.Range(min=dt.datetime(2000, 1, 1), max=dt.datetime(2099, 12, 31, 23, 59, 59),
                      error="时间须在 2000 年至 2099 年之间")
DAY = validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2099, 12, 31),
                     error="日期须在 2000 年至 2099 年之间")
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]+$", error="不得含控制字符")


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class ObjectionSchema(_Strict):
    received_on = fields.Date(required=True, validate=DAY)  # 收到质疑日期
    known_on = fields.Date(required=True, validate=DAY)  # 知道或应知权益受损之日
    reply_date = fields.Date(allow_none=True, load_default=None, validate=DAY)  # 答复日期


class BidSchema(_Strict):
    bidder = fields.String(required=True, validate=[validate.Length(1, 128), PRINTABLE])
    price = Amount("报价", required=True)
    opened_at = fields.NaiveDateTime(required=True, validate=WHEN)
    over_ceiling = Flag(required=True)


class LotStatusPayload(_Strict):
    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    lot_code = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    # Local times (naive ISO 8601), as the sites keep them; None: not planned yet.
    doc_issue_start = fields.NaiveDateTime(allow_none=True, load_default=None, validate=WHEN)
    doc_issue_end = fields.NaiveDateTime(allow_none=True, load_default=None, validate=WHEN)
    bid_deadline = fields.NaiveDateTime(allow_none=True, load_default=None, validate=WHEN)
    open_time = fields.NaiveDateTime(allow_none=True, load_default=None, validate=WHEN)
    evaluation_method = fields.String(allow_none=True, load_default=None,
                                      validate=validate.OneOf(EVALUATION_METHODS))
    committee_size = fields.Integer(allow_none=True, load_default=None, strict=True,
                                    validate=validate.Range(1, 99))
    objections = fields.List(fields.Nested(ObjectionSchema), required=True,
                             validate=items(high=MAX_ROWS))
    # One opening record per bidder, as lot_settings.opening_errors keeps it.
    bids = fields.List(fields.Nested(BidSchema), required=True,
                       validate=[items(high=MAX_ROWS), unique("bidder")])

    @validates_schema(skip_on_field_errors=True)
    def _in_order(self, data, **kwargs):
        times_in_order(data, ("doc_issue_start", "doc_issue_end", "bid_deadline", "open_time"))


def lot_status_entity(payload) -> str:
    return f"lot_status:{payload['lot_code']}"
