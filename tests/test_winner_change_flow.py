"""中标结果变更备案 end to end through the pages a user clicks: 【增加】, 【保存】,
【提交】, 【待办任务】, 【进入审批】, 【审核】, 退回 and resubmission."""
import pytest

from tests.filings import (add_filing, filed_plan_id, newest_filing_id, records_of,
                           review, state_of, submit)
from tests.helpers import api_token, bearer, logged_in

REVIEWERS = [("shenhe", "待单位审核", "待监管初审", "单位内部审核"),
             ("chushen", "待监管初审", "待监管复核", "监管初审"),
             ("fuhe", "待监管复核", "流程完成", "监管复核")]


@pytest.fixture
def filed(gps):
    """A filing jingban has saved with a stamped PDF and submitted."""
    jingban = logged_in(gps, "jingban")
    response = add_filing(jingban, filed_plan_id(gps))
    assert response.status_code == 302, response.get_data(as_text=True)
    pk = newest_filing_id(gps)
    page = submit(jingban, pk).get_data(as_text=True)
    assert "已提交，等待单位内部审核岗审核" in page
    return pk


def test_happy_path_through_todo_and_review(gps, filed):
    for username, before, after, _step in REVIEWERS:
        client = logged_in(gps, username)
        todo = client.get("/todo/").get_data(as_text=True)
        assert "中标结果变更备案" in todo and f"/winner-changes/review/{filed}" in todo
        assert "进入审批" in todo
        assert state_of(gps, filed) == before
        page = review(client, filed, "通过", "同意").get_data(as_text=True)
        assert f"当前状态：{after}" in page
        assert f"/winner-changes/review/{filed}" not in client.get("/todo/").get_data(as_text=True)
    steps = [r[:2] for r in records_of(gps, filed)]
    assert steps == [("经办岗提交", "提交"), ("单位内部审核", "通过"),
                     ("监管初审", "通过"), ("监管复核", "通过")]
    show = logged_in(gps, "jingban").get(f"/winner-changes/show/{filed}").get_data(as_text=True)
    assert show.count('class="timeline-step"') == 4
    assert "流程完成" in show


@pytest.mark.parametrize("returner", range(len(REVIEWERS)))
def test_each_return_goes_back_to_the_handler_with_the_opinion(gps, filed, returner):
    for username, _before, _after, _step in REVIEWERS[:returner]:
        review(logged_in(gps, username), filed, "通过", "同意")
    username, before, _after, step = REVIEWERS[returner]
    assert state_of(gps, filed) == before
    opinion = f"{step}：情况说明未加盖公章，请补正"
    review(logged_in(gps, username), filed, "退回", opinion)
    assert state_of(gps, filed) == "已退回"
    assert records_of(gps, filed)[-1][:3] == (step, "退回", opinion)

    jingban = logged_in(gps, "jingban")
    todo = jingban.get("/todo/").get_data(as_text=True)
    assert opinion in todo and f"/winner-changes/edit/{filed}" in todo
    assert opinion in jingban.get(f"/winner-changes/show/{filed}").get_data(as_text=True)
    # The handler edits it and submits again: the chain starts over.
    from tests.filings import FIELDS
    from tests.helpers import csrf_token
    token = csrf_token(jingban, f"/winner-changes/edit/{filed}")
    from tests.filings import filed_plan_id as plan_of
    from tests.filings import lot_of
    response = jingban.post(f"/winner-changes/edit/{filed}", data={
        "csrf_token": token, "lot_codes": [lot_of(gps, plan_of(gps))], **FIELDS,
        "explanation": FIELDS["explanation"] + "（已补正盖章材料）"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "已提交" in submit(jingban, filed).get_data(as_text=True)
    assert state_of(gps, filed) == "待单位审核"
    assert records_of(gps, filed)[-1][:2] == ("经办岗重新提交", "提交")


@pytest.mark.parametrize("username", ["chushen", "fuhe", "jianguan"])
def test_a_draft_is_the_units_own_until_submitted(gps, username):
    """A regulator sees a filing once it is submitted, not its 草稿: not in
    the list, not its page, not its 【历史】, not over REST."""
    from tests.helpers import api_token, bearer

    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps)).status_code == 302
    pk = newest_filing_id(gps)
    assert state_of(gps, pk) == "草稿"
    regulator = logged_in(gps, username)
    paths = [f"/winner-changes/show/{pk}", f"/history/WinnerChange/{pk}"]
    assert all(regulator.get(p).status_code == 404 for p in paths)
    token = bearer(api_token(regulator, username))
    assert regulator.get(f"/api/v1/winner_change/{pk}", headers=token).status_code == 404
    submit(jingban, pk)
    assert all(regulator.get(p).status_code == 200 for p in paths)
    assert regulator.get(f"/api/v1/winner_change/{pk}", headers=token).status_code == 200


