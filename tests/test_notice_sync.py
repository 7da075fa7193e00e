"""Notices, both directions: notice.published (GPS → 平顶山市) puts the notice
on the website and acts on its type; notice.online (平顶山市 → GPS) says
where it went online. Signed by the real signing code, through the real
inbox; the sender's outcome through delivery.record_outcome. Also the
trading site's 【项目管理】→【项目公告】."""
import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import (
    InboxMessage,
    Lot,
    Notice,
    NoticeLot,
    OutboxMessage,
    Plan,
    ProjectReplica,
    PublishedNotice,
    SecurityEvent,
    TimeChange,
    TradingProject,
)
from app.sync import delivery, envelope, signing
from app.sync.messages.notice import NoticePayload, entity_key, payload_of
from tests.acceptance_helpers import (accepted_project, add_lot, complete, project_of, pushed_plan,
                                      second_agency_user, take_plan)
from tests.helpers import logged_in

BODY = '<p>一、项目基本情况</p><script>alert("x")</script><p onclick="steal()">正文</p>'
TIMES = {"doc_start": "2026-12-01T09:00:00", "doc_end": "2026-12-08T17:00:00",
         "bid_deadline": "2026-12-22T09:30:00", "open_time": "2026-12-22T09:30:00"}


# --- helpers -------------------------------------------------------------------------

def _accepted(pds, plan_no="410400-2026-97001"):
    """A project from a pushed plan, accepted by keshi, with two lots.
    Returns (project id, project code, [lot codes])."""
    _daili, pk, code = accepted_project(pds, plan_no)
    return pk, code, [f"{code}001", f"{code}002"]


def _payload(code, lot_codes, key="GG-2026-0001", notice_type="采购公告", times=TIMES,
             body=BODY, **extra):
    data = {"notice_key": key, "notice_type": notice_type,
            "title": f"{code}项目{notice_type}", "project_code": code,
            "plan_no": "410400-2026-97001", "region_code": "410400", "original_key": None,
            "body_html": body, "published_at": "2026-11-20T10:00:00",
            "lots": [{"code": c, "name": f"标段{c[-3:]}", "budget": "500000.00"}
                     for c in lot_codes],
            "times": times}
    data.update(extra)
    return data


def _message(payload, version=1, source="gps", target="410400", type="notice.published"):
    return envelope.build(type=type, source=source, target=target,
                          entity=entity_key(payload["notice_key"]), entity_version=version,
                          payload=payload)


def _post(receiver, message_id, body, peer, source):
    """POST a message to `receiver`, signed with the key it holds for `peer`
    (the pair's shared secret: the same the sender signs with)."""
    with receiver.app_context():
        headers = signing.sign_headers(peer, message_id, body, source)
    return receiver.test_client().post("/interop/v1/messages", data=body.encode(),
                                       headers=headers)


def _publish(pds, payload, version=1):
    message_id, body = _message(payload, version)
    return _post(pds, message_id, body, "gps", "gps")


def _relay(sender, receiver, kind):
    """Deliver the sender's newest outbox row of `kind` as a delivery job
    would (signed POST), and record the outcome on the sender."""
    with sender.app_context():
        row = (db.session.query(OutboxMessage).filter_by(type=kind)
               .order_by(OutboxMessage.id.desc()).first())
        assert row is not None, f"no {kind} in the outbox"
        headers = signing.sign_headers(row.target, row.message_id, row.body,
                                       sender.config["SITE_CODE"])
        response = receiver.test_client().post("/interop/v1/messages",
                                               data=row.body.encode(), headers=headers)
        delivery.record_outcome(row, response.status_code, response.get_data(as_text=True))
    return response


def _outbox(app, kind):
    with app.app_context():
        return [(row.target, row.entity_key, row.entity_version, json.loads(row.body)["payload"])
                for row in db.session.query(OutboxMessage).filter_by(type=kind)
                .order_by(OutboxMessage.id)]


def _lots(pds, code):
    with pds.app_context():
        return {lot.code: (lot.notice_received_at, lot.doc_issue_start, lot.doc_issue_end,
                           lot.bid_deadline, lot.open_time)
                for lot in db.session.query(Lot).filter(Lot.code.like(code + "%"))}


