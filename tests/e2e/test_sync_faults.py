"""Faults injected into a running stack (issue 12, items 2, 4, 5, 7, 9), all
over real HTTP with real Redis and real worker processes:

- Redis stops for ~5 s while the workers and crons run: they stay up, say
  so in /health, and deliver what was filed meanwhile, once, by themselves;
- one peer is hung (SIGSTOP): the other peer's messages still go promptly;
- a worker is killed (SIGKILL) while it holds a message: restarted by its
  supervisor, the message redelivered and applied once;
- junk at the inbox and a captured push used on the feed are refused with a
  JSON 4xx in Chinese and a 拒收记录 row; a signed feed request works once.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid

import pytest
import redis
import requests

from app.sync import envelope, signing
from tests.e2e.stack import Stack, free_port, start_redis, wait_for
from tests.e2e.test_plan_push import PLAN, applied_count, outbox_state, push_state, received

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server this test may stop and start (never the session's)."""
    port = free_port()
    workdir = tmp_path / "redis"
    workdir.mkdir()
    holder = {"proc": start_redis(workdir, port)}
    holder.update(url=f"redis://127.0.0.1:{port}/0", port=port, workdir=workdir)
    yield holder
    holder["proc"].terminate()
    holder["proc"].wait(5)


def file_with(stack, api, ui, name, **changes):
    """File a plan with sessions logged in beforehand (login itself needs
    the rate limiter's Redis, another item of issue 12)."""
    created = api.post(stack.url("gps") + "/api/v1/plan/",
                       json={**PLAN, **changes, "project_name": name}, timeout=20)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    plan_no = api.get(stack.url("gps") + f"/api/v1/plan/{plan_id}",
                      timeout=20).json()["result"]["plan_no"]
    filed = ui.post("/plans/action_post", {"action": "file_plans", "rowid": str(plan_id)})
    assert "已备案" in filed.text
    return plan_id, plan_no


def sync_processes(stack, key):
    return stack.health(key)["sync_processes"]


def test_redis_outage_is_ridden_out_without_a_restart(templates, databases, own_redis, tmp_path):
    urls = {key: databases.clone(templates[key], f"e2e_{key}") for key in ("gps", "pds")}
    stack = Stack(urls, own_redis["url"], tmp_path)
    stack.start_all()
    try:
        api, ui = stack.api("gps", "jingban"), stack.browser("gps", "jingban")
        # GPS: a worker per peer (410400, 411322), one for the sweep queue, the cron.
        wait_for(lambda: len(sync_processes(stack, "gps")["running"]) == 4, 60,
                 what=lambda: sync_processes(stack, "gps"))
        before = sync_processes(stack, "gps")["running"]
        processes = dict(stack.procs)
        # The demo data's own message to 平顶山 goes first: a job still building
        # its app when Redis stops would otherwise claim it, and with it (one
        # batch) the plan filed during the outage, which is then rightly
        # delivered without Redis but is not what this test is about.
        wait_for(lambda: stack.query("gps", "select count(*) from outbox_message where "
                                            "target = '410400' and state <> '已推送'") == [[0]],
                 60, what="the demo data's messages to 410400 delivered before the outage")

        own_redis["proc"].terminate()
        own_redis["proc"].wait(5)
        down_at = time.monotonic()
        plan_id, plan_no = file_with(stack, api, ui, "Redis中断期间项目")
        state = wait_for(lambda: (lambda s: s if s["reconnecting"] else None)(
            sync_processes(stack, "gps")), 10, what="/health showing the reconnect")
        assert state["last_redis_error"] and state["last_redis_error_at"]
        assert push_state(stack, plan_id) == "待推送"
        time.sleep(max(0.0, 5 - (time.monotonic() - down_at)))
        own_redis["proc"] = start_redis(own_redis["workdir"], own_redis["port"])

        wait_for(lambda: received(stack, "pds", plan_no), 60, what="delivery after the outage")
        wait_for(lambda: push_state(stack, plan_id) == "已推送", 30, what="已推送 on GPS")
        assert applied_count(stack, "pds", plan_no) == 1
        assert stack.query("pds", f"select count(*) from inbox_message where entity_key = "
                                  f"'plan:{plan_no}'") == [[1]]
        # Nobody restarted anything: the same processes, and the same worker
        # children (the supervisor did not have to replace one either).
        for name, proc in processes.items():
            assert proc.poll() is None, f"{name} exited ({proc.returncode})"
        wait_for(lambda: not sync_processes(stack, "gps")["reconnecting"], 30,
                 what="reconnected in /health")
        assert sync_processes(stack, "gps")["running"] == before
        assert sync_processes(stack, "pds")["reconnecting"] == []
    finally:
        stack.stop_all()


