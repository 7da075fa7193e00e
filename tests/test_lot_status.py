"""lot.status (平顶山 → GPS): the trading side's 招标文件规划/开评标配置, 项目质疑
and 开标记录 reach GPS's lot_status_replica, one message per change, older
versions ignored, junk refused in Chinese. In-process, through the real inbox."""
import datetime as dt
import json

import pytest
import time_machine

from app.extensions import db
from app.models import InboxMessage, Lot, LotReplica, LotStatusReplica, ProjectReplica
from tests.acceptance_helpers import outbox
from tests.test_committee import deliver
from tests.workcal import add_workdays
from tests.test_lot_settings import (_accepted, _add_scoring, _api, _notice_received, _open_bid,
                                     _post_form)



def planned():
    """A lawful plan from today: documents for 5 working days, bids in 25 days."""
    start = add_workdays(dt.date.today(), 1)
    deadline = dt.datetime.combine(start + dt.timedelta(days=25), dt.time(9, 30))
    times = {"doc_issue_start": dt.datetime.combine(start, dt.time(9)),
             "doc_issue_end": dt.datetime.combine(add_workdays(start, 6), dt.time(17)),
             "bid_deadline": deadline, "open_time": deadline}
    form = {key: f"{value:%Y-%m-%d %H:%M:%S}" for key, value in times.items()}
    return times, {**form, "evaluation_method": "综合评分法", "committee_size": "5"}


@pytest.fixture
def pds(site_factory):
    return site_factory("pds")


def statuses(app):
    return outbox(app, "lot.status")


def test_each_kind_of_change_sends_the_lot_whole(pds):
    daili, _pk, code, (lot1, lot2) = _accepted(pds)
    _notice_received(pds, lot1)
    assert statuses(pds) == []  # the notice's arrival is no 招标文件规划

    times, form = planned()
    assert _post_form(daili, f"/lot-settings/edit/{lot1}", form).status_code == 302
    [sent] = statuses(pds)
    with pds.app_context():
        lot_code = db.session.get(Lot, lot1).code
    assert sent["target"] == "gps" and sent["entity"] == f"lot_status:{lot_code}"
    assert sent["entity_version"] == 1
    assert sent["payload"] == {
        "project_code": code, "lot_code": lot_code,
        **{key: value.isoformat() for key, value in times.items()},
        "evaluation_method": "综合评分法", "committee_size": 5, "objections": [], "bids": []}

    # Saving the same plan again changes nothing and sends nothing.
    assert _post_form(daili, f"/lot-settings/edit/{lot1}", form).status_code == 302
    assert len(statuses(pds)) == 1

    client, auth = _api(pds, "daili")
    today = dt.date.today()
    objection = client.post("/api/v1/objection/", headers=auth, json={
        "lot": lot1, "objector": "某某科技有限公司", "known_on": str(today),
        "received_on": str(today), "content": "对评分标准提出质疑"})
    assert objection.status_code == 201, objection.get_data(as_text=True)
    sent = statuses(pds)[-1]
    assert sent["entity_version"] == 2
    assert sent["payload"]["objections"] == [
        {"received_on": str(today), "known_on": str(today), "reply_date": None}]
    assert "某某科技有限公司" not in json.dumps(sent, ensure_ascii=False)  # stays on the platform
    replied = client.put(f"/api/v1/objection/{objection.json['id']}", headers=auth,
                         json={"reply": "质疑不成立", "reply_date": str(today)})
    assert replied.status_code == 200
    sent = statuses(pds)[-1]
    assert sent["entity_version"] == 3
    assert sent["payload"]["objections"][0]["reply_date"] == str(today)

    _add_scoring(pds, lot1, ("价格", "价格分", "100"), ("技术", "技术方案", "100"),
                 ("商务", "商务", "100"))
    assert len(statuses(pds)) == 3  # 评分标准 is not GPS's business
    opened_at = times["bid_deadline"]
    with time_machine.travel(opened_at + dt.timedelta(hours=1), tick=True):
        assert _open_bid(daili, lot1, "甲公司", "950000.00", opened_at).status_code == 302
        assert _open_bid(daili, lot1, "乙公司", "1200000.00", opened_at).status_code == 302
    sent = statuses(pds)[-1]
    assert sent["entity_version"] == 5
    assert sent["payload"]["bids"] == [
        {"bidder": "甲公司", "price": "950000.00", "opened_at": opened_at.isoformat(),
         "over_ceiling": False},
        {"bidder": "乙公司", "price": "1200000.00", "opened_at": opened_at.isoformat(),
         "over_ceiling": True}]
    # Every message of the lot carries a higher version; the other lot sent none.
    versions = [m["entity_version"] for m in statuses(pds)]
    assert versions == sorted(set(versions))
    with pds.app_context():
        assert db.session.get(Lot, lot1).status_version == 5
        assert db.session.get(Lot, lot2).status_version == 0


