"""Record outgoing messages with the business change; enqueue after commit.

`send()` only adds a row to the caller's transaction. The RQ job is enqueued
once the transaction has committed (never before: a rolled-back change must
not be delivered). If Redis is unreachable then, the sweeper picks it up.
"""
import datetime as dt
import logging
import random

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxMessage
from . import envelope, queues

log = logging.getLogger(__name__)
PENDING_KEY = "sync_outbox_pending"

# Retry schedule: exponential from 5 s, capped at 1 h, with ±20 % jitter,
# until the message is 72 h old; then it is a dead letter.
FIRST_DELAY = 5
MAX_DELAY = 3600
GIVE_UP_AFTER = dt.timedelta(hours=72)


def send(type: str, target: str, entity: str, version: int, payload: dict) -> OutboxMessage:
    message_id, body = envelope.build(
        type=type, source=current_app.config["SITE_CODE"], target=target,
        entity=entity, entity_version=version, payload=payload)
    row = OutboxMessage(message_id=message_id, type=type, target=target, entity_key=entity,
                        entity_version=version, body=body, state="待推送",
                        next_attempt_at=dt.datetime.now(), retry_from=dt.datetime.now())
    db.session.add(row)
    db.session.info.setdefault(PENDING_KEY, []).append((message_id, target))
    return row


def retry_delay(attempts: int, rng=random.random) -> float:
    base = min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    return base * (0.8 + 0.4 * rng())


def job_id(message_id: str) -> str:
    """The id of a message's waiting job, so that a batch that took the
    message can take its job off the queue too (drop_jobs)."""
    return f"sync-deliver-{message_id}"


def enqueue(message_id: str, target: str, delay: float = 0) -> bool:
    """Hand a message to RQ; False (and a log line) if Redis is unreachable."""
    from .tasks import deliver_job

    try:
        q = queues.queue(target)
        args = (current_app.config["SITE_ID"], message_id)
        if delay:
            # A retry keeps a fresh id: its job may be scheduled while the
            # job that failed (with the message's id) is still finishing.
            q.enqueue_in(dt.timedelta(seconds=delay), deliver_job, *args,
                         job_timeout=60, result_ttl=600, failure_ttl=86400)
        else:
            q.enqueue(deliver_job, *args, job_id=job_id(message_id), job_timeout=60,
                      result_ttl=600, failure_ttl=86400)
        return True
    except Exception as exc:  # noqa: BLE001 - the sweeper will retry
        log.warning("could not enqueue %s: %s (the sweeper will)", message_id, exc)
        return False


def drop_jobs(target: str, message_ids) -> None:
    """Take the waiting jobs of messages a batch has just taken off their
    queue: each would only find its message leased or sent, at the cost of
    a whole RQ job. Their hashes expire instead of being deleted, as one may
    be running right now (a later enqueue of the same id before then may
    expire with it: the sweeper enqueues the message again). Best effort: a
    job left behind does nothing."""
    from rq.job import Job

    try:
        q = queues.queue(target)
        with q.connection.pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                pipe.lrem(q.key, 0, job_id(message_id))
                pipe.expire(Job.key_for(job_id(message_id)), 600)
            pipe.execute()
    except Exception as exc:  # noqa: BLE001 - the jobs then run and skip
        log.warning("could not drop the jobs of a batch's messages: %s", exc)


def init_app(app) -> None:
    """Listen on every session once per process (idempotent)."""
    if not event.contains(Session, "after_commit", _enqueue_committed):
        event.listen(Session, "after_commit", _enqueue_committed)
        event.listen(Session, "after_rollback", _forget_rolled_back)


def _enqueue_committed(session):
    # SQLAlchemy signals after_commit for a savepoint's release too, and
    # app/supervision.py releases one inside the outer commit's before_commit:
    # enqueued then, a worker on PostgreSQL ran its claim before the row was
    # committed, found nothing and left the message to the sweeper.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING_KEY, [])
    for message_id, target in pending:
        enqueue(message_id, target)


def _forget_rolled_back(session):
    # A savepoint's rollback (app/supervision.py's) leaves the transaction's
    # messages to be sent; one added inside the savepoint is gone, and its
    # job finds no row and does nothing (delivery.claim_batch).
    if session.in_nested_transaction():
        return
    session.info.pop(PENDING_KEY, None)