def _stage(pds, pk):
    with pds.app_context():
        return db.session.get(TradingProject, pk).stage


def _stored(pds):
    with pds.app_context():
        return {n.notice_key: (n.column, n.version, n.body_html) for n in
                db.session.query(PublishedNotice).filter(
                    ~PublishedNotice.notice_key.like("seed-%"))}


def _refusals(app, code):
    with app.app_context():
        return db.session.query(SecurityEvent).filter(
            SecurityEvent.reason.like(f"{code}:%")).count()


# --- GPS → trading → GPS, end to end ------------------------------------------------------

@pytest.fixture
def sites(site_factory):
    return site_factory("gps"), site_factory("pds")


def _gps_notice(gps, plan_no, project_code, key="GG-2026-0001"):
    """A 采购公告 as the GPS wizard publishes it, for one lot; with its
    notice.published in the outbox (sent as the wizard will: payload_of,
    entity_key, the notice's version)."""
    from app.sync import outbox

    with gps.test_request_context():
        plan = db.session.query(Plan).filter_by(plan_no=plan_no).one()
        jingban = gps.appbuilder.sm.find_user(username="jingban")
        lot = db.session.get(ProjectReplica, project_code).lots[0]  # lot 1 of 2
        notice = Notice(
            notice_key=key, notice_type="采购公告", project_code=lot.project_code,
            plan=plan, unit_id=plan.unit_id, agency_id=plan.agency_id,
            region_code=plan.region_code, platform_code="410400",
            title="平顶山市教育局多媒体教室设备采购公开招标公告", state="已发布",
            published_at=dt.datetime(2026, 11, 20, 10, 0), sync_state="待推送",
            doc_start=dt.datetime(2026, 12, 1, 9), doc_end=dt.datetime(2026, 12, 8, 17),
            bid_deadline=dt.datetime(2026, 12, 22, 9, 30),
            open_time=dt.datetime(2026, 12, 22, 9, 30),
            created_by_fk=jingban.id, changed_by_fk=jingban.id,
            changed_on=dt.datetime(2026, 11, 20, 10, 0),
            lots=[NoticeLot(seq=1, lot_code=lot.code, name=lot.name, budget=lot.budget)])
        db.session.add(notice)
        db.session.flush()
        outbox.send("notice.published", "410400", entity_key(key), notice.version,
                    payload_of(notice, BODY))
        db.session.commit()


def _notice_state(gps, key="GG-2026-0001"):
    with gps.app_context():
        n = db.session.query(Notice).filter_by(notice_key=key).one()
        return {"sync_state": n.sync_state, "synced_at": n.synced_at, "online_at": n.online_at,
                "web_path": n.web_path, "version": n.version, "changed_on": n.changed_on,
                "changed_by_fk": n.changed_by_fk}


