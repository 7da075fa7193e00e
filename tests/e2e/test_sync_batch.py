"""Batched sync (#17 item 3) over real HTTP to a running trading site:
one signed POST carries many messages; each is stored and applied in its own
transaction, in order, and answered on its own, so one bad message holds up
none of the others; the signature covers the whole batch."""
import datetime as dt
import json

import pytest
import redis
import requests

from app.extensions import db
from app.models import OutboxMessage, Peer
from app.sync import delivery, envelope, outbox, signing
from tests.e2e.test_sync_faults import pds_site  # noqa: F401 - the fixture

UNIT = {"name": "平顶山市教育局", "credit_code": "11410400MB0000001P", "region_code": "410400"}


def plan(plan_no, name, **changes):
    return {"plan_no": plan_no, "project_name": name, "unit": UNIT, "agency": None,
            "procurement_method": "询价", "category": "货物", "item_name": "纸",
            "budget": "1000000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
            **changes}


def message(plan_no, version, name, **changes):
    return envelope.build(type="plan.filed", source="gps", target="410400",
                          entity=f"plan:{plan_no}", entity_version=version,
                          payload=plan(plan_no, name, **changes))[1]


def signed(signer, body, batch_id="batch-test-1"):
    with signer.app_context():
        return signing.sign_headers("410400", batch_id, body, "gps")


def replica(site, plan_no):
    rows = site.query("pds", "select version, project_name from plan_replica "
                             f"where plan_no = '{plan_no}'")
    return tuple(rows[0]) if rows else None


def test_a_batch_is_answered_per_message_and_one_bad_message_blocks_none(pds_site, site_factory):
    signer = site_factory("gps")  # the same demo keys as the running site
    first = message("410400-2026-07001", 1, "批量甲一")
    texts = [first,
             message("410400-2026-07001", 2, "批量甲二"),
             message("410400-2026-07002", 1, "批量坏", budget="不是金额"),
             message("410400-2026-07003", 1, "批量乙"),
             first,  # the same message twice: applied once
             message("410400-2026-07001", 1, "批量甲旧")]  # older than what is applied
    body = envelope.batch(texts)
    answer = requests.post(pds_site.url("pds") + "/interop/v1/batch", data=body.encode(),
                           headers=signed(signer, body), timeout=10)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["id"] for r in results] == [json.loads(t)["id"] for t in texts]
    assert [r["status"] for r in results] == [
        "applied", "applied", "refused", "applied", "duplicate", "ignored"]
    assert results[2]["http"] == 422 and results[2]["error"] == "bad_payload"
    assert "消息内容不合规" in results[2]["message"]
    assert replica(pds_site, "410400-2026-07001") == (2, "批量甲二")
    assert replica(pds_site, "410400-2026-07003") == (1, "批量乙")
    assert replica(pds_site, "410400-2026-07002") is None
    # The versions of one entity were applied in the batch's order.
    assert pds_site.query("pds", "select entity_version, result from inbox_message "
                                 "where entity_key = 'plan:410400-2026-07001' order by id") == [
        [1, "已应用"], [2, "已应用"], [1, "已忽略（旧版本）"]]