@pytest.mark.parametrize("opinion", ["  ", "\u200b", "\u3000\ufeff\u2060"])
def test_return_needs_an_opinion(gps, filed, opinion):
    """Invisible characters are no opinion: the return nobody could read."""
    page = review(logged_in(gps, "shenhe"), filed, "退回", opinion).get_data(as_text=True)
    assert "退回时必须填写审批意见" in page
    assert state_of(gps, filed) == "待单位审核"
    assert len(records_of(gps, filed)) == 1
    client = gps.test_client()
    response = client.post(f"/api/v1/winner_change/{filed}/review",
                           headers=bearer(api_token(client, "shenhe")),
                           json={"result": "退回", "opinion": opinion})
    assert response.status_code in (409, 422) and "退回时必须填写审批意见" in str(response.json)
    assert state_of(gps, filed) == "待单位审核"


def test_an_opinion_is_kept_without_its_invisible_edges(gps, filed):
    review(logged_in(gps, "shenhe"), filed, "退回", "\u200b请补充材料\u3000")
    assert state_of(gps, filed) == "已退回"
    assert records_of(gps, filed)[-1][2] == "请补充材料"


def test_submit_needs_the_stamped_statement(gps):
    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps), pdf=None).status_code == 302
    pk = newest_filing_id(gps)
    page = submit(jingban, pk).get_data(as_text=True)
    assert "请先上传加盖单位公章的情况说明材料" in page
    assert state_of(gps, pk) == "草稿"


# Each holds some permissions on filings, but not this one (404); where the
# permission itself is missing the answer is 403.
OUTSIDERS = {"jingban2": {"show": 404, "review": 403, "edit": 404},
             "shenhe2": {"show": 404, "review": 404, "edit": 403},
             "chushen2": {"show": 404, "review": 404, "edit": 403},
             "daili": {"show": 403, "review": 403, "edit": 403}}


@pytest.mark.parametrize("username", OUTSIDERS)
def test_other_units_and_regions_cannot_open_or_change_it(gps, filed, username):
    client = logged_in(gps, username)
    for page, expected in OUTSIDERS[username].items():
        assert client.get(f"/winner-changes/{page}/{filed}").status_code == expected, page
    status = OUTSIDERS[username]["show"]
    from tests.helpers import api_token, bearer, form_token
    if status == 404:  # they hold the permission but not the filing
        assert filed_listed(client) is False
    token = api_token(gps.test_client(), username)
    assert gps.test_client().get(f"/api/v1/winner_change/{filed}",
                                 headers=bearer(token)).status_code == status
    response = client.post(f"/winner-changes/delete/{filed}",
                           data={"csrf_token": form_token(client)})
    assert response.status_code in (302, 403, 404)
    assert state_of(gps, filed) == "待单位审核"


def filed_listed(client) -> bool:
    page = client.get("/winner-changes/list/")
    if page.status_code != 200:
        return False
    return "/winner-changes/show/" in page.get_data(as_text=True)


def test_submitted_filing_cannot_be_edited_or_deleted(gps, filed):
    from tests.helpers import api_token, bearer, form_token

    jingban = logged_in(gps, "jingban")
    page = jingban.get(f"/winner-changes/edit/{filed}", follow_redirects=True)
    assert "只有草稿或已退回的备案可以修改" in page.get_data(as_text=True)
    page = jingban.post(f"/winner-changes/delete/{filed}",
                        data={"csrf_token": form_token(jingban)}, follow_redirects=True)
    assert "只有未提交过的草稿可以删除" in page.get_data(as_text=True)
    token = api_token(gps.test_client(), "jingban")
    response = gps.test_client().put(f"/api/v1/winner_change/{filed}", headers=bearer(token),
                                     json={"new_supplier": "河南丙科技有限公司"})
    assert response.status_code == 422
    assert "只有草稿或已退回的备案可以修改" in response.json["message"]["state"]
    assert state_of(gps, filed) == "待单位审核"


