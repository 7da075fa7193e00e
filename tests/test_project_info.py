"""立项信息 (是否加密, 不见面开标) after 受理通过: 中心业务科室 of the project's
region corrects it with a reason, the change is kept, audited and shown on
the project, and project.info_changed takes it to GPS, which keeps the same
record and shows it on its copy of the project."""
import json

import pytest

from app.extensions import db
from app.models import AuditLog, OutboxMessage, ProjectInfoChange, ProjectReplica, TradingProject
from app.sync import signing
from tests.acceptance_helpers import accepted_project, complete, project_of, pushed_plan, take_plan
from tests.helpers import DEMO_PASSWORD, csrf_token, logged_in


def _state(app, pk):
    with app.app_context():
        project = db.session.get(TradingProject, pk)
        changes = db.session.query(ProjectInfoChange).filter_by(
            project_code=project.project_code).count()
        sent = db.session.query(OutboxMessage).filter_by(type="project.info_changed").count()
        audited = db.session.query(AuditLog).filter_by(action="更正立项信息").count()
        return project.encrypted, project.remote_opening, changes, sent, audited


def _correct(client, pk, reason="开标方式调整为不见面开标", encrypted=True, remote=True,
             version=None):
    """【更正立项信息】 → tick, 更正原因 → 【保存】. Returns the followed response."""
    url = f"/acceptance/correct/{pk}"
    page = client.get(url).get_data(as_text=True)
    if version is None:
        import re

        match = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page)
        version = match.group(1) if match else "1"
    data = {"csrf_token": csrf_token(client, "/resetmypassword/form"), "reason": reason,
            "version": version}
    if encrypted:
        data["encrypted"] = "y"
    if remote:
        data["remote_opening"] = "y"
    return client.post(url, data=data, follow_redirects=True)


def _other_centre_user(app, username="keshi_fc"):
    """A 中心业务科室 user of 方城县's centre on the 平顶山 site: another region."""
    from app.models import Organisation

    with app.app_context():
        sm = app.appbuilder.sm
        org = db.session.query(Organisation).filter_by(name="方城县公共资源交易中心").one()
        user = sm.add_user(username, "冯", "科室", f"{username}@demo.invalid",
                           sm.find_role("中心业务科室"), password=DEMO_PASSWORD)
        user.organisation_id = org.id
        db.session.commit()
    return username


@pytest.fixture
def accepted(site_factory):
    pds = site_factory("pds")
    _daili, pk, _code = accepted_project(pds, "410400-2026-96001")
    return pds, pk


def test_the_centre_corrects_with_a_reason_and_it_is_kept_audited_and_sent(accepted):
    pds, pk = accepted
    assert _state(pds, pk) == (True, False, 0, 0, 0)
    keshi = logged_in(pds, "keshi")
    show = keshi.get(f"/acceptance/show/{pk}").get_data(as_text=True)
    assert "更正立项信息" in show and "暂无更正记录" in show
    page = _correct(keshi, pk).get_data(as_text=True)
    assert "立项信息已更正" in page
    assert _state(pds, pk) == (True, True, 1, 1, 1)
    assert "是否为不见面开标项目：否 → 是" in page and "开标方式调整为不见面开标" in page
    assert "吴科室（平顶山市公共资源交易中心）" in page
    with pds.app_context():
        body = json.loads(db.session.query(OutboxMessage.body).filter_by(
            type="project.info_changed").scalar())
    assert body["target"] == "gps" and body["payload"]["remote_opening"] is True
    assert body["payload"]["reason"] == "开标方式调整为不见面开标"


@pytest.mark.parametrize("reason, encrypted, remote, message", [
    ("   ", True, True, "请填写更正原因"),
    ("只是看看", True, False, "立项信息没有变化，无需更正"),
    ("很长" * 251, False, False, "更正原因不能超过500个字"),
])
def test_bad_corrections_are_refused_and_change_nothing(accepted, reason, encrypted, remote,
                                                         message):
    pds, pk = accepted
    page = _correct(logged_in(pds, "keshi"), pk, reason, encrypted, remote)
    assert message in page.get_data(as_text=True)
    assert _state(pds, pk) == (True, False, 0, 0, 0)


def test_a_stale_form_is_refused(accepted):
    pds, pk = accepted
    keshi = logged_in(pds, "keshi")
    assert "立项信息已更正" in _correct(keshi, pk).get_data(as_text=True)
    with pds.app_context():
        seen = db.session.get(TradingProject, pk).version - 1
    page = _correct(keshi, pk, "再改回来", remote=False, version=str(seen))
    assert "已被他人修改" in page.get_data(as_text=True)
    assert _state(pds, pk) == (True, True, 1, 1, 1)


# Who may correct 平顶山's accepted project: its centre's 中心业务科室 only.
# The agency holds no such permission (403); Admin holds every permission
# but not the post (refused, nothing changed); another region's centre does
# not see the project at all (404).
WHO = [("keshi", 200, "立项信息已更正", True),
       ("daili", 403, None, False),
       ("admin", 200, "只有“中心业务科室”可以更正立项信息", False),
       ("keshi_fc", 404, None, False)]


