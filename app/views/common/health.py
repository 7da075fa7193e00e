"""GET /health: is this site's database and Redis reachable?

Anyone (a load balancer) gets only {"ok": true|false} with 200 or 503. The
details — queue depth per peer, undelivered and dead letters, the calendar —
say too much about the site to strangers: they go to a logged-in Admin, or to
monitoring sending "Authorization: Bearer <HEALTH_TOKEN>" (config.py).
"""
import datetime as dt
import hmac

import redis
from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import func, text

from ...extensions import db

health = Blueprint("health", __name__)


def _database_state() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - report any failure as JSON
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _redis_state() -> dict:
    from ...sync import queues

    try:
        queues.connection().ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}


def _sync_state() -> dict:
    """Queue depth per peer and the age of the oldest undelivered message."""
    from ...models import OutboxMessage, Peer
    from ...sync import queues

    try:
        oldest = (db.session.query(func.min(OutboxMessage.created_at))
                  .filter(OutboxMessage.state.in_(("待推送", "推送中", "推送失败"))).scalar())
        undelivered = (db.session.query(func.count(OutboxMessage.id))
                       .filter(OutboxMessage.state.in_(("待推送", "推送中", "推送失败"))).scalar())
        dead = db.session.query(func.count(OutboxMessage.id)).filter_by(state="死信").scalar()
        peers = [p.code for p in db.session.query(Peer)]
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return {"error": type(exc).__name__}
    state = {
        "undelivered": undelivered,
        "dead_letters": dead,
        "oldest_undelivered_age_seconds": (
            round((dt.datetime.now() - oldest).total_seconds(), 1) if oldest else None),
    }
    try:
        conn = queues.connection()
        state["queue_depth"] = {code: conn.llen(f"rq:queue:{queues.queue_name(code)}")
                                for code in peers}
    except redis.RedisError as exc:
        state["queue_depth"] = {"error": type(exc).__name__}
    return state


def _sync_processes() -> dict:
    """The sync worker and cron processes of this site, as their status files
    tell (app/sync/runner.py): who is running, and whether each reaches
    Redis right now or is reconnecting, with the last Redis error."""
    from ...sync import runner

    processes = runner.read_statuses(runner.status_dir())
    errors = [p for p in processes if p.get("last_redis_error_at")]
    last = max(errors, key=lambda p: p["last_redis_error_at"], default=None)
    return {
        "running": sorted(f"{p.get('role')}[{p.get('pid')}]" for p in processes),
        "reconnecting": sorted(f"{p.get('role')}[{p.get('pid')}]" for p in processes
                               if p.get("redis") != "ok"),
        "last_redis_error": last and last.get("last_redis_error"),
        "last_redis_error_at": last and last.get("last_redis_error_at"),
        "processes": processes,
    }


def _calendar_state() -> dict:
    """Whether next year's holiday arrangement is entered (【节假日维护】)."""
    from ... import holidays

    try:
        return holidays.next_year_state(dt.date.today())
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return {"error": type(exc).__name__}


def may_see_details() -> bool:
    token = current_app.config.get("HEALTH_TOKEN")
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(
            offered.removeprefix("Bearer ").strip().encode(), token.encode()):
        return True
    user = getattr(g, "user", None)
    if user is None or not user.is_authenticated:
        return False
    admin = current_app.config["AUTH_ROLE_ADMIN"]
    return any(role.name == admin for role in user.roles)


@health.get("/health")
def show_health():
    state = {"database": _database_state(), "redis": _redis_state()}
    ok = state["database"]["ok"] and state["redis"]["ok"]
    if not may_see_details():
        return jsonify(ok=ok), 200 if ok else 503
    state.update({
        "site": current_app.config["SITE"],
        "platform": current_app.config["PLATFORM_CODE"],
        "sync": _sync_state(),
        "calendar": _calendar_state(),
        "sync_processes": _sync_processes(),
        "ok": ok,
    })
    return jsonify(state), 200 if ok else 503
