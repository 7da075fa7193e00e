"""The envelope every message travels in, and its validation."""
import datetime as dt
import json
import uuid

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

MAX_BODY_BYTES = 256 * 1024


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(1, 64))
    source = fields.String(required=True, validate=validate.Length(1, 16))
    target = fields.String(required=True, validate=validate.Length(1, 16))
    occurred_at = fields.DateTime(required=True)
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
    envelope = EnvelopeSchema().load(data)
    envelope["id"] = str(envelope["id"])
    return envelope
