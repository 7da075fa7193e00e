"""Delivery bookkeeping: which failures retry, when, and when a message dies."""
import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.extensions import db
from app.models import OutboxMessage, Peer
from app.sync import delivery, outbox


def _message(app):
    with app.test_request_context():
        row = outbox.send("plan.filed", "410400", "plan:T-1", 1, {"plan_no": "T-1"})
        db.session.commit()
        return row.message_id


def _outcome(app, message_id, status, error="x", age=dt.timedelta(0)):
    with app.app_context():
        row = db.session.query(OutboxMessage).filter_by(message_id=message_id).one()
        row.retry_from = dt.datetime.now() - age
        row.attempts = 3
        delivery.record_outcome(row, status, error)
        return row.state, row.next_attempt_at, row.last_error


@pytest.mark.parametrize("status,state", [
    (200, "已推送"), (204, "已推送"),
    (None, "推送失败"),  # timeout or connection refused
    (408, "推送失败"), (429, "推送失败"), (500, "推送失败"), (503, "推送失败"),
    (400, "死信"), (401, "死信"), (409, "死信"), (413, "死信"), (422, "死信"),
])
def test_outcome_by_status(gps, status, state):
    assert _outcome(gps, _message(gps), status)[0] == state


def test_retries_stop_after_72_hours(gps):
    assert _outcome(gps, _message(gps), 503, age=dt.timedelta(hours=71))[0] == "推送失败"
    assert _outcome(gps, _message(gps), 503, age=dt.timedelta(hours=73))[0] == "死信"


def test_backoff_grows_with_jitter_and_is_capped():
    low = [outbox.retry_delay(n, rng=lambda: 0.0) for n in range(1, 15)]
    high = [outbox.retry_delay(n, rng=lambda: 1.0) for n in range(1, 15)]
    assert low[0] == pytest.approx(4.0) and high[0] == pytest.approx(6.0)
    assert low == sorted(low) and max(high) == pytest.approx(3600 * 1.2)
    # At least 72 h of trying before giving up: the cap keeps attempts coming.
    assert sum(low) < 72 * 3600


def test_no_enqueue_before_commit(gps, redis_url):
    import redis

    conn = redis.Redis.from_url(redis_url)
    key = "rq:queue:sync-gps-to-410400"
    with gps.test_request_context():
        before = conn.llen(key)
        outbox.send("plan.filed", "410400", "plan:T-2", 1, {"plan_no": "T-2"})
        db.session.flush()
        assert conn.llen(key) == before  # not yet: the change may still roll back
        db.session.rollback()
        assert conn.llen(key) == before
        outbox.send("plan.filed", "410400", "plan:T-3", 1, {"plan_no": "T-3"})
        db.session.commit()
        assert conn.llen(key) == before + 1


def test_no_enqueue_when_a_savepoint_is_released(gps, redis_url):
    """SQLAlchemy signals after_commit for a savepoint too; app/supervision.py
    releases one inside every commit. Enqueued then, a PostgreSQL worker
    claimed before the row was committed and found nothing."""
    import redis

    conn = redis.Redis.from_url(redis_url)
    key = "rq:queue:sync-gps-to-410400"
    with gps.test_request_context():
        before = conn.llen(key)
        outbox.send("plan.filed", "410400", "plan:T-4", 1, {"plan_no": "T-4"})
        with db.session.begin_nested():
            pass
        assert conn.llen(key) == before
        db.session.commit()
        assert conn.llen(key) == before + 1


def test_replay_puts_a_dead_message_back(gps):
    message_id = _message(gps)
    _outcome(gps, message_id, 422)
    with gps.test_request_context():
        row = db.session.query(OutboxMessage).filter_by(message_id=message_id).one()
        delivery.replay(row)
        db.session.commit()
        assert row.state == "待推送" and row.locked_until is None


class _OldPeer(BaseHTTPRequestHandler):
    """A peer from before batches: /interop/v1/batch is a 404; single pushes
    are applied (answered as the real inbox answers)."""
    paths: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        type(self).paths.append(self.path)
        found = self.path == "/interop/v1/messages"
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "applied"}' if found else b'{"error": "not_found"}')

    def log_message(self, *args):
        pass


def test_a_peer_without_batches_gets_one_push_each(gps):
    server = HTTPServer(("127.0.0.1", 0), _OldPeer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ids = [_message(gps) for _ in range(3)]
        with gps.app_context():
            db.session.get(Peer, "410400").base_url = f"http://127.0.0.1:{server.server_port}"
            db.session.commit()
            assert delivery.deliver(ids[0], "gps") == "已推送"
            states = [r.state for r in db.session.query(OutboxMessage)
                      .filter(OutboxMessage.message_id.in_(ids))]
    finally:
        server.shutdown()
    assert states == ["已推送"] * 3
    # (Whatever else the demo left due for 410400 went along, one push each too.)
    assert _OldPeer.paths[0] == "/interop/v1/batch" and len(_OldPeer.paths) >= 4
    assert set(_OldPeer.paths[1:]) == {"/interop/v1/messages"}


def test_a_failed_push_is_said_in_chinese_for_the_sync_monitor():
    """【同步监控】's 最近错误 had shown a peer's JSON with \\uXXXX escapes and
    a refused connection as English exception text."""
    import json

    import requests

    from app.sync.delivery import _network_error, _refusal

    answer = requests.Response()
    answer.status_code = 422
    answer._content = json.dumps({"error": "bad_payload", "message": "金额格式不正确"}).encode()
    assert _refusal(answer) == "金额格式不正确（bad_payload）"
    answer._content = b"<html>Bad Gateway</html>"
    assert _refusal(answer) == "<html>Bad Gateway</html>"
    said = _network_error(requests.ConnectionError("Connection refused"))
    assert said.startswith("无法连接对端") and "ConnectionError" in said
    assert _network_error(requests.ConnectTimeout("x")).startswith("连接对端超时")
    assert _network_error(requests.ReadTimeout("x")).startswith("对端 15 秒内未应答；")
