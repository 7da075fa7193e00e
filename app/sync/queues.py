"""Redis connection and queue names. One queue per (site, peer) so a slow or
absent peer never holds up deliveries to another."""
import redis
from flask import current_app
from rq import Queue


def connection() -> redis.Redis:
    """One client (and connection pool) per app, not one per enqueue."""
    client = current_app.extensions.get("sync_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"],
                                      socket_connect_timeout=2, socket_timeout=5)
        current_app.extensions["sync_redis"] = client
    return client


def site_id() -> str:
    return current_app.config["SITE_ID"]


def queue_name(target: str, site: str | None = None) -> str:
    return f"sync-{site or site_id()}-to-{target}"


def queue(target: str) -> Queue:
    return Queue(queue_name(target), connection=connection())


def sweep_queue_name(site: str | None = None) -> str:
    return f"sync-{site or site_id()}-sweep"