def _gps_project(gps, code, lot_codes, platform="410400"):
    """The trading project as project.accepted leaves it on GPS."""
    with gps.app_context():
        project = ProjectReplica(project_code=code, platform_code=platform, project_name="项目",
                                 budget=1500000, stage="受理通过", version=1,
                                 received_at=dt.datetime.now())
        for seq, lot_code in enumerate(lot_codes, 1):
            project.lots.append(LotReplica(code=lot_code, seq=seq, name=f"第{seq}包",
                                           budget=500000))
        db.session.add(project)
        db.session.commit()


def _relay(pds, gps, message):
    """A trading outbox message, its very body, into GPS's real inbox."""
    from app.models import OutboxMessage

    with pds.app_context():
        body = db.session.query(OutboxMessage.body).filter_by(message_id=message["id"]).scalar()
    answer, _ = deliver(gps, None, built=(message["id"], body), source="410400",
                        target="gps")
    return answer


def test_gps_keeps_the_newest_and_ignores_older(pds, gps):
    daili, _pk, code, (lot1, _lot2) = _accepted(pds, plan_no="410400-2026-95002")
    _notice_received(pds, lot1)
    times, form = planned()
    assert _post_form(daili, f"/lot-settings/edit/{lot1}", form).status_code == 302
    client, auth = _api(pds, "daili")
    today = dt.date.today()
    assert client.post("/api/v1/objection/", headers=auth, json={
        "lot": lot1, "objector": "某公司", "known_on": str(today), "received_on": str(today),
        "content": "质疑"}).status_code == 201
    first, second = statuses(pds)
    lot_code = first["payload"]["lot_code"]
    _gps_project(gps, code, [lot_code])

    assert _relay(pds, gps, second).json["status"] == "applied"
    late = _relay(pds, gps, first)
    assert late.status_code == 200 and late.json["result"] == "已忽略（旧版本）"
    with gps.app_context():
        replica = db.session.get(LotStatusReplica, lot_code)
        assert replica.version == 2 and replica.project_code == code
        assert replica.bid_deadline == times["bid_deadline"]
        assert replica.evaluation_method == "综合评分法" and replica.committee_size == 5
        assert replica.objections == [{"received_on": str(today), "known_on": str(today),
                                       "reply_date": None}]
        assert replica.bids == [] and replica.opened_at is None
        assert replica.configured_at is not None


def _status(code, lot, **changes):
    return {"project_code": code, "lot_code": lot, "doc_issue_start": None,
            "doc_issue_end": None, "bid_deadline": None, "open_time": None,
            "evaluation_method": None, "committee_size": None, "objections": [],
            "bids": [], **changes}


def _send(gps, payload, version=1, entity=None):
    answer, _ = deliver(gps, payload, version=version, type="lot.status", source="410400",
                        target="gps", entity=entity or f"lot_status:{payload['lot_code']}")
    return answer


