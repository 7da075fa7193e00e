"""The envelope every message travels in, and its validation."""
import datetime as dt
import json
import uuid

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..rules import text

MAX_BODY_BYTES = 256 * 1024


def in_years(value) -> None:
    """Dates and times every column and rule reads: 2000–2099 (the messages'
    schemas use it too). Checked on the year as sent, before a time zone is
    applied: 9999-12-31T23:00-12:00 overflowed when converted, and year 1
    broke the website's feeds."""
    if not 2000 <= value.year <= 2099:
        raise ValidationError("时间须在 2000 年至 2099 年之间")


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(1, 64))
    source = fields.String(required=True, validate=validate.Length(1, 16))
    target = fields.String(required=True, validate=validate.Length(1, 16))
    occurred_at = fields.DateTime(required=True, validate=in_years)
    entity = fields.String(required=True, validate=validate.Length(1, 64))
    # Versions are INTEGER columns (32-bit on PostgreSQL): a larger one would
    # freeze the replica (every real message after it "older") or overflow.
    entity_version = fields.Integer(required=True, strict=True,
                                    validate=validate.Range(min=1, max=2**31 - 1))
    payload = fields.Dict(required=True)


def build(*, type, source, target, entity, entity_version, payload) -> tuple[str, str]:
    """A new message: (message id, canonical JSON body)."""
    message_id = str(uuid.uuid4())
    body = {
        "id": message_id,
        "type": type,
        "source": source,
        "target": target,
        "occurred_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "entity": entity,
        "entity_version": entity_version,
        "payload": payload,
    }
    return message_id, canonical(body)


def canonical(message: dict) -> str:
    """The one JSON spelling of a message. A message pulled from the feed is
    re-serialised with it, so it hashes the same as when it was pushed."""
    return json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def parse(body: bytes) -> dict:
    """JSON → checked envelope dict. Raises ValueError or ValidationError."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["消息体必须是JSON对象"]})
    if refusal := text_refusal({key: value for key, value in data.items() if key != "payload"}):
        raise ValidationError({"_schema": [refusal]})
    envelope = EnvelopeSchema().load(data)
    envelope["id"] = str(envelope["id"])
    return envelope


NUL_REFUSED = "文本不能含有空字符（\\u0000）"


UNENCODABLE_REFUSED = "文本含有无法编码的字符（单独的UTF-16代理项）"
CONTROL_REFUSED = "文本不能含有不可见的控制字符或文字方向符"


def text_refusal(data) -> str | None:
    """Why some key or text of a message cannot be taken, if one cannot: a
    NUL (PostgreSQL stores none in text), a lone UTF-16 surrogate (no
    database can encode it), or a control character or direction override,
    which this site's own forms refuse. Found at the apply, the first two
    failed as a 500 the sender would retry for ever; the third was stored.
    An HTML body (a key ending in _html) may hold control characters, as
    the forms let its editor's paste through to the sanitiser."""
    pending = [("", data)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return NUL_REFUSED
            if text.unencodable(value):
                return UNENCODABLE_REFUSED
            if text.has_control(value) and not key.endswith("_html"):
                return CONTROL_REFUSED
        elif isinstance(value, dict):
            pending.extend(("", name) for name in value)
            pending.extend((name if isinstance(name, str) else "", item)
                           for name, item in value.items())
        elif isinstance(value, list):
            pending.extend((key, item) for item in value)
    return None


# A batch (POST /interop/v1/batch) carries up to this many messages, each as
# the exact text its own push would have carried (so a message hashes the
# same whichever way it travelled), in {"messages": [text, ...]}. The
# signature covers the whole batch body.
MAX_BATCH_MESSAGES = 100
MAX_BATCH_BYTES = 2 * 1024 * 1024


def batch(texts: list[str]) -> str:
    return json.dumps({"messages": texts}, ensure_ascii=False, separators=(",", ":"))


def parse_batch(body: bytes) -> list[str]:
    """Batch body → its messages' texts. Raises ValueError or ValidationError."""
    data = json.loads(body.decode("utf-8"))
    texts = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValidationError({"messages": ["批量消息体必须是 {\"messages\": [消息文本, …]}"]})
    if not 1 <= len(texts) <= MAX_BATCH_MESSAGES:
        raise ValidationError({"messages": [f"一批须有 1 至 {MAX_BATCH_MESSAGES} 条消息"]})
    return texts


# Personal data no message carries (docs/experts.md: a drawn expert's
# 身份证号 and mobile stay on GPS). The schemas drop such a field from what
# is applied; the inbox's copy of the body, which an Admin reads in
# 【接收记录】, drops it too (an attack probe found it kept there).
PERSONAL_KEYS = frozenset({"id_number", "mobile"})


def kept_body(text: str) -> str:
    """The body as the inbox keeps it: as received, or, when it holds a
    personal key anywhere, re-written without it."""
    if not any(f'"{key}"' in text for key in PERSONAL_KEYS):
        return text

    def without(value):
        if isinstance(value, dict):
            return {k: without(v) for k, v in value.items() if k not in PERSONAL_KEYS}
        if isinstance(value, list):
            return [without(v) for v in value]
        return value

    return json.dumps(without(json.loads(text)), ensure_ascii=False)
