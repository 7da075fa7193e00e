"""One delivery attempt of one outbox message, and of whatever else is due
for the same peer.

The database, not Redis, is the record: a job first takes a lease on the
row (so two jobs for the same message cannot both send it), then POSTs,
then records the outcome and, on a transient failure, schedules the next
attempt. A job that dies mid-way leaves a lease that expires; the sweeper
then hands the message to a new job.

Batches: a job leases, besides its own message, up to BATCH_MESSAGES - 1
other due messages for that peer (oldest first) and sends them all in one
signed POST to /interop/v1/batch, which answers per message. A message per
request cost one HTTP exchange and three commits (docs/benchmarks.md); a
batch shares them. The waiting jobs of the messages a batch took are taken
off the queue (outbox.drop_jobs); one that ran anyway finds its message
leased or sent with one read and does nothing. A message is left out of a batch
while an older one of its entity is still unsent and not in it, so a batch
never lets an entity's newer version overtake an older one.
"""
import datetime as dt
import logging

import requests
from flask import current_app
from sqlalchemy import func, or_, update

from ..extensions import db
from ..models import OutboxMessage, Peer
from . import envelope, outbox, registry, signing

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 15)  # connect, read
BATCH_MESSAGES = 50
# Characters of message text: at most 3 bytes each in UTF-8 (and a quote
# escaped is 2), so a batch stays under the receiver's MAX_BATCH_BYTES.
BATCH_BYTES = 512 * 1024
PENDING = ("待推送", "推送失败", "推送中")
# 425: experts.drawn before its 评审时间 (clock skew); lot.status or committee.formed
# before the project or lot they belong to has reached GPS.
RETRYABLE_4XX = {408, 425, 429}
# Kept per worker process so connections (and TLS sessions) to a peer are reused.
_http = requests.Session()


def claim(message_id: str) -> OutboxMessage | None:
    now = dt.datetime.now()
    taken = _lease(OutboxMessage.message_id == message_id, now)
    db.session.commit()
    if not taken:
        return None
    return db.session.query(OutboxMessage).filter_by(message_id=message_id).one()


def _free(now):
    return or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)