def test_the_signature_covers_the_whole_batch(pds_site, site_factory):
    signer = site_factory("gps")
    url = pds_site.url("pds") + "/interop/v1/batch"
    texts = [message("410400-2026-07011", 1, "签名甲"), message("410400-2026-07012", 1, "签名乙")]
    body = envelope.batch(texts)
    headers = signed(signer, body)
    tampered = body.replace("签名乙", "偷换乙")
    refused = requests.post(url, data=tampered.encode(), headers=headers, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "bad_signature"
    dropped = envelope.batch(texts[:1])  # a message taken out of a signed batch
    assert requests.post(url, data=dropped.encode(), headers=headers,
                         timeout=10).status_code == 401
    assert replica(pds_site, "410400-2026-07011") is None
    assert replica(pds_site, "410400-2026-07012") is None

    # A single push's body and signature are no batch, and a batch no push.
    single = texts[0]
    with signer.app_context():
        single_headers = signing.sign_headers("410400", json.loads(single)["id"], single, "gps")
    as_batch = requests.post(url, data=single.encode(), headers=single_headers, timeout=10)
    assert as_batch.status_code == 422 and as_batch.json()["error"] == "bad_batch"
    as_push = requests.post(pds_site.url("pds") + "/interop/v1/messages", data=body.encode(),
                            headers=headers, timeout=10)
    assert 400 <= as_push.status_code < 500
    assert replica(pds_site, "410400-2026-07011") is None

    for junk, status in (("not json", 400), ("[]", 422), ('{"messages": []}', 422),
                         ('{"messages": [1]}', 422),
                         (envelope.batch(["x"] * (envelope.MAX_BATCH_MESSAGES + 1)), 422)):
        answer = requests.post(url, data=junk.encode(), headers=signed(signer, junk), timeout=10)
        assert answer.status_code == status, (junk[:20], answer.text)
        assert answer.json()["message"]

    ok = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert [r["status"] for r in ok.json()["results"]] == ["applied", "applied"]


@pytest.fixture
def sender(pds_site, site_factory):
    """GPS in this process, its peer 410400 aimed at the running trading site."""
    app = site_factory("gps")
    with app.app_context():
        db.session.get(Peer, "410400").base_url = pds_site.url("pds")
        db.session.commit()
    return app


def queue(app, plan_no, version, name, **changes):
    with app.test_request_context():
        row = outbox.send("plan.filed", "410400", f"plan:{plan_no}", version,
                          plan(plan_no, name, **changes))
        db.session.commit()
        return row.message_id


def states(app, ids):
    with app.app_context():
        rows = {r.message_id: r for r in db.session.query(OutboxMessage)
                .filter(OutboxMessage.message_id.in_(ids))}
        return [(rows[i].state, rows[i].last_error) for i in ids]


def test_a_worker_sends_what_is_due_in_one_post_and_settles_each(pds_site, sender, monkeypatch):
    posts = []
    real_post = delivery._http.post
    monkeypatch.setattr(delivery._http, "post",
                        lambda url, **kw: posts.append(url) or real_post(url, **kw))
    ids = [queue(sender, "410400-2026-07021", 1, "发送甲一"),
           queue(sender, "410400-2026-07021", 2, "发送甲二"),
           queue(sender, "410400-2026-07022", 1, "发送坏", budget="不是金额"),
           queue(sender, "410400-2026-07023", 1, "发送乙"),
           queue(sender, "410400-2026-07021", 3, "发送甲三")]
    # 丙 v1 failed earlier and waits for its retry: 丙 v2 must not overtake it.
    held = queue(sender, "410400-2026-07024", 1, "发送丙一")
    later = queue(sender, "410400-2026-07024", 2, "发送丙二")
    with sender.app_context():
        row = db.session.query(OutboxMessage).filter_by(message_id=held).one()
        row.state, row.next_attempt_at = "推送失败", dt.datetime.now() + dt.timedelta(hours=1)
        db.session.commit()
        assert delivery.deliver(ids[0], "gps") == "已推送"
    assert posts == [pds_site.url("pds") + "/interop/v1/batch"]
    # The jobs waiting for the messages the batch took are off the queue.
    waiting = {job.decode() for job in redis.Redis.from_url(sender.config["REDIS_URL"])
               .lrange("rq:queue:sync-gps-to-410400", 0, -1)}
    assert not waiting & {outbox.job_id(i) for i in ids[1:]}
    assert outbox.job_id(later) in waiting
    assert [s for s, _ in states(sender, ids)] == ["已推送", "已推送", "死信", "已推送", "已推送"]
    assert "bad_payload" in states(sender, ids)[2][1]
    assert states(sender, [held, later]) == [("推送失败", None), ("待推送", None)]
    assert replica(pds_site, "410400-2026-07021") == (3, "发送甲三")
    assert replica(pds_site, "410400-2026-07023") == (1, "发送乙")
    assert replica(pds_site, "410400-2026-07024") is None
    assert pds_site.query("pds", "select entity_version from inbox_message where entity_key = "
                                 "'plan:410400-2026-07021' order by id") == [[1], [2], [3]]

    # The other messages' own jobs find them sent: no second POST.
    with sender.app_context():
        assert [delivery.deliver(i, "gps") for i in ids[1:]] == ["skipped"] * 4
    assert len(posts) == 1


def test_a_refused_batch_is_every_message_retried(pds_site, sender):
    ids = [queue(sender, "410400-2026-07031", 1, "重试甲"),
           queue(sender, "410400-2026-07032", 1, "重试乙")]
    with sender.app_context():
        db.session.get(Peer, "410400").base_url = "http://127.0.0.1:9"  # nothing listens
        db.session.commit()
        assert delivery.deliver(ids[0], "gps") == "推送失败"
    assert [s for s, _ in states(sender, ids)] == ["推送失败", "推送失败"]
    with sender.app_context():
        db.session.get(Peer, "410400").base_url = pds_site.url("pds")
        db.session.query(OutboxMessage).filter(OutboxMessage.message_id.in_(ids)) \
            .update({"next_attempt_at": dt.datetime.now()}, synchronize_session=False)
        db.session.commit()
        assert delivery.deliver(ids[1], "gps") == "已推送"
    assert [s for s, _ in states(sender, ids)] == ["已推送", "已推送"]