def _peer_worker(stack, supervisor_pid: int, peer: str) -> int | None:
    """The pid of the supervisor's child that serves `peer`'s queue: a live
    child of the supervisor whose status file names that queue's role (the
    children are forks: their command line is the supervisor's)."""
    found = subprocess.run(["pgrep", "-P", str(supervisor_pid)], capture_output=True, text=True)
    children = {int(pid) for pid in found.stdout.split()}
    for path in (stack.logdir / "sync-status-gps").glob(f"worker-{peer}-*.json"):
        pid = int(path.stem.rsplit("-", 1)[1])
        if pid in children:
            return pid
    return None


def test_a_worker_killed_mid_delivery_is_restarted_and_applies_once(stack):
    """SIGKILL to the worker serving 平顶山市 while it holds a message: the
    supervisor starts another, the message is redelivered after its lease
    and applied once, and every process of the stack is still up."""
    from tests.e2e.test_plan_push import file_plan

    stack.stop("cron-gps")
    supervisor = stack.procs["worker-gps"]
    child = wait_for(lambda: _peer_worker(stack, supervisor.pid, "410400"), 20,
                     what="the 410400 worker child")
    plan_id, plan_no = file_plan(stack, "工作进程被杀项目")
    wait_for(lambda: stack.query("gps", "select state from outbox_message where entity_key = "
                                        f"'plan:{plan_no}'")[0][0] in ("推送中", "已推送"),
             60, interval=0.01, what="claim")  # a busy machine starts workers slowly
    os.kill(child, signal.SIGKILL)
    stack.start_cron("gps")
    stack.wait_sync_ready("gps")
    wait_for(lambda: push_state(stack, plan_id) == "已推送", 60, what="redelivery")
    assert applied_count(stack, "pds", plan_no) == 1
    restarted = wait_for(lambda: _peer_worker(stack, supervisor.pid, "410400"), 30,
                         what="a new 410400 worker")
    assert restarted != child
    for name, proc in stack.procs.items():
        assert proc.poll() is None, f"{name} exited"


def test_hung_peer_does_not_hold_up_the_other(stack):
    """平顶山市 is paused (SIGSTOP: connections are accepted, never answered);
    a plan for 方城县 filed behind one for 平顶山市 still arrives promptly."""
    api, ui = stack.api("gps", "jingban"), stack.browser("gps", "jingban")
    api2, ui2 = stack.api("gps", "jingban2"), stack.browser("gps", "jingban2")
    web_pds = stack.procs["web-pds"]
    stack.wait_delivered("gps", "410400")
    web_pds.send_signal(signal.SIGSTOP)
    try:
        # Two for 平顶山市: its queue is then busy for 2 × 15 s (read timeout)
        # and more with the retries, whatever the polling below manages to see.
        hung = [file_with(stack, api, ui, f"挂起对端项目{i}") for i in range(2)]
        hung_id, hung_no = hung[0]
        wait_for(lambda: stack.query("gps", "select attempts from outbox_message where "
                                            f"entity_key = 'plan:{hung_no}'")[0][0] >= 1,
                 60, interval=0.1, what=lambda: f"a delivery to 平顶山市 attempted; "
                                                f"{outbox_state(stack, hung_no)}; "
                                                f"{stack.log_tails('worker-gps')}")
        fc_id, fc_no = file_with(stack, api2, ui2, "方城县不受影响项目", platform="411322")
        wait_for(lambda: received(stack, "fc", fc_no), 30, what="plan on 方城县")
        created = stack.query("gps", "select created_at from outbox_message where entity_key = "
                                     f"'plan:{fc_no}'")[0][0]
        arrived = stack.query("fc", "select received_at from inbox_message where entity_key = "
                                    f"'plan:{fc_no}'")[0][0]
        waited = (_parse(arrived) - _parse(created)).total_seconds()
        assert waited < 5, f"方城县's message waited {waited:.1f} s behind the hung peer"
        assert received(stack, "pds", hung_no) is None
        assert stack.procs["web-pds"] is web_pds and web_pds.poll() is None
    finally:
        web_pds.send_signal(signal.SIGCONT)
    for plan_id, plan_no in hung:
        wait_for(lambda: push_state(stack, plan_id) == "已推送", 120, what="平顶山市 after SIGCONT")
        assert applied_count(stack, "pds", plan_no) == 1
    assert applied_count(stack, "fc", fc_no) == 1


def _parse(value):
    import datetime as dt

    return dt.datetime.fromisoformat(str(value))


# --- refusals over HTTP -------------------------------------------------------