@pytest.mark.parametrize("change, field, message", [
    ({"new_supplier": "河南甲科技有限公司"}, "new_supplier", "不能与原中标供应商相同"),
    ({"new_amount": "-5"}, "new_amount", "变更后中标金额必须大于0元"),
    ({"new_amount": "12.345"}, "new_amount", "最多保留两位小数"),
    ({"reason": "其他", "explanation": "见附件"}, "explanation", "不少于10个字"),
])
def test_bad_input_gets_a_message_in_form_and_rest_alike(gps, change, field, message):
    from app.extensions import db
    from app.models import WinnerChange
    from tests.filings import FIELDS, lot_of
    from tests.helpers import api_token, bearer

    with gps.app_context():
        before = db.session.query(WinnerChange).count()
    plan_id = filed_plan_id(gps)
    page = add_filing(logged_in(gps, "jingban"), plan_id, **change)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    token = api_token(gps.test_client(), "jingban")
    response = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": plan_id, "lots": lot_of(gps, plan_id), **FIELDS, **change})
    assert response.status_code == 422
    assert message in str(response.json["message"])
    with gps.app_context():
        assert db.session.query(WinnerChange).count() == before


def test_only_the_units_filed_plans_can_be_chosen(gps):
    from tests.filings import FIELDS, lot_of
    from tests.helpers import api_token, bearer

    other_units_plan = filed_plan_id(gps, "jingban2")
    jingban = logged_in(gps, "jingban")
    page = jingban.get("/winner-changes/add").get_data(as_text=True)
    assert "方城县" not in page  # 选择项目 offers only the unit's own projects
    refused = jingban.get(f"/winner-changes/add?plan={other_units_plan}", follow_redirects=True)
    assert "所选项目不存在、不属于本单位或尚未发布结果公告" in refused.get_data(as_text=True)
    token = api_token(gps.test_client(), "jingban")
    response = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": other_units_plan, "lots": lot_of(gps, other_units_plan), **FIELDS})
    assert response.status_code == 422
    # The refusal names neither the other unit's plan number nor its project.
    import json

    text = json.dumps(response.json, ensure_ascii=False)
    assert "方城县" not in text and "411322-" not in text


def test_lots_and_reason_must_be_chosen_not_defaulted(gps):
    jingban = logged_in(gps, "jingban")
    plan_id = filed_plan_id(gps)
    page = jingban.get(f"/winner-changes/add?plan={plan_id}").get_data(as_text=True)
    assert "请选择变更原因" in page
    response = add_filing(jingban, plan_id, reason="", lot_codes=[])
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请选择涉及标段" in text and "请选择变更原因" in text
    # The statement PDF was chosen too: it is not kept, and the page says so.
    assert "表单有误，所选文件未保存：改正后请重新选择" in text
    without = add_filing(jingban, plan_id, pdf=None, reason="", lot_codes=[])
    assert "所选文件未保存" not in without.get_data(as_text=True)


def test_show_and_review_pages_read_their_record_once(gps, filed):
    """A show or review page reads its record within the view's scope, and
    FAB's show logic is handed that record instead of reading it again
    (#17: a second statement on every such page)."""
    import re

    from app.extensions import db
    from app.models import WinnerChange
    from tests.helpers import Statements

    with gps.app_context():
        plan_id = db.session.get(WinnerChange, filed).plan_id
    for username, url, table in (("jingban", f"/winner-changes/show/{filed}", "winner_change"),
                                 ("shenhe", f"/winner-changes/review/{filed}", "winner_change"),
                                 ("jingban", f"/plans/show/{plan_id}", "plan")):
        client = logged_in(gps, username)
        client.get(url)
        with Statements(gps) as seen:
            page = client.get(url)
        assert page.status_code == 200, url
        reads = [s for s in seen if re.search(rf'\bFROM "?{table}"?(\s|$)', s)]
        assert len(reads) == 1, (url, reads)