def test_a_procurement_notice_goes_online_and_gps_hears_where(sites):
    gps, pds = sites
    with gps.app_context():
        plan_no = db.session.query(Plan.plan_no).filter_by(pushed_to="410400").order_by(
            Plan.id).first()[0]
    pk, code, (lot1, lot2) = _accepted(pds, plan_no)
    assert _relay(pds, gps, "project.accepted").status_code == 200  # 标段推送
    _gps_notice(gps, plan_no, code)
    before = _notice_state(gps)

    # GPS → 平顶山市: on the website at once, for anyone.
    response = _relay(gps, pds, "notice.published")
    assert response.status_code == 200, response.get_data(as_text=True)
    web = pds.test_client()
    home = web.get("/web/").get_data(as_text=True)
    assert "平顶山市教育局多媒体教室设备采购公开招标公告" in home
    with pds.app_context():
        stored = db.session.query(PublishedNotice).filter_by(notice_key="GG-2026-0001").one()
        notice_id, column, lots = stored.id, stored.column, stored.lots
        assert "<script" not in stored.body_html and "onclick" not in stored.body_html
    assert column == "采购公告" and [lot["code"] for lot in lots] == [lot1]
    page = web.get(f"/web/notices/{notice_id}").get_data(as_text=True)
    assert "一、项目基本情况" in page and "alert(" not in page

    # Lot 1 may now plan its documents, with the notice's times; lot 2 not.
    received, start, end, deadline, opening = _lots(pds, code)[lot1]
    assert received is not None
    assert (start, end, deadline, opening) == (
        dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 8, 17),
        dt.datetime(2026, 12, 22, 9, 30), dt.datetime(2026, 12, 22, 9, 30))
    assert _lots(pds, code)[lot2] == (None, None, None, None, None)
    assert _stage(pds, pk) == "公告已发布"
    status = _outbox(pds, "project.status")
    assert [(t, p) for t, _k, _v, p in status] == [
        ("gps", {"project_code": code, "stage": "公告已发布"})]
    [(target, key, version, online)] = _outbox(pds, "notice.online")
    assert (target, key, version) == ("gps", "notice:GG-2026-0001", before["version"])
    assert online["web_path"] == f"/web/notices/{notice_id}"
    assert online["notice_key"] == "GG-2026-0001" and online["version"] == before["version"]

    # The sender recorded 已同步, without touching the user's fields or the lock.
    after = _notice_state(gps)
    assert after["sync_state"] == "已同步" and after["synced_at"] is not None
    for field in ("version", "changed_on", "changed_by_fk", "online_at"):
        assert after[field] == before[field], field

    # 平顶山市 → GPS: where and when it went online; the stage too.
    assert _relay(pds, gps, "notice.online").status_code == 200
    assert _relay(pds, gps, "project.status").status_code == 200
    online_state = _notice_state(gps)
    assert online_state["web_path"] == f"/web/notices/{notice_id}"
    assert online_state["online_at"] is not None
    assert online_state["version"] == before["version"]
    assert online_state["changed_on"] == before["changed_on"]
    with gps.app_context():
        assert db.session.get(ProjectReplica, code).stage == "公告已发布"

    # The same message again (a retry whose answer was lost): nothing changes.
    lots_before, outbox_before = _lots(pds, code), len(_outbox(pds, "notice.online"))
    with gps.app_context():
        row = db.session.query(OutboxMessage).filter_by(type="notice.published").one()
        message_id, body = row.message_id, row.body
    again = _post(pds, message_id, body, "gps", "gps")
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert _lots(pds, code) == lots_before
    assert len(_outbox(pds, "notice.online")) == outbox_before
    assert len(_outbox(pds, "project.status")) == 1
    with pds.app_context():
        assert db.session.query(PublishedNotice).filter_by(notice_key="GG-2026-0001").count() == 1


def test_payload_of_is_what_the_schema_accepts(sites):
    """payload_of → JSON → NoticePayload, without loss; times None when none."""
    gps, _pds = sites
    with gps.app_context():
        plan = db.session.query(Plan).filter_by(pushed_to="410400").order_by(Plan.id).first()
        plan_no = plan.plan_no
        lot = NoticeLot(seq=1, lot_code="JY410400-2026-0001001", name="第一包",
                        budget=Decimal("1000000"))
        original = Notice(notice_key="GG-ORIG", notice_type="采购公告")
        notice = Notice(notice_key="GG-TERM", notice_type="变更公告", title="变更公告",
                        project_code="JY410400-2026-0001", plan=plan,
                        region_code=plan.region_code, published_at=dt.datetime(2026, 11, 21, 8),
                        original=original, lots=[lot])
        payload = payload_of(notice, "<p>x</p>")
        db.session.rollback()
    loaded = NoticePayload().load(json.loads(json.dumps(payload)))
    assert payload["lots"] == [{"code": "JY410400-2026-0001001", "name": "第一包",
                                "budget": "1000000.00", "max_price": None}]
    assert payload["original_key"] == "GG-ORIG" and payload["times"] is None
    assert payload["plan_no"] == plan_no and payload["region_code"] == "410400"
    assert loaded["published_at"] == dt.datetime(2026, 11, 21, 8)
    assert entity_key("GG-TERM") == "notice:GG-TERM"