PUSH = {
    "plan_no": "410400-2026-06666", "project_name": "拒收HTTP测试",
    "unit": {"name": "平顶山市教育局", "credit_code": "11410400MB0000001P", "region_code": "410400"},
    "agency": None, "procurement_method": "询价", "category": "货物", "item_name": "纸",
    "budget": "1000000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
}


@pytest.fixture
def pds_site(templates, databases, redis_url, tmp_path):
    """Only 平顶山市's web server: the inbox and the feed, nothing else running."""
    stack = Stack({"pds": databases.clone(templates["pds"], "e2e_pds")}, redis_url, tmp_path)
    stack.start_site("pds")
    yield stack
    stack.stop_all()


def raw_get(url_base, target: bytes, headers: dict) -> tuple[int, bytes]:
    """GET with the request target sent byte for byte, as a client that does
    not percent-encode would (so the query string is the raw push body)."""
    host, port = url_base.removeprefix("http://").split(":")
    lines = [b"GET " + target + b" HTTP/1.1", f"Host: {host}:{port}".encode(),
             b"Connection: close"] + [f"{k}: {v}".encode("latin-1") for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def refused_count(stack):
    return stack.query("pds", "select count(*) from security_event")[0][0]


def test_junk_and_mismatches_at_the_inbox_are_4xx_in_chinese(pds_site, site_factory):
    signer = site_factory("gps")  # the same demo keys as the running site
    url = pds_site.url("pds") + "/interop/v1/messages"

    def push(**changes):
        message_id, body = envelope.build(**{
            "type": "plan.filed", "source": "gps", "target": "410400",
            "entity": f"plan:{PUSH['plan_no']}", "entity_version": 1, "payload": PUSH,
            **changes})
        with signer.app_context():
            return body, signing.sign_headers("410400", message_id, body, "gps")

    body, headers = push()
    mismatch_body, mismatch_headers = push(entity="plan:410400-2026-00001")
    stamp = headers["webhook-timestamp"]
    cases = [
        (body.encode(), {**headers, "webhook-signature": "garbage"}),
        (body.encode(), {**headers, "webhook-signature": "v1,a,b"}),
        (b"\xff\xfe\x80 not utf-8 \xc3", headers),
        (body.encode(), {**headers, "webhook-timestamp": stamp + ".5"}),
        (body.encode(), {**headers, "webhook-timestamp": "1.5e9"}),
        (mismatch_body.encode(), mismatch_headers),
    ]
    before = refused_count(pds_site)
    for data, sent in cases:
        response = requests.post(url, data=data, headers=sent, timeout=10)
        assert 400 <= response.status_code < 500, (sent, response.status_code, response.text)
        answer = response.json()
        assert answer["error"] and CHINESE.search(answer["message"]), answer
    assert requests.post(url, data=mismatch_body.encode(), headers=mismatch_headers,
                         timeout=10).json()["error"] == "entity_mismatch"
    assert refused_count(pds_site) == before + len(cases) + 1
    assert pds_site.query("pds", "select count(*) from inbox_message where entity_key like "
                                 "'plan:410400-2026-%6666' or entity_key = "
                                 "'plan:410400-2026-00001'") == [[0]]
    # The real message still goes in.
    ok = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert ok.status_code == 200 and ok.json()["status"] == "applied"


def test_push_headers_do_not_read_the_feed_and_a_feed_request_works_once(pds_site, site_factory):
    signer = site_factory("gps")
    message_id, body = envelope.build(type="plan.filed", source="gps", target="410400",
                                      entity=f"plan:{PUSH['plan_no']}", entity_version=1,
                                      payload=PUSH)
    with signer.app_context():
        captured = signing.sign_headers("410400", message_id, body, "gps")
    before = refused_count(pds_site)
    status, answer = raw_get(pds_site.url("pds"), b"/interop/v1/feed?" + body.encode(), captured)
    assert status == 401, answer
    refusal = json.loads(answer)
    assert refusal["error"] == "bad_signature" and "messages" not in refusal
    assert CHINESE.search(refusal["message"])

    query = "since=0"
    with signer.app_context():
        feed_headers = signing.sign_request("410400", f"feed-{uuid.uuid4()}", "GET",
                                            "/interop/v1/feed", query, "gps")
    feed_url = pds_site.url("pds") + "/interop/v1/feed?" + query
    first = requests.get(feed_url, headers=feed_headers, timeout=10)
    assert first.status_code == 200 and "messages" in first.json()
    replay = requests.get(feed_url, headers=feed_headers, timeout=10)
    assert replay.status_code == 401 and replay.json()["error"] == "replayed"
    assert CHINESE.search(replay.json()["message"])
    assert refused_count(pds_site) == before + 2
