"""Append-only audit trail of who did what."""
from .extensions import db
from .models import AuditLog


def record(user, action: str, entity, detail: str = "") -> None:
    """Add an audit row in the caller's transaction (committed with it)."""
    db.session.add(AuditLog(
        user_id=getattr(user, "id", None),
        organisation_id=getattr(user, "organisation_id", None),
        action=action,
        entity=type(entity).__name__,
        entity_key=_key(entity),
        detail=detail,
    ))


def _key(entity) -> str:
    """The number people know the record by."""
    # A filing's own number first: a 合同公告及备案 is HT…, not its project's JY….
    for attribute in ("request_no", "notice_key", "filing_no", "project_code", "plan_no", "code",
                      "year", "id"):
        value = getattr(entity, attribute, None)
        if value:
            return str(value)
    return ""
