"""中标结果变更备案 end to end through the pages a user clicks: 【增加】, 【保存】,
【提交】, 【待办任务】, 【进入审批】, 【审核】, 退回 and resubmission."""
import pytest

from tests.filings import (add_filing, filed_plan_id, newest_filing_id, records_of,
                           review, state_of, submit)
from tests.helpers import logged_in

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
    response = jingban.post(f"/winner-changes/edit/{filed}", data={
        "csrf_token": token, "plan": str(plan_of(gps)), **FIELDS,
        "explanation": FIELDS["explanation"] + "（已补正盖章材料）"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "已提交" in submit(jingban, filed).get_data(as_text=True)
    assert state_of(gps, filed) == "待单位审核"
    assert records_of(gps, filed)[-1][:2] == ("经办岗重新提交", "提交")


def test_return_needs_an_opinion(gps, filed):
    page = review(logged_in(gps, "shenhe"), filed, "退回", "  ").get_data(as_text=True)
    assert "退回时必须填写审批意见" in page
    assert state_of(gps, filed) == "待单位审核"
    assert len(records_of(gps, filed)) == 1


def test_submit_needs_the_stamped_statement(gps):
    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps), pdf=None).status_code == 302
    pk = newest_filing_id(gps)
    page = submit(jingban, pk).get_data(as_text=True)
    assert "请先上传加盖单位公章的情况说明材料" in page
    assert state_of(gps, pk) == "草稿"