# --- trading side ----------------------------------------------------------------------

@pytest.fixture
def pds_project(site_factory):
    pds = site_factory("pds")
    return (pds, *_accepted(pds))


def test_a_change_notice_opens_the_time_change_column(pds_project):
    pds, pk, code, (lot1, lot2) = pds_project
    new_times = {**TIMES, "bid_deadline": "2026-12-29T09:30:00",
                 "open_time": "2026-12-29T09:30:00"}
    response = _publish(pds, _payload(code, [lot2], key="GG-2026-0002", notice_type="变更公告",
                                      times=new_times, original_key="GG-2026-0001"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _stored(pds)["GG-2026-0002"][:2] == ("变更公告", 1)
    with pds.app_context():
        change = db.session.query(TimeChange).filter_by(notice_key="GG-2026-0002").one()
        assert (change.project_id, change.lot_codes, change.state) == (pk, [lot2], "待调整")
        assert change.notice_title == f"{code}项目变更公告"
    # A change notice neither unlocks lots nor moves the stage, nor sets times.
    assert all(values == (None,) * 5 for values in _lots(pds, code).values())
    assert _stage(pds, pk) == "受理通过" and _outbox(pds, "project.status") == []
    assert [p["notice_key"] for *_x, p in _outbox(pds, "notice.online")] == ["GG-2026-0002"]


@pytest.mark.parametrize("notice_type", ["终止公告", "结果公告", "结果更正公告"])
def test_other_notices_are_only_published(pds_project, notice_type):
    pds, pk, code, lot_codes = pds_project
    response = _publish(pds, _payload(code, lot_codes, notice_type=notice_type, times=None))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _stored(pds)["GG-2026-0001"][0] == notice_type
    assert all(values == (None,) * 5 for values in _lots(pds, code).values())
    assert _stage(pds, pk) == "受理通过"
    with pds.app_context():
        assert db.session.query(TimeChange).count() == 0
    assert len(_outbox(pds, "notice.online")) == 1


def test_a_newer_version_replaces_the_website_copy_and_keeps_the_lots_times(pds_project):
    pds, pk, code, (lot1, _lot2) = pds_project
    assert _publish(pds, _payload(code, [lot1])).status_code == 200
    first = _lots(pds, code)[lot1]
    later = {"doc_start": "2027-01-05T09:00:00", "doc_end": "2027-01-12T17:00:00",
             "bid_deadline": "2027-01-26T09:00:00", "open_time": "2027-01-26T09:00:00"}
    assert _publish(pds, _payload(code, [lot1], times=later, body="<p>第二版</p>"),
                    version=2).status_code == 200
    assert _stored(pds)["GG-2026-0001"][1:] == (2, "<p>第二版</p>")
    assert _lots(pds, code)[lot1] == first  # the agency's (here: the first) times stay
    assert _stage(pds, pk) == "公告已发布" and len(_outbox(pds, "project.status")) == 1
    # An older version arriving late is ignored by the inbox.
    assert _publish(pds, _payload(code, [lot1], body="<p>旧</p>")).json["status"] == "ignored"
    assert _stored(pds)["GG-2026-0001"][2] == "<p>第二版</p>"


@pytest.mark.parametrize("case,error,words", [
    ("project", "unknown_project", "本平台没有项目“JY410400-2099-9999”"),
    ("lot", "unknown_lot", "没有标段“{code}009”"),
])
def test_unknown_project_or_lot_is_refused_and_nothing_is_stored(pds_project, case, error,
                                                                 words):
    pds, pk, code, (lot1, _lot2) = pds_project
    payload = (_payload("JY410400-2099-9999", [lot1]) if case == "project"
               else _payload(code, [lot1, f"{code}009"]))
    response = _publish(pds, payload)
    assert response.status_code == 422
    assert response.json["error"] == error
    assert words.format(code=code) in response.json["message"]
    assert _stored(pds) == {}
    assert _lots(pds, code)[lot1][0] is None and _stage(pds, pk) == "受理通过"
    assert _outbox(pds, "notice.online") == [] and _outbox(pds, "project.status") == []
    assert _refusals(pds, error) == 1
    with pds.app_context():
        assert db.session.query(InboxMessage).filter_by(type="notice.published").count() == 0


def test_a_project_not_yet_accepted_is_refused(site_factory):
    pds = site_factory("pds")
    pushed_plan(pds, "410400-2026-97101")
    daili = logged_in(pds, "daili")
    take_plan(daili, "410400-2026-97101")
    pk, code, _state = project_of(pds, "410400-2026-97101")
    complete(daili, pk)
    add_lot(daili, pk, "第一包", "1000000.00")
    response = _publish(pds, _payload(code, [f"{code}001"]))
    assert response.status_code == 422 and response.json["error"] == "unknown_project"
    assert "尚未受理通过" in response.json["message"]
    assert _stored(pds) == {}


def test_a_bad_payload_is_refused(pds_project):
    pds, _pk, code, (lot1, _lot2) = pds_project
    for bad in ({"notice_type": "公示"}, {"lots": []}, {"region_code": "4104"},
                {"times": {"doc_start": "不是时间"}}):
        response = _publish(pds, _payload(code, [lot1], **bad))
        assert response.status_code == 422 and response.json["error"] == "bad_payload", bad
    assert _stored(pds) == {}


# --- GPS side: notice.online and the sender's bookkeeping ---------------------------------

@pytest.fixture
def gps_notice(site_factory):
    """GPS with a published notice for 平顶山市 (no project replica needed
    beyond the one the notice names)."""
    gps = site_factory("gps")
    with gps.app_context():
        plan = db.session.query(Plan).filter_by(pushed_to="410400").order_by(Plan.id).first()
        jingban = gps.appbuilder.sm.find_user(username="jingban")
        db.session.add(ProjectReplica(
            project_code="JY410400-2026-0001", platform_code="410400", plan=plan,
            plan_no=plan.plan_no, project_name=plan.project_name, budget=plan.budget,
            stage="受理通过", version=1, received_at=dt.datetime.now()))
        db.session.add(Notice(
            notice_key="GG-2026-0001", notice_type="采购公告",
            project_code="JY410400-2026-0001", plan=plan, unit_id=plan.unit_id,
            region_code=plan.region_code, platform_code="410400", title="采购公告",
            state="已发布", published_at=dt.datetime.now(), sync_state="待推送",
            created_by_fk=jingban.id, changed_by_fk=jingban.id))
        db.session.commit()
    return gps


def _online(gps, source="410400", key="GG-2026-0001", version=1):
    payload = {"notice_key": key, "version": 1, "web_path": "/web/notices/42",
               "online_at": "2026-11-20T10:00:05"}
    message_id, body = _message(payload, version, source=source, target="gps",
                                type="notice.online")
    return _post(gps, message_id, body, source, source)


def test_notice_online_from_the_right_platform_is_recorded(gps_notice):
    before = _notice_state(gps_notice)
    response = _online(gps_notice)
    assert response.status_code == 200, response.get_data(as_text=True)
    after = _notice_state(gps_notice)
    assert after["web_path"] == "/web/notices/42"
    assert after["online_at"] == dt.datetime(2026, 11, 20, 10, 0, 5)
    assert (after["version"], after["changed_on"]) == (before["version"], before["changed_on"])


def test_notice_online_from_another_platform_or_for_no_notice_is_refused(gps_notice):
    other = _online(gps_notice, source="411322")
    assert other.status_code == 422 and other.json["error"] == "not_sent_here"
    assert "未发送至平台411322" in other.json["message"]
    missing = _online(gps_notice, key="GG-NONE")
    assert missing.status_code == 422 and missing.json["error"] == "unknown_notice"
    state = _notice_state(gps_notice)
    assert state["online_at"] is None and state["web_path"] is None
    bad = _post(gps_notice, *_message({"notice_key": "GG-2026-0001", "version": 1,
                                       "web_path": "https://evil.example/",
                                       "online_at": "2026-11-20T10:00:05"},
                                      source="410400", target="gps", type="notice.online"),
                "410400", "410400")
    assert bad.status_code == 422 and bad.json["error"] == "bad_payload"


def _outcome(gps, status, version=1, key="GG-2026-0001"):
    from app.sync import outbox

    with gps.test_request_context():
        row = outbox.send("notice.published", "410400", entity_key(key), version,
                          {"notice_key": key})
        db.session.commit()
        delivery.record_outcome(row, status, "" if status == 200 else '{"error":"x"}')


def test_record_sync_marks_synced_or_failed_for_the_current_version_only(gps_notice):
    before = _notice_state(gps_notice)
    _outcome(gps_notice, 422)  # refused: 死信
    failed = _notice_state(gps_notice)
    assert failed["sync_state"] == "推送失败" and failed["synced_at"] is None
    _outcome(gps_notice, 200, version=before["version"] + 1)  # not this version: ignored
    assert _notice_state(gps_notice)["sync_state"] == "推送失败"
    _outcome(gps_notice, 200)
    synced = _notice_state(gps_notice)
    assert synced["sync_state"] == "已同步" and synced["synced_at"] is not None
    for field in ("version", "changed_on", "changed_by_fk"):
        assert synced[field] == before[field], field


# --- 【项目管理】→【项目公告】 ---------------------------------------------------------------



def test_the_agency_sees_its_projects_notices_and_no_other(pds_project):
    pds, _pk, code, (lot1, _lot2) = pds_project
    assert _publish(pds, _payload(code, [lot1])).status_code == 200
    with pds.app_context():
        notice_id = db.session.query(PublishedNotice.id).filter_by(
            notice_key="GG-2026-0001").scalar()
    title = f"{code}项目采购公告"

    daili = logged_in(pds, "daili")
    listing = daili.get("/project-notices/list/").get_data(as_text=True)
    assert title in listing and "采购公告" in listing and code in listing
    assert "项目公告" in listing  # the menu and the title
    assert f'href="/web/notices/{notice_id}"' in listing
    assert "2026-11-20 10:00" in listing and "10:00:00" not in listing  # to the minute
    show = daili.get(f"/project-notices/show/{notice_id}").get_data(as_text=True)
    assert "<p>一、项目基本情况</p>" in show  # the body as HTML, not escaped
    assert "<script>alert" not in show and "steal()" not in show
    keshi = logged_in(pds, "keshi")
    assert title in keshi.get("/project-notices/list/").get_data(as_text=True)
    assert keshi.get(f"/project-notices/show/{notice_id}").status_code == 200

    second_agency_user(pds)
    other = logged_in(pds, "daili2")
    page = other.get("/project-notices/list/")
    assert page.status_code == 200 and title not in page.get_data(as_text=True)
    assert not re.search(r'href="/web/notices/\d+"', page.get_data(as_text=True))
    assert other.get(f"/project-notices/show/{notice_id}").status_code == 404


def test_a_withdrawn_notice_leaves_the_project_notices(pds_project):
    """Off the website, off 【项目公告】 (its filter is written `IS NOT
    false` so that SQLite walks the list by its time, views/trading/
    project_notices.py)."""
    pds, _pk, code, (lot1, _lot2) = pds_project
    assert _publish(pds, _payload(code, [lot1])).status_code == 200
    title = f"{code}项目采购公告"
    daili = logged_in(pds, "daili")
    assert title in daili.get("/project-notices/list/").get_data(as_text=True)
    with pds.app_context():
        notice = db.session.query(PublishedNotice).filter_by(notice_key="GG-2026-0001").one()
        notice.published, notice_id = False, notice.id
        db.session.commit()
    assert title not in daili.get("/project-notices/list/").get_data(as_text=True)
    assert daili.get(f"/project-notices/show/{notice_id}").status_code == 404


@pytest.mark.parametrize("user", ["daili", "keshi"])
def test_the_project_notices_page_walks_the_notices_newest_first(pds_project, user):
    """On SQLite, which keeps no statistics of the website's tables, the
    page is read from ix_published_notice_published_at and stops at 20
    rows; `published = 1` made it read every notice by its flag and sort
    them (440 ms at a city's 417,000, bench/trading_list_bench.py). Each
    notice's project is looked up by its code, not listed first."""
    from tests.test_website_search import plan_of, statements_of

    pds, _pk, code, (lot1, _lot2) = pds_project
    assert _publish(pds, _payload(code, [lot1])).status_code == 200
    client = logged_in(pds, user)
    with pds.app_context():
        [(sql, params)] = [(sql, params) for sql, params in statements_of(
            lambda: client.get("/project-notices/list/")) if "FROM published_notice" in sql
            and "ORDER BY" in sql]
        plan = plan_of(sql, params)
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert "SCAN published_notice USING INDEX ix_published_notice_published_at" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        # Each notice's project by its code; the only list is the region's.
        assert "SEARCH trading_project USING INDEX" in plan and "(project_code=?)" in plan, plan
        assert "SCAN trading_project" not in plan and "(agency_id=?)" not in plan, plan


@pytest.mark.parametrize("user,status", [("admin", 200), ("daili", 200), ("keshi", 200),
                                         (None, 302)])
def test_project_notices_by_role(pds_demo, user, status):
    client = logged_in(pds_demo, user) if user else pds_demo.test_client()
    response = client.get("/project-notices/list/")
    assert response.status_code == status
    if status == 302:
        assert "/login/" in response.headers["Location"]
    else:  # read-only for everyone, Admin included
        for url in ("/project-notices/add", "/project-notices/edit/1"):
            assert client.get(url).status_code in (403, 404), url


# --- times no column or feed reads (the attack probe's findings) ----------------------

@pytest.mark.parametrize("change", [
    {"published_at": "9999-12-31T23:00:00-12:00"},  # overflowed when converted: a 500
    {"published_at": "0001-01-01T00:00:00"},  # stored, then the Atom feed was a 500
    {"times": {**TIMES, "open_time": "0001-01-01T00:00:00"}},
])
def test_a_notice_time_outside_the_years_is_refused(pds_project, change):
    pds, pk, code, (lot1, lot2) = pds_project
    response = _publish(pds, _payload(code, [lot1], **change))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "时间须在 2000 年至 2099 年之间" in response.json["message"]
    assert "GG-2026-0001" not in _stored(pds)
    assert pds.test_client().get("/web/caigou/feed.atom").status_code == 200


def test_a_notice_with_one_lot_twice_is_refused(pds_project):
    pds, pk, code, (lot1, lot2) = pds_project
    response = _publish(pds, _payload(code, [lot1, lot1]))
    assert response.status_code == 422 and "lots：code 不能重复" in response.json["message"]


@pytest.mark.parametrize("times, said", [
    ({**TIMES, "doc_end": "2026-11-30T09:00:00"}, "doc_end：文件获取截止时间应晚于文件获取开始时间"),
    ({**TIMES, "doc_end": "2026-12-23T09:00:00"}, "doc_end：文件获取截止时间不能晚于投标截止时间"),
    ({**TIMES, "open_time": "2026-12-22T09:00:00"}, "open_time：开标时间不能早于投标截止时间"),
    # An aware time among naive ones is read in local time, as it would be
    # stored (compared as sent: a TypeError, a 500). 00:30 UTC is before
    # 09:00 in any zone from UTC-8 to UTC+8.
    ({**TIMES, "doc_end": "2026-12-01T00:30:00+00:00"}, "doc_end：文件获取截止时间应晚于"),
])
def test_notice_times_out_of_order_are_refused(pds_project, times, said):
    pds, pk, code, (lot1, lot2) = pds_project
    response = _publish(pds, _payload(code, [lot1], times=times))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"] == "bad_payload" and said in response.json["message"]
    assert "GG-2026-0001" not in _stored(pds)


def test_notice_times_in_order_with_one_missing_are_applied(pds_project):
    pds, pk, code, (lot1, lot2) = pds_project
    response = _publish(pds, _payload(code, [lot1], times={**TIMES, "doc_end": None}))
    assert response.status_code == 200, response.get_data(as_text=True)
