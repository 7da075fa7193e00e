"""Standard Webhooks signatures (HMAC-SHA256 over id.timestamp.content).

Every active key of a peer signs (the header carries one "v1,…" signature
per key, as the scheme allows) and every active key verifies. So a new key
can be added on one site before the other, and the old one retired after,
without a moment where either side refuses the other.

What is signed is bound to the request it travels with:

- a push (POST /interop/v1/messages) signs the message body, exactly as the
  Standard Webhooks scheme does; the body is a JSON object naming its own
  source and target;
- any other request (the feed: GET /interop/v1/feed) signs
  "<METHOD> <path>?<query>", so it starts with a method name and can never
  be mistaken for a push body (which starts with "{"), nor a push signature
  for it. Its webhook-id is a fresh nonce that the server accepts once.

The headers are parsed here rather than by the standardwebhooks library:
its verify() raises ValueError, UnicodeDecodeError or binascii.Error on junk
(“garbage”, “v1,a,b”, a body that is not UTF-8) and accepts a fractional
timestamp. Signing still uses the library (see the known-answer test).
"""
import base64
import datetime as dt
import hashlib
import hmac
import re

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ..extensions import db
from ..models import Peer, PeerKey

__all__ = ["sign_headers", "sign_request", "verify", "verify_request", "request_content",
           "WebhookVerificationError", "active_keys", "TOLERANCE"]

TOLERANCE = 300  # seconds either side, the scheme's default
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_SIGNATURE_HEADER = 4096  # a handful of keys' signatures, not an essay


def active_keys(peer_code: str) -> list[str]:
    rows = (db.session.query(PeerKey)
            .filter(PeerKey.peer_code == peer_code, PeerKey.active.is_(True))
            .order_by(PeerKey.id.desc()).all())
    return [r.secret for r in rows]


def sign_headers(peer_code: str, message_id: str, body: str, source: str) -> dict:
    keys = active_keys(peer_code)
    if not keys:
        raise LookupError(f"对端 {peer_code} 没有可用的共享密钥")
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(k).sign(message_id, now, body) for k in keys),
        "interop-source": source,
        "content-type": "application/json",
    }


def request_content(method: str, path: str, query: str | bytes) -> bytes:
    """What a non-push request signs: its method, path and query string, the
    query byte for byte as it arrived (WSGI's raw QUERY_STRING)."""
    if isinstance(query, str):
        query = query.encode("utf-8")
    return f"{method.upper()} {path}?".encode("utf-8") + query


def sign_request(peer_code: str, nonce: str, method: str, path: str, query: str,
                 source: str) -> dict:
    """Headers for a signed GET (the feed); `nonce` becomes the webhook-id."""
    content = request_content(method, path, query).decode("utf-8")
    headers = sign_headers(peer_code, nonce, content, source)
    headers.pop("content-type")
    return headers


def verify(peer: Peer, body: bytes, headers, tolerance: int = TOLERANCE) -> None:
    """Raises WebhookVerificationError (message in Chinese) unless one active
    key of the peer signed this body with these headers. Never anything else,
    whatever the bytes."""
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not (message_id and timestamp and signatures):
        raise WebhookVerificationError("缺少签名头（webhook-id、webhook-timestamp、webhook-signature）")
    if not _MESSAGE_ID.fullmatch(message_id):
        raise WebhookVerificationError("webhook-id 格式不正确")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookVerificationError("webhook-timestamp 必须是整数秒（Unix 时间）")
    now = int(dt.datetime.now(dt.timezone.utc).timestamp())
    if now - int(timestamp) > tolerance:
        raise WebhookVerificationError(f"签名时间戳过旧（超过 {tolerance} 秒），拒绝重放")
    if int(timestamp) - now > tolerance:
        raise WebhookVerificationError(f"签名时间戳超前（超过 {tolerance} 秒），请校准时钟")
    if len(signatures) > MAX_SIGNATURE_HEADER:
        raise WebhookVerificationError("webhook-signature 过长")
    offered = [part.split(",", 1)[1].encode("utf-8", "replace")
               for part in signatures.split() if part.startswith("v1,")]
    if not offered:
        raise WebhookVerificationError("webhook-signature 中没有 v1 签名")
    keys = active_keys(peer.code)
    if not keys:
        raise WebhookVerificationError("对端没有可用的共享密钥")
    signed = f"{message_id}.{timestamp}.".encode() + body
    for key in keys:
        if key_error(key):
            continue  # a key stored before the rule: never a match, never an error
        expected = _digest(key, signed)
        # Compare against every offered signature without stopping early.
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return
    raise WebhookVerificationError("签名不匹配（密钥不符或内容被改动）")


def verify_request(peer: Peer, method: str, path: str, query: bytes, headers) -> str:
    """Verify a signed non-push request; returns its nonce (the webhook-id)."""
    verify(peer, request_content(method, path, query), headers)
    return _header(headers, "webhook-id")


def _header(headers, name: str) -> str:
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else ""


# A shared key is whsec_ and the base64 of at least this many random bytes
# (flask sync add-key and the demo make 32). Anything shorter or unreadable
# ("", "x", an emoji) was accepted as a key: a key anyone could guess signs
# messages the inbox applies, and an undecodable one made every check of the
# peer fail before the good key was tried.
KEY_MIN_BYTES = 24


def key_error(key) -> str | None:
    """Why `key` is no usable shared key, or None."""
    body = key.removeprefix("whsec_") if isinstance(key, str) else ""
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except ValueError:  # binascii.Error is one
        raw = None
    if not isinstance(key, str) or not key.startswith("whsec_") or raw is None:
        return "密钥格式不正确：须为“whsec_”加Base64编码的随机字节，可用命令 flask sync add-key 生成"
    if len(raw) < KEY_MIN_BYTES:
        return f"密钥过短：须至少{KEY_MIN_BYTES}字节的随机内容（Base64编码约{KEY_MIN_BYTES * 4 // 3}个字符）"
    return None


def _digest(key: str, signed: bytes) -> bytes:
    """base64(HMAC-SHA256(secret, id.timestamp.content)), the scheme's v1."""
    # Decoded as the library decodes it (padding added, so unpadded keys work).
    secret = base64.b64decode(key.removeprefix("whsec_") + "==")
    return base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest())
