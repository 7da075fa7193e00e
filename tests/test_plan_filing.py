"""【计划管理】→【采购计划备案】: 增加, validation, 备案, push decision."""
import datetime as dt
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import AuditLog, OutboxMessage, Plan
from tests.helpers import api_token, bearer, csrf_token, form_token, in_english, logged_in

GOOD = {
    "project_name": "平顶山市教育局学生课桌椅采购",
    "procurement_method": "公开招标",
    "category": "货物",
    "item_name": "A05010201 课桌椅",
    "budget": "1000000.00",
    "fund_source": "财政性资金",
    "expected_date": "2026-12-15",
    "agency": "",
    "platform": "410400",
    "interconnected": "y",
    "contact": "张经办",
    "phone": "0375-1234567",
}


def _add(client, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/plans/add")}
    return client.post("/plans/add", data=data)


def _plans(app, name=GOOD["project_name"]):
    """What the database holds for that project name, read fresh."""
    with app.app_context():
        rows = db.session.query(Plan).filter_by(project_name=name).all()
        return [SimpleNamespace(**{c: getattr(p, c) for c in Plan.__table__.columns.keys()},
                                unit_name=p.unit.name) for p in rows]


def test_add_saves_a_draft_with_number_and_push_decision(gps):
    client = logged_in(gps, "jingban")
    response = _add(client)
    assert response.status_code == 302
    [plan] = _plans(gps)
    assert plan.state == "草稿"
    assert plan.plan_no.startswith(f"410400-{dt.date.today().year}-")  # the year filed
    assert plan.unit_name == "平顶山市教育局"
    assert plan.meets_push is True
    assert "满足推送条件" in plan.push_reason
    page = client.get(f"/plans/show/{plan.id}").get_data(as_text=True)
    assert plan.plan_no in page and "满足推送条件" in page
    with gps.app_context():
        assert db.session.query(AuditLog).filter_by(action="增加",
                                                    entity_key=plan.plan_no).count() == 1


@pytest.mark.parametrize("changes,message", [
    ({"budget": "-5"}, "预算金额必须大于0元"),
    ({"budget": "0"}, "预算金额必须大于0元"),
    ({"budget": "20000000000"}, "预算金额不能超过100亿元"),
    ({"budget": "100.001"}, "预算金额最多保留两位小数"),
    ({"project_name": ""}, "该字段是必填字段"),
    ({"platform": "", "interconnected": "y"}, "互联互通项目必须选择交易平台"),
])
def test_bad_input_is_refused_with_a_clear_message(gps, changes, message):
    client = logged_in(gps, "jingban")
    response = _add(client, project_name=changes.pop("project_name", "校验测试项目"), **changes)
    assert response.status_code == 200  # the form comes back with the error
    page = response.get_data(as_text=True)
    assert message in page
    assert _plans(gps, "校验测试项目") == []


def test_platform_outside_the_units_region_is_not_offered(gps):
    client = logged_in(gps, "jingban")
    page = client.get("/plans/add").get_data(as_text=True)
    assert "平顶山市公共资源交易中心" in page
    assert "方城县公共资源交易中心" not in page
    response = _add(client, project_name="越区平台项目", platform="411322")
    assert response.status_code == 200
    assert _plans(gps, "越区平台项目") == []


def test_plan_outside_interconnection_needs_no_platform(gps):
    client = logged_in(gps, "jingban")
    data = {k: v for k, v in GOOD.items() if k != "interconnected"}  # box unticked
    data.update(project_name="非互联互通项目", platform="",
                csrf_token=csrf_token(client, "/plans/add"))
    assert client.post("/plans/add", data=data).status_code == 302
    [plan] = _plans(gps, "非互联互通项目")
    assert plan.interconnected is False and plan.meets_push is False
    assert "非互联互通项目，不推送" in plan.push_reason


def test_below_limit_plan_does_not_meet_push(gps):
    client = logged_in(gps, "jingban")
    _add(client, project_name="小额采购", budget="999999.99")
    [plan] = _plans(gps, "小额采购")
    assert plan.meets_push is False
    assert "限额以下不推送" in plan.push_reason


def _outbox(app, name=GOOD["project_name"]):
    """Messages about the test's plan (the demo's own filings are left out)."""
    with app.app_context():
        keys = [f"plan:{p.plan_no}" for p in db.session.query(Plan).filter_by(project_name=name)]
        return [(m.type, m.target, m.entity_key, m.entity_version, m.state)
                for m in db.session.query(OutboxMessage).filter(OutboxMessage.entity_key.in_(keys))
                .order_by(OutboxMessage.id)]


def _file(client, plan_id):
    return client.post("/plans/action_post", data={
        "action": "file_plans", "rowid": [str(plan_id)], "csrf_token": form_token(client)},
        follow_redirects=True)


def test_file_plan_action_with_confirmation(gps):
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    listing = client.get("/plans/list/").get_data(as_text=True)
    # The confirmation dialog says what 备案 does before the irreversible step.
    assert 'data-fab-action="file_plans"' in listing and "备案后计划不能删除（只能撤回）" in listing
    assert "备案后的修改也会同步推送" in listing  # a filed plan may be edited: it is pushed again
    assert _outbox(gps) == []  # a draft goes nowhere
    draft = client.get(f"/plans/show/{plan.id}").get_data(as_text=True)
    assert 'id="btn-action-PlanView.action-file_plans"' in draft
    assert 'id="btn-withdraw"' not in draft
    page = _file(client, plan.id).get_data(as_text=True)
    assert "已备案" in page
    filed = client.get(f"/plans/show/{plan.id}").get_data(as_text=True)
    assert 'id="btn-action-PlanView.action-file_plans"' not in filed
    assert 'id="btn-withdraw"' in filed
    [plan] = _plans(gps)
    assert plan.state == "已备案" and plan.filed_at is not None
    assert plan.push_state == "待推送" and plan.pushed_to == "410400"
    # The message was committed together with the filing.
    assert _outbox(gps) == [("plan.filed", "410400", f"plan:{plan.plan_no}", 1, "待推送")]
    again = _file(client, plan.id)
    assert "不能重复备案" in again.get_data(as_text=True)
    client.post(f"/plans/delete/{plan.id}", data={"csrf_token": form_token(client)})
    assert _plans(gps)[0].state == "已备案"  # filed plans are not deleted


def test_a_delete_answers_on_the_page_it_was_clicked_on(gps):
    """FAB's page history sent a refused delete's message to the home page
    after the browser's back button (list → 编辑 → back → 删除)."""
    client = logged_in(gps, "jingban")
    _add(client)
    _add(client, project_name="第二个计划")
    filed, draft = _plans(gps)[0], _plans(gps, "第二个计划")[0]
    _file(client, filed.id)
    listing = "http://localhost/plans/list/?psize_PlanView=25"
    client.get("/plans/list/")
    client.get(f"/plans/edit/{filed.id}")  # then the browser's back button: no request
    refused = client.post(f"/plans/delete/{filed.id}", data={"csrf_token": form_token(client)},
                          headers={"Referer": listing})
    assert refused.status_code == 302 and refused.headers["Location"] == \
        "/plans/list/?psize_PlanView=25"
    assert "已备案，不能删除" in client.get(refused.headers["Location"]).get_data(as_text=True)
    # From the record's own page, once deleted: the list.
    gone = client.post(f"/plans/delete/{draft.id}", data={"csrf_token": form_token(client)},
                       headers={"Referer": f"http://localhost/plans/show/{draft.id}"})
    assert gone.headers["Location"].endswith("/plans/list/") and _plans(gps, "第二个计划") == []
    # Another site's address is never followed.
    _add(client, project_name="第三个计划")
    third = _plans(gps, "第三个计划")[0]
    away = client.post(f"/plans/delete/{third.id}", data={"csrf_token": form_token(client)},
                       headers={"Referer": "http://evil.example/plans/list/"})
    assert away.headers["Location"].endswith("/plans/list/")


def test_editing_a_filed_plan_sends_an_update(gps):
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    _file(client, plan.id)
    data = {**GOOD, "project_name": GOOD["project_name"], "budget": "1300000.00",
            "csrf_token": csrf_token(client, f"/plans/edit/{plan.id}")}
    assert client.post(f"/plans/edit/{plan.id}", data=data).status_code == 302
    types = [(t, v) for t, _, _, v, _ in _outbox(gps)]
    assert types == [("plan.filed", 1), ("plan.updated", 2)]


def test_withdrawal_asks_for_a_reason_and_tells_the_platform(gps):
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    _file(client, plan.id)
    page = client.get(f"/plans/withdraw/{plan.id}").get_data(as_text=True)
    assert "撤回后计划不能再修改" in page and "撤回原因" in page
    for blank in (" ", "\u200b\u3000"):
        empty = client.post(f"/plans/withdraw/{plan.id}",
                            data={"reason": blank, "csrf_token": form_token(client)})
        assert "请填写撤回原因" in empty.get_data(as_text=True)
    for pasted in ("需求\x00取消", "需求\u202e取消"):  # NUL: a 500 on PostgreSQL
        refused = client.post(f"/plans/withdraw/{plan.id}",
                              data={"reason": pasted, "csrf_token": form_token(client)})
        assert "撤回原因含有不可见的控制字符或文字方向符" in refused.get_data(as_text=True)
    assert _plans(gps)[0].state == "已备案"
    client.post(f"/plans/withdraw/{plan.id}",
                data={"reason": "需求取消", "csrf_token": form_token(client)})
    [plan] = _plans(gps)
    assert plan.state == "已撤回" and plan.withdraw_reason == "需求取消"
    assert [t for t, *_ in _outbox(gps)] == ["plan.filed", "plan.withdrawn"]
    edit = client.get(f"/plans/edit/{plan.id}", follow_redirects=True)
    assert "已撤回，不能修改" in edit.get_data(as_text=True)


def test_below_limit_filing_sends_nothing(gps):
    client = logged_in(gps, "jingban")
    _add(client, project_name="限额以下项目", budget="5000")
    [plan] = _plans(gps, "限额以下项目")
    _file(client, plan.id)
    assert _plans(gps, "限额以下项目")[0].push_state == "不推送"
    assert _outbox(gps, "限额以下项目") == []


def test_action_without_csrf_token_changes_nothing(gps):
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    response = client.post("/plans/action_post", data={"action": "file_plans",
                                                       "rowid": [str(plan.id)]})
    assert response.status_code == 400
    assert _plans(gps)[0].state == "草稿"


def test_draft_can_be_deleted(gps):
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    client.post(f"/plans/delete/{plan.id}", data={"csrf_token": form_token(client)})
    assert _plans(gps) == []


# --- REST ---------------------------------------------------------------

REST_GOOD = {**{k: v for k, v in GOOD.items() if k not in ("agency", "interconnected")},
             "interconnected": True}


def _post(app, user, body):
    client = app.test_client()
    return client.post("/api/v1/plan/", json=body, headers=bearer(api_token(client, user)))


def test_rest_creates_a_plan_scoped_to_the_users_unit(gps):
    response = _post(gps, "jingban", REST_GOOD)
    assert response.status_code == 201, response.get_data(as_text=True)
    [plan] = _plans(gps)
    assert plan.unit_name == "平顶山市教育局" and plan.meets_push


@pytest.mark.parametrize("changes,field,message", [
    ({"budget": "-1"}, "budget", "预算金额必须大于0元"),
    ({"budget": "99999999999"}, "budget", "预算金额不能超过100亿元"),
    ({"budget": "100.001"}, "budget", "预算金额最多保留两位小数"),  # not rounded away
    ({"budget": "abc"}, "budget", "预算金额必须是数字"),
    ({"platform": "411322"}, "platform", "不在本单位所在区划"),
    ({"platform": None}, "platform", "互联互通项目必须选择交易平台"),
])
def test_rest_refuses_bad_plans_in_chinese(gps, changes, field, message):
    response = _post(gps, "jingban", {**REST_GOOD, **changes})
    assert response.status_code == 422
    assert message in str(response.json["message"][field])
    assert _plans(gps) == []


def test_rest_without_the_flag_is_interconnected_and_needs_a_platform(gps):
    """As the form's default: not saved interconnected with nowhere to push."""
    without = {k: v for k, v in REST_GOOD.items() if k not in ("interconnected", "platform")}
    response = _post(gps, "jingban", without)
    assert response.status_code == 422
    assert "互联互通项目必须选择交易平台" in str(response.json["message"]["platform"])
    assert _plans(gps) == []
    response = _post(gps, "jingban", {**without, "platform": REST_GOOD["platform"]})
    assert response.status_code == 201
    [plan] = _plans(gps)
    assert plan.interconnected is True and plan.platform_code == REST_GOOD["platform"]


def test_rest_reports_missing_fields(gps):
    body = {k: v for k, v in REST_GOOD.items() if k != "project_name"}
    response = _post(gps, "jingban", body)
    assert response.status_code == 422
    assert "project_name" in response.json["message"]


def test_rest_admin_without_unit_cannot_file(gps):
    response = _post(gps, "admin", REST_GOOD)
    assert response.status_code == 422
    assert "采购单位" in str(response.json["message"])


def test_filing_and_withdrawal_are_confirmed_in_the_reader_s_language(gps):
    """The messages after 备案 and 撤回 (flash) follow the language, as the pages do."""
    client = logged_in(gps, "jingban")
    _add(client)
    [plan] = _plans(gps)
    with in_english(client):
        filed = _file(client, plan.id).get_data(as_text=True)
        assert f"Plan “{plan.plan_no}” filed." in filed
        withdrawn = client.post(f"/plans/withdraw/{plan.id}", data={
            "reason": "需求取消", "csrf_token": form_token(client)},
            follow_redirects=True).get_data(as_text=True)
        assert f"Plan “{plan.plan_no}” withdrawn" in withdrawn
    page = client.get(f"/plans/show/{plan.id}").get_data(as_text=True)
    assert "已撤回" in page


def test_a_plan_whose_project_was_accepted_or_noticed_is_not_withdrawn(gps):
    """Withdrawn after its trading centre accepted the project, a plan left
    the project and its 采购公告 standing on the platform: refused, with the
    way out (a 终止公告), on the page, the POST and the button alike."""
    from tests.notice_helpers import plan_of, push_lots

    client = logged_in(gps, "jingban")
    plan_id = plan_of(gps)  # the demo's, filed and entrusted to an agency
    code = push_lots(gps, plan_id)
    before = len(_outbox(gps))
    show = client.get(f"/plans/show/{plan_id}").get_data(as_text=True)
    assert 'id="btn-withdraw"' not in show
    assert f"已由交易中心受理为项目“{code}”，不能撤回；如需终止采购" in show
    page = client.get(f"/plans/withdraw/{plan_id}", follow_redirects=True).get_data(as_text=True)
    assert "发布终止公告" in page and 'name="reason"' not in page
    refused = client.post(f"/plans/withdraw/{plan_id}", follow_redirects=True,
                          data={"reason": "需求取消", "csrf_token": form_token(client)})
    assert "不能撤回" in refused.get_data(as_text=True)
    with gps.app_context():
        assert db.session.get(Plan, plan_id).state == "已备案"
    assert len(_outbox(gps)) == before


def test_an_accepted_plans_edit_may_not_take_it_off_its_platform(gps):
    """Unticking 互联互通 (or choosing another 交易平台) sent plan.withdrawn
    for a plan whose project was accepted, a 撤回 by another door (a walk of
    the fix found it): refused on the form and over REST, nothing written."""
    from tests.notice_helpers import plan_of, push_lots

    plan_id = plan_of(gps)
    push_lots(gps, plan_id)
    before, sent = _plans(gps, "平顶山市教育局多媒体教室设备采购")[0].version, len(_outbox(gps))
    client = logged_in(gps, "jingban")
    form = {k: v for k, v in GOOD.items() if k != "interconnected"}  # unticked
    page = client.post(f"/plans/edit/{plan_id}", follow_redirects=True, data={
        **form, "project_name": "平顶山市教育局多媒体教室设备采购",
        "csrf_token": csrf_token(client, f"/plans/edit/{plan_id}")}).get_data(as_text=True)
    assert "不能取消互联互通、变更交易平台或改为不再推送" in page
    rest = client.put(f"/api/v1/plan/{plan_id}", headers=bearer(api_token(client, "jingban")),
                      json={**REST_GOOD, "project_name": "平顶山市教育局多媒体教室设备采购",
                            "interconnected": False})
    assert rest.status_code == 422 and "不能取消互联互通" in rest.json["message"]["platform"]
    with gps.app_context():
        plan = db.session.get(Plan, plan_id)
        assert plan.interconnected and plan.version == before
    assert len(_outbox(gps)) == sent
