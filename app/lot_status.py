"""lot.status (trading → GPS): what GPS's 项目监督 needs of a lot's
trading-side stages — 招标文件规划/开评标配置, 项目质疑, 开标记录.

Sender (trading site): these change through several views and REST paths
(app/views/trading/lot_settings/), so instead of a call in each, a session
hook notes after every flush which lots had a planning field, an objection
or an opening record changed, and before the commit sends each of them once,
whole, in the same transaction. The version is the lot's `status_version`,
raised in one UPDATE so two edits of one lot never send the same version.

Receiver (GPS): `lot_status_replica`, older versions ignored, as for the
other replicas. The project's stage itself still comes as project.status,
its lots as project.accepted and its committees as committee.formed.
"""
from __future__ import annotations

import datetime as dt
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import Lot, LotStatusReplica, Objection, OpeningBid, ProjectReplica

TYPE = "lot.status"
# The fields of 招标文件规划 and 开评标配置 that GPS is told about.
PLANNING = ("doc_issue_start", "doc_issue_end", "bid_deadline", "open_time",
            "evaluation_method", "committee_size")
TIMES = PLANNING[:4]
NOTED = "lot_status_lots"


def entity_key(lot_code: str) -> str:
    return f"lot_status:{lot_code}"


# --- sender (trading site) -------------------------------------------------------------

def _sending() -> bool:
    return has_app_context() and current_app.config.get("SITE") == "trading"


def _planning_changed(lot: Lot) -> bool:
    state = inspect(lot)
    return any(state.attrs[name].history.has_changes() for name in PLANNING)


def _lot_id(row) -> int | None:
    return row.lot_id if row.lot_id is not None else getattr(row.lot, "id", None)


def _note(session, _flush_context) -> None:
    """after_flush: new/dirty/deleted still show what this flush wrote."""
    if not _sending():
        return
    noted = session.info.setdefault(NOTED, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, (Objection, OpeningBid)):
            if row in session.dirty and not session.is_modified(row):
                continue
            if (lot_id := _lot_id(row)) is not None:
                noted.add(lot_id)
        elif isinstance(row, Lot) and row in session.dirty and _planning_changed(row):
            noted.add(row.id)


def _send_noted(session) -> None:
    """before_commit: one lot.status per lot changed in this transaction."""
    if not _sending():
        return
    session.flush()  # what is still pending gets noted too
    for lot_id in sorted(session.info.pop(NOTED, ())):
        lot = session.get(Lot, lot_id)
        if lot is not None:
            send(lot)


def _forget(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back (app/supervision.py's); the rest still commits
    session.info.pop(NOTED, None)


def payload_of(lot: Lot) -> dict:
    def when(value):
        return value.isoformat(timespec="seconds") if value is not None else None

    objections = (db.session.query(Objection).filter_by(lot_id=lot.id)
                  .order_by(Objection.received_on, Objection.id))
    bids = (db.session.query(OpeningBid).filter_by(lot_id=lot.id)
            .order_by(OpeningBid.opened_at, OpeningBid.id))
    payload = {"project_code": lot.project.project_code, "lot_code": lot.code}
    payload.update({name: when(getattr(lot, name)) for name in TIMES})
    payload["evaluation_method"] = lot.evaluation_method or None
    payload["committee_size"] = lot.committee_size
    payload["objections"] = [
        {"received_on": o.received_on.isoformat(), "known_on": o.known_on.isoformat(),
         "reply_date": o.reply_date.isoformat() if o.reply_date else None}
        for o in objections]
    payload["bids"] = [
        {"bidder": b.bidder, "price": f"{b.price:.2f}", "opened_at": when(b.opened_at),
         "over_ceiling": bool(b.ceiling_warning)} for b in bids]
    return payload


def send(lot: Lot) -> None:
    """The version always moves; only a project GPS knows (from a plan,
    accepted) is told."""
    db.session.execute(update(Lot).where(Lot.id == lot.id)
                       .values(status_version=Lot.status_version + 1),
                       execution_options={"synchronize_session": False})
    version = db.session.execute(select(Lot.status_version).where(Lot.id == lot.id)).scalar_one()
    db.session.expire(lot, ["status_version"])
    project = lot.project
    if project is None or not project.from_plan or project.state != "受理通过":
        return
    from .sync import outbox

    outbox.send(TYPE, "gps", entity_key(lot.code), version, payload_of(lot))


# --- receiver (GPS) --------------------------------------------------------------------

def apply_lot_status(envelope, payload) -> None:
    """GPS: keep the lot's trading-side stages as its platform last sent them."""
    from .sync.inbox import Refused

    source = envelope["source"]
    project = db.session.get(ProjectReplica, payload["project_code"])
    # Not here yet (project.accepted or the lots still on their way, say
    # behind a failed delivery): 425, so the sender tries again later. Another
    # platform's project is no such wait: 422.
    if project is None:
        raise Refused(425, "unknown_project",
                      f"政府采购系统尚未收到平台{source}的项目“{payload['project_code']}”，"
                      "标段状态稍后重试", source, envelope["id"])
    if project.platform_code != source:
        raise Refused(422, "unknown_project",
                      f"政府采购系统没有平台{source}的项目“{payload['project_code']}”，"
                      "不能接收标段状态", source, envelope["id"])
    if payload["lot_code"] not in {lot.code for lot in project.lots}:
        raise Refused(425, "unknown_lot",
                      f"政府采购系统尚未收到项目“{payload['project_code']}”的标段"
                      f"“{payload['lot_code']}”，标段状态稍后重试", source, envelope["id"])
    replica = db.session.get(LotStatusReplica, payload["lot_code"])
    if replica is not None and replica.version >= envelope["entity_version"]:
        return
    now = dt.datetime.now()
    if replica is None:
        replica = LotStatusReplica(lot_code=payload["lot_code"])
        db.session.add(replica)
        configured = any(payload[name] is not None for name in PLANNING)
    else:
        configured = any(getattr(replica, name) != payload[name] for name in PLANNING)
    if configured:
        replica.configured_at = now
    replica.project_code = payload["project_code"]
    for name in PLANNING:
        setattr(replica, name, payload[name])
    replica.objections = [
        {key: (o[key].isoformat() if o[key] is not None else None)
         for key in ("received_on", "known_on", "reply_date")} for o in payload["objections"]]
    replica.bids = [
        {"bidder": b["bidder"], "price": f"{b['price']:.2f}",
         "opened_at": b["opened_at"].isoformat(timespec="seconds"),
         "over_ceiling": b["over_ceiling"]} for b in payload["bids"]]
    replica.opened_at = min((b["opened_at"] for b in payload["bids"]), default=None)
    replica.version = envelope["entity_version"]
    replica.received_at = now


def register_sync() -> None:
    """From create_app(): the message type on both sites, the sender's hook
    (listening once per process; it acts on trading sites only)."""
    from .sync import registry
    from .sync.messages.lot_status import LotStatusPayload, lot_status_entity

    registry.register(TYPE, LotStatusPayload, apply_lot_status, entity=lot_status_entity,
                      receiver="gps")
    if not event.contains(Session, "after_flush", _note):
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _send_noted)
        event.listen(Session, "after_rollback", _forget)
