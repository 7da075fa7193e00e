"""标段推送 on the GPS side: project.accepted / updated / status from a
trading platform, signed by the real signing code, through the real inbox."""
import pytest

from app.extensions import db
from app.models import LotReplica, Plan, ProjectReplica, SecurityEvent
from app.sync import envelope, signing
from tests.helpers import api_token, bearer, logged_in


@pytest.fixture
def sites(site_factory):
    return site_factory("gps"), site_factory("pds")


def _plan_no(gps, pushed_to):
    with gps.app_context():
        return db.session.query(Plan.plan_no).filter_by(pushed_to=pushed_to).order_by(
            Plan.id).first()[0]


def _agency_credit_code():
    from app.demo import ORGS
    from app.rules.credit_code import complete

    return complete(next(row[4] for row in ORGS if row[0] == "agency"))  # the credit-code prefix


def _payload(plan_no, lots=2, stage="受理通过"):
    code = "JY410400-2026-0001"
    return {"project_code": code, "plan_no": plan_no, "project_name": "多媒体教室设备采购",
            "agency": {"name": "河南中原招标代理有限公司", "credit_code": _agency_credit_code()},
            "budget": "1500000.00", "stage": stage,
            "lots": [{"code": f"{code}{i:03d}", "seq": i, "name": f"第{i}包",
                      "budget": "500000.00", "content": None} for i in range(1, lots + 1)]}


def post(sites, type, payload, version):
    gps, pds = sites
    message_id, body = envelope.build(type=type, source="410400", target="gps",
                                      entity=f"project:{payload['project_code']}",
                                      entity_version=version, payload=payload)
    with pds.app_context():
        headers = signing.sign_headers("gps", message_id, body, "410400")
    return gps.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)


def lots(gps):
    with gps.app_context():
        return [(lot.code, lot.name) for lot in
                db.session.query(LotReplica).order_by(LotReplica.code)]


def test_accepted_project_and_its_lots_are_kept_and_scoped(sites):
    gps, _ = sites
    plan_no = _plan_no(gps, "410400")
    response = post(sites, "project.accepted", _payload(plan_no), 1)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert lots(gps) == [("JY410400-2026-0001001", "第1包"), ("JY410400-2026-0001002", "第2包")]
    page = logged_in(gps, "jingban").get("/trading-projects/list/").get_data(as_text=True)
    assert "JY410400-2026-0001" in page
    for user, status in (("jingban", 200), ("daili", 200), ("chushen", 200),
                         ("jingban2", 404), ("chushen2", 404)):
        token = api_token(gps.test_client(), user)
        answer = gps.test_client().get("/api/v1/trading_project/code/JY410400-2026-0001",
                                       headers=bearer(token))
        assert answer.status_code == status, user
    other = logged_in(gps, "jingban2").get("/trading-projects/list/").get_data(as_text=True)
    assert "JY410400-2026-0001" not in other


def test_updates_replace_the_lots_and_older_versions_are_ignored(sites):
    gps, _ = sites
    plan_no = _plan_no(gps, "410400")
    post(sites, "project.accepted", _payload(plan_no, lots=2), 1)
    assert post(sites, "project.updated", _payload(plan_no, lots=1), 3).status_code == 200
    assert lots(gps) == [("JY410400-2026-0001001", "第1包")]
    assert post(sites, "project.updated", _payload(plan_no, lots=2), 2).status_code == 200
    assert len(lots(gps)) == 1  # version 2 arrived after 3: ignored
    post(sites, "project.status", {"project_code": "JY410400-2026-0001", "stage": "已开标"}, 4)
    with gps.app_context():
        assert db.session.get(ProjectReplica, "JY410400-2026-0001").stage == "已开标"


def test_a_platform_cannot_speak_for_a_plan_not_pushed_to_it(sites):
    gps, _ = sites
    with gps.app_context():  # a plan 平顶山市 never received
        plan_no = db.session.query(Plan.plan_no).filter(
            (Plan.pushed_to != "410400") | Plan.pushed_to.is_(None)).first()[0]
    response = post(sites, "project.accepted", _payload(plan_no), 1)
    assert response.status_code == 422
    assert "未推送至平台410400" in response.json["message"]
    assert lots(gps) == []
    with gps.app_context():
        assert db.session.query(SecurityEvent).filter(
            SecurityEvent.reason.like("not_pushed_here%")).count() == 1


def test_bad_lots_are_refused(sites):
    gps, _ = sites
    payload = _payload(_plan_no(gps, "410400"))
    payload["lots"] = []
    response = post(sites, "project.accepted", payload, 1)
    assert response.status_code == 422 and lots(gps) == []


def test_the_plan_page_waits_for_lots_then_lists_them(sites):
    gps, _ = sites
    plan_no = _plan_no(gps, "410400")
    with gps.app_context():
        plan_id = db.session.query(Plan.id).filter_by(plan_no=plan_no).scalar()
    jingban = logged_in(gps, "jingban")
    page = jingban.get(f"/plans/show/{plan_id}").get_data(as_text=True)
    assert "请等待交易中心推送标段" in page
    post(sites, "project.accepted", _payload(plan_no), 1)
    page = jingban.get(f"/plans/show/{plan_id}").get_data(as_text=True)
    assert "请等待交易中心推送标段" not in page
    assert page.count('class="pushed-lot"') == 2 and "JY410400-2026-0001002" in page


# --- what a platform may not send (the attack probe's findings) -----------------------