def test_bids_make_the_opening_and_a_newer_plan_moves_the_configured_time(gps):
    _gps_project(gps, "JY410400-2026-0101", ["JY410400-2026-0101001"])
    lot = "JY410400-2026-0101001"
    bids = [{"bidder": "乙", "price": "2.00", "opened_at": "2026-12-22T09:40:00",
             "over_ceiling": False},
            {"bidder": "甲", "price": "1.00", "opened_at": "2026-12-22T09:30:00",
             "over_ceiling": True}]
    assert _send(gps, _status("JY410400-2026-0101", lot, bids=bids)).status_code == 200
    with gps.app_context():
        replica = db.session.get(LotStatusReplica, lot)
        assert replica.opened_at == dt.datetime(2026, 12, 22, 9, 30)
        assert replica.configured_at is None  # nothing planned yet
        assert replica.bids[1] == {"bidder": "甲", "price": "1.00",
                                   "opened_at": "2026-12-22T09:30:00", "over_ceiling": True}
    assert _send(gps, _status("JY410400-2026-0101", lot, committee_size=5, bids=bids),
                 version=2).json["status"] == "applied"
    with gps.app_context():
        assert db.session.get(LotStatusReplica, lot).configured_at is not None


@pytest.mark.parametrize("changes, status, error, words", [
    ({"committee_size": "五"}, 422, "bad_payload", "消息内容不合规"),
    ({"evaluation_method": "抓阄"}, 422, "bad_payload", "消息内容不合规"),
    ({"bids": [{"bidder": "甲", "price": "-1", "opened_at": "2026-12-22T09:30:00",
                "over_ceiling": False}]}, 422, "bad_payload", "消息内容不合规"),
    ({"objections": [{"received_on": "昨天", "known_on": "2026-12-01"}]}, 422, "bad_payload",
     "消息内容不合规"),
    ({"open_time": "9999-12-31T23:59:59", "bid_deadline": "9999-12-31T23:59:59"}, 422,
     "bad_payload", "消息内容不合规"),
    ({"doc_issue_start": "0001-01-01T00:00:00"}, 422, "bad_payload", "消息内容不合规"),
    ({"objections": [{"received_on": "9999-12-31", "known_on": "2026-12-01"}]}, 422,
     "bad_payload", "消息内容不合规"),
    *[({"bids": [{"bidder": bidder, "price": price, "opened_at": "2026-12-22T09:30:00",
                  "over_ceiling": over}]}, 422, "bad_payload", "消息内容不合规")
      for bidder, price, over in [("甲", "99999999999999999.99", False), ("甲", "٣", False),
                                  ("甲", 12.5, False), ("甲", "12.345", False),
                                  ("甲", "100.00", "false"), ("甲", "100.00", 0),
                                  ("甲\x00乙", "100.00", False), ("甲", "100.00", None)]],
    ({"bids": [{"bidder": "甲", "price": "100.00", "opened_at": "9999-12-31T00:00:00",
                "over_ceiling": False}]}, 422, "bad_payload", "消息内容不合规"),
    # Not received yet: 425, which the sender retries (app/sync/delivery.py).
    ({"project_code": "JY410400-2099-0001"}, 425, "unknown_project", "尚未收到平台410400的项目"),
    ({"lot_code": "JY410400-2026-0101009"}, 425, "unknown_lot", "的标段“JY410400-2026-0101009”"),
])
def test_junk_is_refused_in_chinese_and_stores_nothing(gps, changes, status, error, words):
    _gps_project(gps, "JY410400-2026-0101", ["JY410400-2026-0101001"])
    payload = _status("JY410400-2026-0101", "JY410400-2026-0101001", **changes)
    answer = _send(gps, payload, entity=f"lot_status:{payload['lot_code']}")
    assert answer.status_code == status and answer.json["error"] == error, answer.json
    assert words in answer.json["message"]
    with gps.app_context():
        assert db.session.query(LotStatusReplica).count() == 0
        assert db.session.query(InboxMessage).filter_by(type="lot.status").count() == 0


def test_another_platform_may_not_speak_for_the_project(gps):
    _gps_project(gps, "JY411322-2026-0001", ["JY411322-2026-0001001"], platform="411322")
    answer = _send(gps, _status("JY411322-2026-0001", "JY411322-2026-0001001"))
    assert answer.status_code == 422 and answer.json["error"] == "unknown_project"
