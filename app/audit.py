"""Append-only audit trail of who did what."""
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditLog

# Rows recorded for records that had no key yet (a new record's id), filled
# in after the flush that inserts the record: session.info[_AWAITING].
_AWAITING = "audit_awaiting_key"


def init_app(app) -> None:
    """Listen on every session once per process (idempotent), as history does."""
    if not event.contains(Session, "after_flush_postexec", _fill_keys):
        event.listen(Session, "after_flush_postexec", _fill_keys)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_rollback", _forget)


def record(user, action: str, entity, detail: str = "") -> None:
    """Add an audit row in the caller's transaction (committed with it).

    A view records a new record in its pre_add, before FAB's commit: the row
    then commits with the record or not at all. A second commit after FAB's
    could fail, or never come, and leave a record nobody is recorded as
    having made."""
    log = AuditLog(
        user_id=getattr(user, "id", None),
        organisation_id=getattr(user, "organisation_id", None),
        action=action,
        entity=type(entity).__name__,
        entity_key=_key(entity),
        detail=detail,
    )
    db.session.add(log)
    if not log.entity_key:
        db.session.info.setdefault(_AWAITING, []).append((log, entity))


def _fill_keys(session, flush_context) -> None:
    # After the flush that gave the record its id; the commit's next flush
    # writes the key, in the same transaction.
    awaiting = session.info.get(_AWAITING)
    if not awaiting:
        return
    still = []
    for log, entity in awaiting:
        key = _key(entity)
        if key:
            log.entity_key = key
        else:
            still.append((log, entity))
    session.info[_AWAITING] = still


def _forget(session) -> None:
    session.info.pop(_AWAITING, None)


def _key(entity) -> str:
    """The number people know the record by."""
    # A filing's own number first: a 合同公告及备案 is HT…, not its project's JY….
    for attribute in ("request_no", "notice_key", "filing_no", "project_code", "plan_no", "code",
                      "year", "id"):
        value = getattr(entity, attribute, None)
        if value:
            return str(value)
    return ""
