"""Change feed: GET /interop/v1/feed?since=<watermark>, and reconcile from it.

The watermark is the outbox row id. A row whose transaction commits after a
later-numbered one would be skipped by a plain "id > since", so the feed only
serves rows older than SETTLE (far longer than any outbox transaction) and the
caller re-reads an OVERLAP of ids it has seen; the inbox drops repeats.
"""
import datetime as dt
import json
import uuid

import requests
from flask import current_app, jsonify, request

from ..extensions import csrf, db
from ..models import OutboxMessage, Peer
from . import envelope, inbox, signing

SETTLE = dt.timedelta(seconds=5)
OVERLAP = 100
PAGE = 200


@inbox.interop.get("/feed")
@csrf.exempt
def serve_feed():
    peer_code = request.headers.get("interop-source", "")
    peer = db.session.get(Peer, peer_code) if peer_code else None
    query = request.query_string
    try:
        if peer is None or not peer.active:
            raise inbox.Refused(401, "unknown_peer", f"未知或已停用的对端：{peer_code}", peer_code)
        try:
            signing.verify(peer, query, request.headers)
        except signing.WebhookVerificationError as exc:
            raise inbox.Refused(401, "bad_signature", f"签名校验失败：{exc}", peer_code)
        since = int(request.args.get("since", "0"))
        if not 0 <= since < 2**63:  # a database integer: larger ones overflow (was a 500)
            raise ValueError(since)
    except inbox.Refused as refused:
        return inbox._refuse(refused)
    except ValueError:
        return jsonify({"error": "bad_since", "message": "since 必须是整数水位"}), 400
    cutoff = dt.datetime.now() - SETTLE
    rows = (db.session.query(OutboxMessage)
            .filter(OutboxMessage.target == peer.code, OutboxMessage.id > since,
                    OutboxMessage.created_at <= cutoff)
            .order_by(OutboxMessage.id).limit(PAGE).all())
    return jsonify({
        "messages": [json.loads(r.body) for r in rows],
        "next": rows[-1].id if rows else since,
        "more": len(rows) == PAGE,
    })


def reconcile(peer_code: str, since: int = 0) -> dict:
    """Pull what the peer sent us since the watermark and apply what is new."""
    peer = db.session.get(Peer, peer_code)
    if peer is None:
        raise LookupError(f"未知的对端：{peer_code}")
    applied = duplicates = 0
    watermark = max(since - OVERLAP, 0)
    while True:
        query = f"since={watermark}"
        headers = signing.sign_headers(peer.code, f"feed-{uuid.uuid4()}", query,
                                       current_app.config["SITE_CODE"])
        page = requests.get(f"{peer.base_url.rstrip('/')}/interop/v1/feed?{query}",
                            headers=headers, timeout=(3.05, 30))
        page.raise_for_status()
        data = page.json()
        for message in data["messages"]:
            outcome = _apply_pulled(peer, message)
            applied += outcome == "applied"
            duplicates += outcome == "duplicate"
        watermark = data["next"]
        if not data["more"]:
            break
    return {"applied": applied, "duplicates": duplicates, "watermark": watermark}


def _apply_pulled(peer: Peer, message: dict) -> str:
    """A pulled message goes through the same checks as a pushed one, except
    the signature: it came over our own signed request to that peer. The
    canonical JSON is the very body that was pushed, so repeats match."""
    body = envelope.canonical(message).encode("utf-8")
    try:
        checked = inbox._checked_envelope(body, {"webhook-id": message.get("id")}, peer)
        return inbox._store_and_apply(checked, body)["status"]
    except inbox.Refused as refused:
        inbox._refuse(refused)
        return "refused"