@pytest.mark.parametrize("username, status, message, changed", WHO)
def test_who_may_correct(accepted, username, status, message, changed):
    pds, pk = accepted
    if username == "keshi_fc":
        _other_centre_user(pds)
    client = logged_in(pds, username)
    response = _correct(client, pk)
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
    assert _state(pds, pk)[1] is changed
    shown = client.get(f"/acceptance/show/{pk}").get_data(as_text=True)
    assert ('id="btn-correct-info"' in shown) is (username == "keshi")


def test_not_before_acceptance(site_factory):
    pds = site_factory("pds")
    pushed_plan(pds, "410400-2026-96002")
    daili = logged_in(pds, "daili")
    take_plan(daili, "410400-2026-96002")
    pk, _code, state = project_of(pds, "410400-2026-96002")
    assert complete(daili, pk).status_code == 302 and state == "草稿"
    page = _correct(logged_in(pds, "keshi"), pk).get_data(as_text=True)
    assert "受理通过后才能更正立项信息" in page
    assert _state(pds, pk) == (True, False, 0, 0, 0)


# --- to GPS ---------------------------------------------------------------------------

def _relay(pds, gps, *types):
    """Deliver pds's outbox rows of `types` to GPS as the sync worker would:
    the stored body, signed, through GPS's real inbox."""
    with pds.app_context():
        rows = [(row.message_id, row.body) for row in db.session.query(OutboxMessage)
                .filter(OutboxMessage.type.in_(types)).order_by(OutboxMessage.id)]
        signed = [(body, signing.sign_headers("gps", message_id, body, "410400"))
                  for message_id, body in rows]
    answers = [gps.test_client().post("/interop/v1/messages", data=body.encode(),
                                      headers=headers) for body, headers in signed]
    return [(answer.status_code, answer.json.get("status")) for answer in answers]


@pytest.fixture
def two_sites(site_factory):
    gps, pds = site_factory("gps"), site_factory("pds")
    from app.models import Plan

    with gps.app_context():
        plan_no = db.session.query(Plan.plan_no).filter_by(pushed_to="410400").order_by(
            Plan.id).first()[0]
    _daili, pk, code = accepted_project(pds, plan_no)
    assert _relay(pds, gps, "project.accepted") == [(200, "applied")]
    return gps, pds, pk, code


def test_the_correction_reaches_gps_and_is_shown_on_the_project(two_sites):
    gps, pds, pk, code = two_sites
    with gps.app_context():
        replica = db.session.get(ProjectReplica, code)
        assert (replica.encrypted, replica.remote_opening) == (True, False)
    _correct(logged_in(pds, "keshi"), pk)
    assert _relay(pds, gps, "project.info_changed") == [(200, "applied")]
    assert _relay(pds, gps, "project.info_changed") == [(200, "duplicate")]
    with gps.app_context():
        replica = db.session.get(ProjectReplica, code)
        assert (replica.encrypted, replica.remote_opening) == (True, True)
        [row] = db.session.query(ProjectInfoChange).filter_by(project_code=code).all()
        assert (row.seq, row.reason, row.user_name) == (1, "开标方式调整为不见面开标", "吴科室")
    page = logged_in(gps, "jingban").get(f"/trading-projects/show/{code}").get_data(as_text=True)
    assert "立项信息更正记录" in page and "是否为不见面开标项目：否 → 是" in page
    assert "开标方式调整为不见面开标" in page
    assert logged_in(gps, "jingban2").get(f"/trading-projects/show/{code}").status_code == 404


def test_an_older_project_update_does_not_undo_a_correction(two_sites):
    """project.updated (lots changed) sent before the correction but
    delivered after it: the correction stands."""
    from tests.acceptance_helpers import outbox

    gps, pds, pk, code = two_sites
    daili = logged_in(pds, "daili")
    with pds.app_context():
        lot_id = db.session.get(TradingProject, pk).lots[0].id
    token = csrf_token(daili, f"/lots/edit/{lot_id}")
    daili.post(f"/lots/edit/{lot_id}", data={"csrf_token": token, "name": "第一包 教学计算机（调整）",
                                              "budget": "1000000.00", "content": "详见招标文件"})
    assert [m["type"] for m in outbox(pds)][-1] == "project.updated"
    _correct(logged_in(pds, "keshi"), pk)
    assert _relay(pds, gps, "project.info_changed") == [(200, "applied")]
    assert _relay(pds, gps, "project.updated") == [(200, "applied")]
    with gps.app_context():
        replica = db.session.get(ProjectReplica, code)
        assert replica.remote_opening is True
        assert replica.lots[0].name == "第一包 教学计算机（调整）"


def test_gps_refuses_a_correction_for_a_project_it_does_not_hold(two_sites):
    gps, pds, pk, code = two_sites
    _correct(logged_in(pds, "keshi"), pk)
    with gps.app_context():
        db.session.delete(db.session.get(ProjectReplica, code))
        db.session.commit()
    [(status, _)] = _relay(pds, gps, "project.info_changed")
    assert status == 422
    with gps.app_context():
        assert db.session.query(ProjectInfoChange).count() == 0
