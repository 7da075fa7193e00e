"""Re-enqueue outbox rows that are due and held by no job.

Runs every few seconds (rq cron, see `flask sync cron`). Because it reads
the database, a flushed or restarted Redis loses nothing: every undelivered
message is found again here.
"""
import datetime as dt
import logging

from sqlalchemy import or_

from ..extensions import db
from ..models import OutboxMessage
from . import outbox, registry

log = logging.getLogger(__name__)

BATCH = 500


def due_rows(now=None, limit=BATCH):
    now = now or dt.datetime.now()
    return (db.session.query(OutboxMessage.message_id, OutboxMessage.target)
            .filter(OutboxMessage.state.in_(("待推送", "推送失败", "推送中")),
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.locked_until.is_(None),
                        OutboxMessage.locked_until < now))
            .order_by(OutboxMessage.id).limit(limit).all())


def sweep() -> int:
    """Enqueue every due message; returns how many were handed to RQ.

    A message whose job is still waiting in Redis may be enqueued twice;
    the lease in delivery.claim_batch() makes the second job a no-op.
    """
    run_periodic()
    rows = due_rows()
    db.session.rollback()
    return sum(outbox.enqueue(message_id, target) for message_id, target in rows)


def run_periodic() -> None:
    """The domains' periodic work (registry.register_periodic); one failing
    hook neither stops the others nor the sweep."""
    for fn in registry.periodic():
        try:
            fn()
        except Exception:  # noqa: BLE001 - retried on the next sweep
            db.session.rollback()
            log.exception("periodic %s failed (retried on the next sweep)",
                          getattr(fn, "__name__", fn))