def _lease(which, now) -> int:
    return db.session.execute(
        update(OutboxMessage)
        .where(which, OutboxMessage.state.in_(PENDING), _free(now))
        .values(state="推送中",
                locked_until=now + dt.timedelta(seconds=current_app.config["SYNC_LEASE_SECONDS"]),
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount


def claim_batch(message_id: str) -> list[OutboxMessage]:
    """Lease `message_id` (as claim() would) and up to BATCH_MESSAGES - 1
    other due messages for its peer; [] if `message_id` is not to be sent
    (sent, dead, or leased by another job). Oldest first."""
    now = dt.datetime.now()
    # A read first: most jobs of a busy queue find their message already
    # taken by an earlier job's batch, and a read costs no write lock.
    first = (db.session.query(OutboxMessage.id, OutboxMessage.target, OutboxMessage.entity_key,
                              func.length(OutboxMessage.body))
             .filter(OutboxMessage.message_id == message_id,
                     OutboxMessage.state.in_(PENDING), _free(now)).one_or_none())
    if first is None:
        db.session.rollback()
        return []
    first_id, target, first_key, size = first
    others = (db.session.query(OutboxMessage.id, OutboxMessage.entity_key,
                               func.length(OutboxMessage.body))
              .filter(OutboxMessage.target == target, OutboxMessage.id != first_id,
                      OutboxMessage.state.in_(PENDING), OutboxMessage.next_attempt_at <= now,
                      _free(now))
              .order_by(OutboxMessage.id).limit(BATCH_MESSAGES - 1).all())
    chosen, total = {first_id: first_key}, size or 0
    if others:
        oldest = dict(db.session.query(OutboxMessage.entity_key, func.min(OutboxMessage.id))
                      .filter(OutboxMessage.target == target, OutboxMessage.state.in_(PENDING),
                              OutboxMessage.entity_key.in_({key for _, key, _ in others}))
                      .group_by(OutboxMessage.entity_key).all())
        for row_id, key, length in others:
            if total + (length or 0) > BATCH_BYTES:
                break
            # Its entity's oldest unsent message must travel with it (or be it).
            if oldest.get(key, row_id) == row_id or oldest[key] in chosen:
                chosen[row_id] = key
                total += length or 0
    if not _lease(OutboxMessage.id == first_id, now):  # another job was quicker
        db.session.rollback()
        return []
    taken, lost = [first_id], set()
    for row_id, key in list(chosen.items())[1:]:
        # One lost to another job's batch: its entity's later ones wait too.
        if key not in lost and _lease(OutboxMessage.id == row_id, now):
            taken.append(row_id)
        else:
            lost.add(key)
    db.session.commit()
    return db.session.query(OutboxMessage).filter(OutboxMessage.id.in_(taken)) \
        .order_by(OutboxMessage.id).all()


def _network_error(exc: requests.RequestException) -> str:
    """A failed connection in 【同步监控】's words, the exception's kind kept
    for whoever debugs it (it had been the English exception text alone)."""
    if isinstance(exc, requests.ConnectTimeout):
        said = "连接对端超时"
    elif isinstance(exc, requests.ReadTimeout):
        said = f"对端 {TIMEOUT[1]:g} 秒内未应答"
    elif isinstance(exc, requests.ConnectionError):
        said = "无法连接对端（对端未启动、地址有误或网络不通）"
    else:
        said = "发送失败"
    return f"{said}；{type(exc).__name__}: {exc}"[:1000]


def _refusal(response) -> str:
    """A peer's refusal as its Chinese message: our inbox answers
    {"error", "message"} JSON, which had been shown with \\uXXXX escapes."""
    try:
        answer = response.json()
    except ValueError:
        return response.text[:2000]
    if isinstance(answer, dict) and isinstance(answer.get("message"), str):
        code = answer.get("error")
        return (f"{answer['message']}（{code}）" if isinstance(code, str) else answer["message"])[:2000]
    return response.text[:2000]


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
        return None, _network_error(exc)
    return response.status_code, "" if response.ok else _refusal(response)


def post_batch(rows: list[OutboxMessage], source: str) -> dict:
    """{message id: (HTTP status its single push would have had, error)}.
    A refusal of the whole batch (signature, size, network) is every
    message's outcome; a message the answer does not mention is retried."""
    peer = db.session.get(Peer, rows[0].target)
    if peer is None or not peer.active:
        return {row.message_id: (0, f"对端 {rows[0].target} 未配置或已停用") for row in rows}
    body = envelope.batch([row.body for row in rows])
    batch_id = f"batch-{rows[0].message_id}"
    try:
        headers = signing.sign_headers(peer.code, batch_id, body, source)
    except LookupError as exc:
        return {row.message_id: (0, str(exc)) for row in rows}
    try:
        response = _http.post(peer.base_url.rstrip("/") + "/interop/v1/batch",
                              data=body.encode("utf-8"), headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return {row.message_id: (None, _network_error(exc)) for row in rows}
    if response.status_code in (404, 405):
        # A peer not yet upgraded to batches: one push each, as before.
        return {row.message_id: post(row, source) for row in rows}
    if not response.ok:
        return {row.message_id: (response.status_code, _refusal(response)) for row in rows}
    try:
        answers = {a["id"]: a for a in response.json()["results"] if isinstance(a, dict)}
    except (ValueError, KeyError, TypeError):
        answers = {}
    outcomes = {}
    for row in rows:
        answer = answers.get(row.message_id)
        if answer is None:
            outcomes[row.message_id] = (None, "对端的批量应答中没有这条消息，稍后重试")
        elif answer.get("status") in ("applied", "ignored", "duplicate"):
            outcomes[row.message_id] = (200, "")
        else:
            status = answer.get("http")
            outcomes[row.message_id] = (status if isinstance(status, int) else None,
                                        f"{answer.get('message')}（{answer.get('error')}）"[:2000])
    return outcomes


def deliver(message_id: str, source: str) -> str:
    """Try once (with whatever else is due for the peer); returns the
    message's new state (or "skipped")."""
    rows = claim_batch(message_id)
    if not rows:
        return "skipped"
    if len(rows) == 1:
        outcomes = {rows[0].message_id: post(rows[0], source)}
    else:
        outbox.drop_jobs(rows[0].target, [r.message_id for r in rows if r.message_id != message_id])
        outcomes = post_batch(rows, source)
    settle(rows, outcomes)
    return next(row.state for row in rows if row.message_id == message_id)


def record_outcome(row: OutboxMessage, status: int | None, error: str) -> None:
    settle([row], {row.message_id: (status, error)})


def settle(rows: list[OutboxMessage], outcomes: dict) -> None:
    """Record each row's outcome in one commit; re-enqueue the failed ones."""
    now = dt.datetime.now()
    for row in rows:
        _record(row, *outcomes[row.message_id], now)
    db.session.commit()
    for row in rows:
        if row.state == "推送失败":
            delay = (row.next_attempt_at - now).total_seconds()
            outbox.enqueue(row.message_id, row.target, delay=max(delay, 0.1))


def _record(row: OutboxMessage, status: int | None, error: str, now) -> None:
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


def _permanent(status: int | None) -> bool:
    # None: network failure; 0: peer not configured (an operator may fix it).
    return bool(status) and 400 <= status < 500 and status not in RETRYABLE_4XX


def replay(row: OutboxMessage) -> None:
    """【重新推送】: a dead or failed message gets a fresh attempt now."""
    row.state, row.locked_until = "待推送", None
    row.next_attempt_at = row.retry_from = dt.datetime.now()
    db.session.info.setdefault(outbox.PENDING_KEY, []).append((row.message_id, row.target))
