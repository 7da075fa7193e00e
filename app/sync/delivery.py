"""One delivery attempt of one outbox message.

The database, not Redis, is the record: a job first takes a lease on the
row (so two jobs for the same message cannot both send it), then POSTs,
then records the outcome and, on a transient failure, schedules the next
attempt. A job that dies mid-way leaves a lease that expires; the sweeper
then hands the message to a new job.
"""
import datetime as dt
import logging

import requests
from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..models import OutboxMessage, Peer
from . import outbox, registry, signing

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 15)  # connect, read
# 425: experts.drawn before its 评审时间 (clock skew); lot.status or committee.formed
# before the project or lot they belong to has reached GPS.
RETRYABLE_4XX = {408, 425, 429}
# Kept per worker process so connections (and TLS sessions) to a peer are reused.
_http = requests.Session()


def claim(message_id: str) -> OutboxMessage | None:
    now = dt.datetime.now()
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.message_id == message_id,
               OutboxMessage.state.in_(("待推送", "推送失败", "推送中")),
               or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now))
        .values(state="推送中",
                locked_until=now + dt.timedelta(seconds=current_app.config["SYNC_LEASE_SECONDS"]),
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not taken:
        return None
    return db.session.query(OutboxMessage).filter_by(message_id=message_id).one()


def post(row: OutboxMessage, source: str) -> tuple[int | None, str]:
    """(HTTP status or None for a network failure, error text)."""
    peer = db.session.get(Peer, row.target)
    if peer is None or not peer.active:
        return 0, f"对端 {row.target} 未配置或已停用"
    try:
        headers = signing.sign_headers(peer.code, row.message_id, row.body, source)
    except LookupError as exc:  # no active key: an operator must add one
        return 0, str(exc)
    try:
        response = _http.post(peer.base_url.rstrip("/") + "/interop/v1/messages",
                                 data=row.body.encode("utf-8"), headers=headers,
                                 timeout=TIMEOUT)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    return response.status_code, "" if response.ok else response.text[:2000]


def deliver(message_id: str, source: str) -> str:
    """Try once; returns the row's new state (or "skipped")."""
    row = claim(message_id)
    if row is None:
        return "skipped"
    status, error = post(row, source)
    record_outcome(row, status, error)
    return row.state


def record_outcome(row: OutboxMessage, status: int | None, error: str) -> None:
    now = dt.datetime.now()
    row.last_status, row.locked_until = status, None
    if status is not None and 200 <= status < 300:
        row.state, row.delivered_at, row.last_error = "已推送", now, None
    elif _permanent(status) or now - row.retry_from > outbox.GIVE_UP_AFTER:
        row.state, row.last_error = "死信", error or f"HTTP {status}"
    else:
        row.state, row.last_error = "推送失败", error or f"HTTP {status}"
        row.next_attempt_at = now + dt.timedelta(seconds=outbox.retry_delay(row.attempts))
    kind = registry.lookup(row.type)
    if kind and kind.on_outcome:
        kind.on_outcome(row, row.state == "已推送")
    db.session.commit()
    if row.state == "推送失败":
        delay = (row.next_attempt_at - now).total_seconds()
        outbox.enqueue(row.message_id, row.target, delay=max(delay, 0.1))


def _permanent(status: int | None) -> bool:
    # None: network failure; 0: peer not configured (an operator may fix it).
    return bool(status) and 400 <= status < 500 and status not in RETRYABLE_4XX


def replay(row: OutboxMessage) -> None:
    """【重新推送】: a dead or failed message gets a fresh attempt now."""
    row.state, row.locked_until = "待推送", None
    row.next_attempt_at = row.retry_from = dt.datetime.now()
    db.session.info.setdefault(outbox.PENDING_KEY, []).append((row.message_id, row.target))