def _refusal(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == code
    return response.json["message"]


def test_two_lots_with_one_code_are_refused_not_a_500(sites):
    gps, _ = sites
    payload = _payload(_plan_no(gps, "410400"))
    payload["lots"][1]["code"] = payload["lots"][0]["code"]
    message = _refusal(post(sites, "project.accepted", payload, 1), 422, "bad_payload")
    assert "lots：code 不能重复" in message
    assert lots(gps) == []


def test_a_lot_code_of_another_project_is_a_conflict_not_a_500(sites):
    gps, _ = sites
    plan_nos = [row[0] for row in _pushed_plans(gps)][:2]
    assert post(sites, "project.accepted", _payload(plan_nos[0]), 1).status_code == 200
    other = {**_payload(plan_nos[1]), "project_code": "JY410400-2026-0009"}
    other["lots"] = [dict(other["lots"][0])]  # the first project's lot code
    _refusal(post(sites, "project.accepted", other, 1), 422, "conflict")
    with gps.app_context():
        assert db.session.get(ProjectReplica, "JY410400-2026-0009") is None


def test_a_second_project_for_one_plan_is_refused(sites):
    """GPS's notice wizard reads a plan's one project: a second broke it."""
    gps, _ = sites
    plan_no = _plan_no(gps, "410400")
    assert post(sites, "project.accepted", _payload(plan_no), 1).status_code == 200
    second = {**_payload(plan_no), "project_code": "JY410400-2026-0009",
              "lots": [{"code": "JY410400-2026-0009001", "seq": 1, "name": "第1包",
                        "budget": "500000.00", "content": None}]}
    message = _refusal(post(sites, "project.accepted", second, 1), 422, "plan_taken")
    assert "已由项目“JY410400-2026-0001”受理" in message


def test_an_empty_lot_list_is_counted_in_items(sites):
    gps, _ = sites
    payload = {**_payload(_plan_no(gps, "410400")), "lots": []}
    message = _refusal(post(sites, "project.accepted", payload, 1), 422, "bad_payload")
    assert "lots：至少须有 1 项" in message and "字符" not in message


@pytest.mark.parametrize("code", ["JY/410400/1", "..", "JY410400 2026"])
def test_a_project_code_no_address_can_hold_is_refused(sites, code):
    gps, _ = sites
    payload = {**_payload(_plan_no(gps, "410400")), "project_code": code}
    _refusal(post(sites, "project.accepted", payload, 1), 422, "bad_payload")


def _pushed_plans(gps):
    """Two plans pushed to 平顶山市 (the demo pushed one; a second is marked so)."""
    from sqlalchemy import update

    with gps.app_context():
        plan_nos = [no for (no,) in db.session.query(Plan.plan_no).order_by(Plan.id).limit(2)]
        db.session.execute(update(Plan).where(Plan.plan_no.in_(plan_nos))
                           .values(pushed_to="410400", changed_on=Plan.changed_on,
                                   changed_by_fk=Plan.changed_by_fk))
        db.session.commit()
        return [(no,) for no in plan_nos]


def _from(gps, source, type, payload, version):
    """A message signed as `source` with the secret GPS shares with it."""
    message_id, body = envelope.build(type=type, source=source, target="gps",
                                      entity=f"project:{payload['project_code']}",
                                      entity_version=version, payload=payload)
    with gps.app_context():
        headers = signing.sign_headers(source, message_id, body, source)
    return gps.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)


def test_a_platform_cannot_change_another_platforms_project(sites):
    """An attack probe's find: 方城县 (411322), signed with its own secret,
    set 平顶山市's project to another stage at the highest version, and the
    genuine statuses after it were ignored as older."""
    gps, _ = sites
    plan_no = _plan_no(gps, "410400")
    assert post(sites, "project.accepted", _payload(plan_no), 1).status_code == 200
    code = "JY410400-2026-0001"
    forged = _from(gps, "411322", "project.status", {"project_code": code, "stage": "受理通过"},
                   2147483647)
    assert "政府采购系统没有平台411322的项目" in _refusal(forged, 422, "unknown_project")
    forged = _from(gps, "411322", "project.updated", {**_payload(plan_no), "project_name": "改"},
                   2147483647)
    assert _refusal(forged, 422, "not_pushed_here")
    # Nor by naming one of its own plans: the project code is 平顶山市's.
    with gps.app_context():
        theirs = db.session.query(Plan.plan_no).filter(Plan.plan_no != plan_no).first()[0]
        # Plain UPDATE: the audit columns' onupdate wants a signed-in user.
        db.session.query(Plan).filter_by(plan_no=theirs).update(
            {"pushed_to": "411322", "changed_by_fk": Plan.changed_by_fk})
        db.session.commit()
    forged = _from(gps, "411322", "project.updated", _payload(theirs), 2147483647)
    assert "政府采购系统没有平台411322的项目" in _refusal(forged, 422, "unknown_project")
    assert post(sites, "project.status", {"project_code": code, "stage": "已开标"}, 2
                ).json["status"] == "applied"
    with gps.app_context():
        replica = db.session.get(ProjectReplica, code)
        assert (replica.stage, replica.platform_code, replica.project_name) == (
            "已开标", "410400", "多媒体教室设备采购")


def test_a_status_before_its_project_is_waited_for_not_remembered(sites):
    gps, _ = sites
    code = "JY410400-2026-0001"
    early = post(sites, "project.status", {"project_code": code, "stage": "已开标"}, 5)
    assert "尚未收到平台410400的项目" in _refusal(early, 425, "unknown_project")
    # Nothing remembered: the project, sent after, is applied.
    plan_no = _plan_no(gps, "410400")
    assert post(sites, "project.accepted", _payload(plan_no), 1).json["status"] == "applied"
    assert lots(gps)
