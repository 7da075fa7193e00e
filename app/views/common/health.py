"""GET /health: is this site's database and Redis reachable?"""
import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

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
    try:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"],
                                      socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}


@health.get("/health")
def show_health():
    state = {
        "site": current_app.config["SITE"],
        "platform": current_app.config["PLATFORM_CODE"],
        "database": _database_state(),
        "redis": _redis_state(),
    }
    state["ok"] = state["database"]["ok"] and state["redis"]["ok"]
    return jsonify(state), 200 if state["ok"] else 503
