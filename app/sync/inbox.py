"""POST /interop/v1/messages: verify → store → apply, in one transaction.

POST /interop/v1/batch: the same for up to envelope.MAX_BATCH_MESSAGES
messages under one signature (over the whole batch), each message stored and
applied in its own transaction, in the batch's order, and answered on its
own (applied / ignored / duplicate / refused with the status its single push
would have had), so one bad message never holds up the others.

Refusals answer a JSON 4xx ({"error": code, "message": 中文说明}) and store
nothing but a SecurityEvent row (拒收记录), whatever the bytes: signing.verify
raises only WebhookVerificationError, and any other failure while checking an
unauthenticated request is still a refusal, never a 500.
"""
import hashlib
import json
import logging

from flask import Blueprint, current_app, has_request_context, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import func
from sqlalchemy.exc import DataError, IntegrityError

from ..extensions import csrf, db
from ..models import InboxMessage, Peer, SecurityEvent
from ..validation_messages import describe
from . import envelope, registry, signing

log = logging.getLogger("security.interop")
interop = Blueprint("interop", __name__, url_prefix="/interop/v1")


class Refused(Exception):
    def __init__(self, status, code, message, source=None, message_id=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.source, self.message_id = source, message_id


@interop.post("/messages")
@csrf.exempt
def receive():
    try:
        _within(request.content_length or 0, envelope.MAX_BODY_BYTES, "消息体")
        result = accept(request.get_data(cache=False), request.headers)
    except Refused as refused:
        return _refuse(refused)
    return jsonify(result), 200


@interop.post("/batch")
@csrf.exempt
def receive_batch():
    try:
        _within(request.content_length or 0, envelope.MAX_BATCH_BYTES, "批量消息体")
        body = request.get_data(cache=False)
        _within(len(body), envelope.MAX_BATCH_BYTES, "批量消息体")
        peer = _signed_by(body, request.headers)
        try:
            texts = envelope.parse_batch(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise Refused(400, "malformed", "批量消息体不是合法的UTF-8 JSON", peer.code,
                          request.headers.get("webhook-id"))
        except ValidationError as exc:
            raise Refused(422, "bad_batch", f"批量消息体不合规：{describe(exc.messages)}", peer.code,
                          request.headers.get("webhook-id"))
    except Refused as refused:
        return _refuse(refused)
    db.session.commit()  # end the read transaction the checks opened
    return jsonify({"results": [_accept_one(peer, text) for text in texts]}), 200


def _accept_one(peer, text: str) -> dict:
    """One message of a batch, in its own transaction; never raises."""
    body = text.encode("utf-8", "surrogatepass")
    try:
        _within(len(body), envelope.MAX_BODY_BYTES, "消息体", peer.code)
        return _store_and_apply(_checked_envelope(body, None, peer), body)
    except Refused as refused:
        refused.message_id = refused.message_id or _claimed_id(text)
        _record_refusal(refused)
        return {"id": refused.message_id, "status": "refused", "http": refused.status,
                "error": refused.code, "message": refused.message}
    except Exception:  # noqa: BLE001 - as a single push's 500: the sender retries it
        db.session.rollback()
        log.exception("batch message %s failed to apply", _claimed_id(text))
        return {"id": _claimed_id(text), "status": "failed", "http": 500, "error": "internal",
                "message": "系统内部错误，该消息未应用，请稍后重试"}


def _claimed_id(text: str):
    """The id a message says it has, for the answer; None if it says none."""
    try:
        value = json.loads(text).get("id")
    except Exception:  # noqa: BLE001 - junk has no id
        return None
    return _printable(value, 64) if isinstance(value, str) else None


def _within(size: int, limit: int, what: str, source=None, message_id=None) -> None:
    if size > limit:
        raise Refused(413, "too_large", f"{what}超过 {limit} 字节上限", source, message_id)


def accept(body: bytes, headers) -> dict:
    _within(len(body), envelope.MAX_BODY_BYTES, "消息体")
    peer = _signed_by(body, headers)
    message = _checked_envelope(body, headers.get("webhook-id"), peer)
    return _store_and_apply(message, body)


def _signed_by(body: bytes, headers):
    """The active peer that signed this body with these headers, or Refused."""
    source = headers.get("interop-source", "")
    peer = db.session.get(Peer, source) if source else None
    if peer is None or not peer.active:
        raise Refused(401, "unknown_peer", f"未知或已停用的对端：{source or '（未提供）'}",
                      source=source)
    try:
        signing.verify(peer, body, headers)
    except signing.WebhookVerificationError as exc:
        raise Refused(401, "bad_signature", f"签名校验失败：{exc}", source=source,
                      message_id=headers.get("webhook-id"))
    except Exception:  # noqa: BLE001 - an unforeseen case is still a refusal
        log.exception("signature check failed unexpectedly")
        raise Refused(401, "bad_signature", "签名校验失败：签名头无法解析", source=source,
                      message_id=headers.get("webhook-id")) from None
    return peer


def _checked_envelope(body, message_id, peer) -> dict:
    """`message_id`: the id the signature headers name (a single push), or
    None in a batch, where the signature covers the batch, not one id."""
    try:
        message = envelope.parse(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused(400, "malformed", "消息体不是合法的UTF-8 JSON", peer.code, message_id)
    except ValidationError as exc:
        raise Refused(422, "bad_envelope", f"消息信封不合规：{describe(exc.messages)}", peer.code,
                      message_id)
    if message_id is None:
        message_id = message["id"]
    elif message["id"] != message_id:
        raise Refused(422, "id_mismatch", "签名头中的消息ID与消息体不一致", peer.code, message_id)
    if message["source"] != peer.code or message["target"] != current_app.config["SITE_CODE"]:
        raise Refused(422, "wrong_route",
                      f"消息的来源/目标（{message['source']}→{message['target']}）与本站不符",
                      peer.code, message_id)
    kind = registry.lookup(message["type"])
    if kind is not None and kind.receiver != current_app.config["SITE"]:
        raise Refused(422, "wrong_site", f"本站不接收“{message['type']}”消息（该类消息发往"
                      f"{'政府采购系统' if kind.receiver == 'gps' else '交易平台'}）",
                      peer.code, message_id)
    if kind is None:
        raise Refused(422, "unknown_type", f"未知的消息类型：{message['type']}", peer.code,
                      message_id)
    if refusal := envelope.text_refusal(message["payload"]):
        raise Refused(422, "bad_payload", f"消息内容不合规：{refusal}", peer.code, message_id)
    try:
        message["payload"] = kind.schema().load(message["payload"])
    except ValidationError as exc:
        raise Refused(422, "bad_payload", f"消息内容不合规：{describe(exc.messages)}", peer.code,
                      message_id)
    if kind.entity(message["payload"]) != message["entity"]:
        raise Refused(422, "entity_mismatch",
                      f"消息信封的实体（{message['entity']}）与消息内容"
                      f"（{kind.entity(message['payload'])}）不一致", peer.code, message_id)
    message["kind"] = kind
    return message


def _store_and_apply(message: dict, body: bytes) -> dict:
    digest = hashlib.sha256(body).hexdigest()
    seen = db.session.query(InboxMessage).filter_by(message_id=message["id"]).one_or_none()
    if seen is not None:
        return _duplicate(seen, digest, message)
    if _newer_than_applied(message):
        try:
            _apply(message)
        except IntegrityError:
            # The same message applied meanwhile on another connection (its
            # inbox row committed with its writes), or a key this site's
            # records already hold otherwise (a lot code of another project).
            db.session.rollback()
            seen = db.session.query(InboxMessage).filter_by(message_id=message["id"]).first()
            if seen is not None:
                return _duplicate(seen, digest, message)
            raise Refused(422, "conflict", "消息内容与本站已有记录冲突（如编号已被其他记录使用），"
                          "未作任何修改", message["source"], message["id"]) from None
        result = "已应用"
    else:
        result = "已忽略（旧版本）"
    db.session.add(InboxMessage(
        message_id=message["id"], type=message["type"], source=message["source"],
        entity_key=message["entity"], entity_version=message["entity_version"],
        body_sha256=digest, body=envelope.kept_body(body.decode("utf-8")), result=result))
    try:
        db.session.commit()
    except IntegrityError:
        # The same message raced in on another connection and won.
        db.session.rollback()
        seen = db.session.query(InboxMessage).filter_by(message_id=message["id"]).one()
        return _duplicate(seen, digest, message)
    return {"status": "applied" if result == "已应用" else "ignored", "result": result,
            "id": message["id"]}


def _apply(message: dict) -> None:
    """The type's apply, its writes flushed here: a value the payload schema
    let through but a column cannot hold (PostgreSQL's DataError: too long,
    past a NUMERIC) is the sender's error, refused like a schema failure, not
    a 500 the sender would retry for ever. A UNIQUE or foreign key the writes
    break is the caller's (_store_and_apply) to tell from a race."""
    try:
        message["kind"].apply(message, message["payload"])
        db.session.flush()
    except (DataError, OverflowError):  # OverflowError: SQLite's, past 64 bits
        log.warning("message %s could not be stored", message["id"], exc_info=True)
        raise Refused(422, "unstorable", "消息内容超出本站字段的长度或取值范围，未作任何修改",
                      message["source"], message["id"]) from None


def _newer_than_applied(message) -> bool:
    """Newer than every version of the entity already applied here. The inbox
    remembers versions even where no replica row exists (a withdrawal that
    overtook its filing), so a late, older message is ignored for any type."""
    applied = (db.session.query(func.max(InboxMessage.entity_version))
               .filter(InboxMessage.entity_key == message["entity"],
                       InboxMessage.result == "已应用").scalar())
    return applied is None or message["entity_version"] > applied


def _duplicate(seen, digest, message):
    if seen.body_sha256 != digest:
        raise Refused(409, "id_reused", "该消息ID已收到过不同内容的消息，拒绝重放",
                      message["source"], message["id"])
    return {"status": "duplicate", "result": seen.result, "id": message["id"]}


def _refuse(refused: Refused):
    _record_refusal(refused)
    return jsonify({"error": refused.code, "message": refused.message}), refused.status


def _record_refusal(refused: Refused) -> None:
    """Roll back whatever the refused message did; keep a 拒收记录."""
    db.session.rollback()
    remote = request.remote_addr if has_request_context() else "reconcile"
    log.warning("interop refused %s from %s (%s): %s", refused.code, remote,
                refused.source, refused.message)
    db.session.add(SecurityEvent(remote_addr=remote,
                                 claimed_source=_printable(refused.source, 64),
                                 message_id=_printable(refused.message_id, 64),
                                 status=refused.status,
                                 reason=_printable(f"{refused.code}: {refused.message}", 255)))
    db.session.commit()


def _printable(value, limit: int) -> str:
    """Whatever a stranger sent, as a string any database stores (PostgreSQL
    refuses NUL in text) and a person can read in 拒收记录."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)[:limit]
