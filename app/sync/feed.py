"""Change feed: GET /interop/v1/feed?since=<watermark>, and reconcile from it.

The watermark is the outbox row id. A row whose transaction commits after a
later-numbered one would be skipped by a plain "id > since", so the feed only
serves rows older than SETTLE (far longer than any outbox transaction) and the
caller re-reads an OVERLAP of ids it has seen; the inbox drops repeats.

A feed request is signed over its method, path and query (signing.py), so a
captured push signature does not open it, and its webhook-id is a nonce the
feed accepts once (kept in Redis for longer than the signature's window), so
a captured feed request cannot be replayed either.
"""
import datetime as dt
import json
import re
import uuid

import redis
import requests
from flask import current_app, jsonify, request

from ..extensions import csrf, db
from ..models import OutboxMessage, Peer
from . import envelope, inbox, queues, signing

SETTLE = dt.timedelta(seconds=5)
FEED_PATH = "/interop/v1/feed"
MAX_WATERMARK = 2 ** 62  # an outbox id; anything larger is not a watermark
OVERLAP = 100
PAGE = 200


@inbox.interop.get("/feed")
@csrf.exempt
def serve_feed():
    peer_code = request.headers.get("interop-source", "")
    peer = db.session.get(Peer, peer_code) if peer_code else None
    try:
        if peer is None or not peer.active:
            raise inbox.Refused(401, "unknown_peer", f"未知或已停用的对端：{peer_code}", peer_code)
        try:
            nonce = signing.verify_request(peer, request.method, request.path,
                                           request.query_string, request.headers)
        except signing.WebhookVerificationError as exc:
            raise inbox.Refused(401, "bad_signature", f"签名校验失败：{exc}", peer_code,
                                request.headers.get("webhook-id"))
        _use_nonce(peer.code, nonce)
        since = request.args.get("since", "0")
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{1,19}", since) or int(since) > MAX_WATERMARK:
            raise inbox.Refused(400, "bad_since", "since 必须是非负整数水位", peer_code, nonce)
        since = int(since)
    except inbox.Refused as refused:
        return inbox._refuse(refused)
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


def _use_nonce(peer_code: str, nonce: str) -> None:
    """Accept each signed feed request once. Without Redis the feed refuses
    (503): failing open would let a captured request be replayed."""
    key = f"interop-nonce:{current_app.config['SITE_ID']}:{peer_code}:{nonce}"
    try:
        fresh = queues.connection().set(key, "1", nx=True, ex=2 * signing.TOLERANCE + 60)
    except redis.RedisError:
        raise inbox.Refused(503, "nonce_store_down",
                            "暂时无法校验请求是否重放（Redis 不可用），请稍后重试",
                            peer_code, nonce) from None
    if not fresh:
        raise inbox.Refused(401, "replayed", "该签名请求已使用过，拒绝重放", peer_code, nonce)


def reconcile(peer_code: str, since: int = 0) -> dict:
    """Pull what the peer sent us since the watermark and apply what is new."""
    peer = db.session.get(Peer, peer_code)
    if peer is None:
        raise LookupError(f"未知的对端：{peer_code}")
    applied = duplicates = 0
    watermark = max(since - OVERLAP, 0)
    while True:
        query = f"since={watermark}"
        headers = signing.sign_request(peer.code, f"feed-{uuid.uuid4()}", "GET", FEED_PATH,
                                       query, current_app.config["SITE_CODE"])
        page = requests.get(f"{peer.base_url.rstrip('/')}{FEED_PATH}?{query}",
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
        checked = inbox._checked_envelope(body, None, peer)
        return inbox._store_and_apply(checked, body)["status"]
    except inbox.Refused as refused:
        inbox._record_refusal(refused)
        return "refused"
