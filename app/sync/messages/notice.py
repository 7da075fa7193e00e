"""notice.published (GPS → the project's trading platform) and notice.online
(trading → GPS): what the messages carry.

What each site does with them is the domain's (app/notice_sync.py), which
registers both types when create_app() wires the app.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema

from ...models import NOTICE_TYPES, Notice
from .common import INT_MAX, KEY, Amount, in_years, items, times_in_order, unique


class _Lot(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    name = fields.String(required=True, validate=validate.Length(1, 200))
    budget = Amount("预算金额", required=True)
    # 最高限价 (optional: older messages and lots without one).
    max_price = Amount("最高限价", allow_none=True, load_default=None)


class _Times(Schema):
    class Meta:
        unknown = EXCLUDE

    doc_start = fields.DateTime(allow_none=True, load_default=None, validate=in_years)
    doc_end = fields.DateTime(allow_none=True, load_default=None, validate=in_years)
    bid_deadline = fields.DateTime(allow_none=True, load_default=None, validate=in_years)
    open_time = fields.DateTime(allow_none=True, load_default=None, validate=in_years)

    @validates_schema(skip_on_field_errors=True)
    def _in_order(self, data, **kwargs):
        times_in_order(data, ("doc_start", "doc_end", "bid_deadline", "open_time"))


# A public document of a notice (a 合同公告's redacted contract), linked
# where GPS serves it; the receiver checks these again before storing them.
MAX_DOCUMENTS = 10


class _Document(Schema):
    class Meta:
        unknown = EXCLUDE

    title = fields.String(required=True, validate=validate.Length(1, 100))
    url = fields.String(required=True, validate=[
        validate.Length(max=500), validate.URL(schemes={"http", "https"}, require_tld=False)])
    size = fields.Integer(allow_none=True, load_default=None, strict=True,
                          validate=validate.Range(0, INT_MAX))
    sha256 = fields.String(allow_none=True, load_default=None,
                           validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class NoticePayload(Schema):
    class Meta:
        unknown = EXCLUDE

    notice_key = fields.String(required=True, validate=[validate.Length(1, 64), KEY])
    notice_type = fields.String(required=True, validate=validate.OneOf(NOTICE_TYPES))
    title = fields.String(required=True, validate=validate.Length(1, 255))
    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    plan_no = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    original_key = fields.String(allow_none=True, load_default=None,
                                 validate=[validate.Length(1, 64), KEY])
    body_html = fields.String(required=True)
    published_at = fields.DateTime(required=True, validate=in_years)
    lots = fields.List(fields.Nested(_Lot), required=True, validate=[items(1), unique("code")])
    times = fields.Nested(_Times, allow_none=True, load_default=None)
    # Optional: older messages and notices without public documents.
    documents = fields.List(fields.Nested(_Document), allow_none=True, load_default=None,
                            validate=items(high=MAX_DOCUMENTS))


class OnlinePayload(Schema):
    class Meta:
        unknown = EXCLUDE

    notice_key = fields.String(required=True, validate=[validate.Length(1, 64), KEY])
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, INT_MAX))
    # Where the platform shows it (app/notice_sync.py writes /web/notices/<id>):
    # GPS links to it, so nothing else ("/web/../../admin", a CR LF, a
    # backslash) is kept.
    web_path = fields.String(required=True, validate=validate.Regexp(
        r"^/web/notices/[0-9]{1,10}$", error="网站地址须为 /web/notices/<编号>"))
    online_at = fields.DateTime(required=True, validate=in_years)


def entity_key(notice_key: str) -> str:
    return f"notice:{notice_key}"


def notice_entity(payload) -> str:
    return entity_key(payload["notice_key"])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def payload_of(notice: Notice, body_html: str, documents: list[dict] | None = None) -> dict:
    """notice.published's payload for a published GPS notice; `body_html` is
    the full rendered notice, `documents` its public documents ([{"title",
    "url", "size", "sha256"}], absolute URLs) if it has any. Send it with entity_version = notice.version
    as stored (flushed), which is what app/notice_sync.py matches on delivery."""
    if notice.published_at is None:
        raise ValueError(f"notice {notice.notice_key} has no published_at")
    times = {"doc_start": _iso(notice.doc_start), "doc_end": _iso(notice.doc_end),
             "bid_deadline": _iso(notice.bid_deadline), "open_time": _iso(notice.open_time)}
    return {
        "notice_key": notice.notice_key,
        "notice_type": notice.notice_type,
        "title": notice.title,
        "project_code": notice.project_code,
        "plan_no": notice.plan.plan_no,
        "region_code": notice.region_code,
        "original_key": notice.original.notice_key if notice.original is not None else None,
        "body_html": body_html,
        "published_at": notice.published_at.isoformat(),
        "lots": [{"code": lot.lot_code, "name": lot.name, "budget": f"{lot.budget:.2f}",
                  "max_price": f"{lot.max_price:.2f}" if lot.max_price is not None else None}
                 for lot in notice.lots],
        "times": times if any(times.values()) else None,
        "documents": documents or None,
    }
