"""Standard Webhooks signatures (HMAC-SHA256 over id.timestamp.body).

Every active key of a peer signs (the header carries one "v1,…" signature
per key, as the scheme allows) and every active key verifies. So a new key
can be added on one site before the other, and the old one retired after,
without a moment where either side refuses the other.
"""
import datetime as dt

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ..extensions import db
from ..models import Peer, PeerKey

__all__ = ["sign_headers", "verify", "WebhookVerificationError", "active_keys"]


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


def verify(peer: Peer, body: bytes, headers) -> None:
    """Raises WebhookVerificationError unless one active key signed it."""
    keys = active_keys(peer.code)
    if not keys:
        raise WebhookVerificationError("对端没有可用的共享密钥")
    wanted = {k.lower(): v for k, v in headers.items()
              if k.lower().startswith("webhook-")}
    last = None
    for key in keys:
        try:
            Webhook(key).verify(body, wanted, json_parse=False)
            return
        except WebhookVerificationError as exc:
            last = exc
            if "timestamp" in str(exc) or "headers" in str(exc).lower():
                break  # a stale or missing header fails the same way for every key
    raise last
