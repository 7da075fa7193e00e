"""项目进场受理 on 平顶山市: 是否选择计划 → 选择计划 → 标段 → 【提交】 →
中心业务科室 审核 in 【待办任务】, and what goes to GPS."""
import re
import threading

import pytest

from tests.acceptance_helpers import (add_lot, complete, lots_of, outbox, project_of,
                                      pushed_plan, submit, take_plan)
from tests.helpers import logged_in


@pytest.fixture
def pds(site_factory):
    return site_factory("pds")


def _accepted_draft(pds, plan_no="410400-2026-90001", budget="1500000.00"):
    pushed_plan(pds, plan_no, budget=budget)
    daili = logged_in(pds, "daili")
    page = take_plan(daili, plan_no).get_data(as_text=True)
    assert "请完善开标地点等受理信息" in page
    pk, code, state = project_of(pds, plan_no)
    assert state == "草稿" and re.fullmatch(r"JY410400-\d{4}-\d{4}", code)
    assert complete(daili, pk).status_code == 302
    return daili, pk, code


def test_choose_plan_lists_only_this_agencys_unaccepted_valid_plans(pds):
    pushed_plan(pds, "410400-2026-91001")
    pushed_plan(pds, "410400-2026-91002", status="已撤回")
    pushed_plan(pds, "410400-2026-91003", agency="南阳宛城项目管理有限公司")
    pushed_plan(pds, "410400-2026-91004")
    daili = logged_in(pds, "daili")
    take_plan(daili, "410400-2026-91004")
    page = daili.get("/acceptance/plans").get_data(as_text=True)
    assert "410400-2026-91001" in page and "1,500,000.00" in page  # as every page writes money
    for hidden in ("91002", "91003", "91004"):  # withdrawn, another agency's, taken
        assert f"410400-2026-{hidden}" not in page
    searched = daili.get("/acceptance/plans?q=91001").get_data(as_text=True)
    assert "共 1 项" in searched
    assert "共 0 项" in daili.get("/acceptance/plans?q=nothing").get_data(as_text=True)


def test_choose_plan_counts_no_further_than_the_cap(pds):
    """An agency's untaken plans were 83,300 at a province's volume: counted
    to the cap, as the lists are, and the plans past it still paged to."""
    for n in range(1, 5):
        pushed_plan(pds, f"410400-2026-9400{n}")
    pds.config["LIST_COUNT_CAP"] = 2
    daili = logged_in(pds, "daili")
    page = daili.get("/acceptance/plans").get_data(as_text=True)
    assert "共超过 2 项（请用筛选缩小范围）" in page and page.count('class="plan-row"') == 4
    assert "共 1 项" in daili.get("/acceptance/plans?q=94004").get_data(as_text=True)
    pds.config["LIST_COUNT_CAP"] = 10
    assert "共 4 项" in daili.get("/acceptance/plans").get_data(as_text=True)


def test_the_same_plan_cannot_be_accepted_twice(pds):
    daili, pk, code = _accepted_draft(pds)
    page = take_plan(daili, "410400-2026-90001").get_data(as_text=True)
    assert f"已由项目“{code}”受理，同一计划不能重复受理" in page


def test_a_plan_the_project_cannot_hold_is_not_said_to_be_taken(pds):
    """A replica stored before the inbox checked its choices (SQLite kept
    any text): the project's 采购方式 refuses it, which is no 已被受理."""
    pushed_plan(pds, "410400-2026-93001", procurement_method="拍卖")
    page = take_plan(logged_in(pds, "daili"), "410400-2026-93001").get_data(as_text=True)
    assert "该计划的数据不符合受理要求" in page and "已被受理" not in page
    assert project_of(pds, "410400-2026-93001") is None


def test_two_concurrent_choices_of_one_plan_make_one_project(pds):
    pushed_plan(pds, "410400-2026-92001")
    clients = [logged_in(pds, "daili") for _ in range(2)]
    barrier, pages = threading.Barrier(2), {}

    def choose(i):
        from tests.helpers import form_token
        token = form_token(clients[i])
        barrier.wait()
        pages[i] = clients[i].post("/acceptance/plans/410400-2026-92001",
                                   data={"csrf_token": token},
                                   follow_redirects=True).get_data(as_text=True)

    threads = [threading.Thread(target=choose, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    from app.extensions import db
    from app.models import TradingProject
    with pds.app_context():
        assert db.session.query(TradingProject).filter_by(
            plan_no="410400-2026-92001").count() == 1
    assert sum("同一计划不能重复受理" in p or "已被受理" in p for p in pages.values()) == 1


def test_lots_are_numbered_and_kept_within_the_budget(pds):
    daili, pk, code = _accepted_draft(pds, budget="1000000.00")
    assert add_lot(daili, pk, "第一包 教学计算机", "600000.00").status_code == 302
    assert add_lot(daili, pk, "第二包 多媒体设备", "400000.00").status_code == 302
    over = add_lot(daili, pk, "第三包 超预算", "0.01")
    assert over.status_code == 200
    assert "超过项目预算 1000000.00 元" in over.get_data(as_text=True)
    assert lots_of(pds, pk) == [(f"{code}001", "第一包 教学计算机", "600000.00"),
                                (f"{code}002", "第二包 多媒体设备", "400000.00")]


def test_happy_path_review_by_keshi_sends_the_lots_to_gps(pds):
    daili, pk, code = _accepted_draft(pds)
    add_lot(daili, pk, "第一包", "1000000.00")
    add_lot(daili, pk, "第二包", "500000.00")
    assert "等待中心业务科室审核" in submit(daili, pk).get_data(as_text=True)
    assert outbox(pds, "project.accepted") == []  # nothing before approval

    keshi = logged_in(pds, "keshi")
    todo = keshi.get("/todo/").get_data(as_text=True)
    assert "项目进场受理" in todo and f"/acceptance/review/{pk}" in todo
    from tests.filings import VERSION_RE
    page = keshi.get(f"/acceptance/review/{pk}").get_data(as_text=True)
    from tests.helpers import form_token
    done = keshi.post(f"/acceptance/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "通过", "opinion": "同意受理",
        "version": VERSION_RE.search(page).group(1)}, follow_redirects=True)
    assert "当前状态：受理通过" in done.get_data(as_text=True)
    [message] = outbox(pds, "project.accepted")
    assert message["target"] == "gps" and message["entity"] == f"project:{code}"
    assert [lot["code"] for lot in message["payload"]["lots"]] == [f"{code}001", f"{code}002"]
    assert message["payload"]["plan_no"] == "410400-2026-90001"

    # A lot changed after acceptance: GPS hears of it; removing one is refused.
    from tests.helpers import csrf_token
    from app.extensions import db
    from app.models import Lot
    with pds.app_context():
        lot_id = db.session.query(Lot.id).filter_by(code=f"{code}002").scalar()
    token = csrf_token(daili, f"/lots/edit/{lot_id}")
    assert daili.post(f"/lots/edit/{lot_id}", data={
        "csrf_token": token, "name": "第二包（调整）", "budget": "400000.00",
        "content": "调整后"}).status_code == 302
    [update] = outbox(pds, "project.updated")
    assert update["entity_version"] == message["entity_version"] + 1
    assert update["payload"]["lots"][1]["name"] == "第二包（调整）"
    page = daili.post(f"/lots/delete/{lot_id}", data={"csrf_token": form_token(daili)},
                      follow_redirects=True).get_data(as_text=True)
    assert "标段只能修改，不能删除" in page
    assert len(lots_of(pds, pk)) == 2


@pytest.mark.parametrize("opinion", ["开标地点\x00有误", "开标地点\u202e有误", "\x07"])
def test_an_opinion_with_pasted_control_characters_is_refused(pds, opinion):
    """The review's opinion, on the page and over REST: NUL was kept on SQLite
    (and shown raw on every page after) and is a 500 on PostgreSQL."""
    from tests.helpers import api_token, bearer, csrf_token

    daili, pk, code = _accepted_draft(pds)
    add_lot(daili, pk, "第一包", "1000000.00")
    submit(daili, pk)
    client = pds.test_client()
    token = api_token(client, "keshi")
    refused = client.post(f"/api/v1/acceptance/{pk}/review", headers=bearer(token),
                          json={"result": "退回", "opinion": opinion})
    assert refused.status_code == 422
    assert "审批意见含有不可见的控制字符或文字方向符" in refused.json["message"]["opinion"]
    keshi = logged_in(pds, "keshi")
    page = keshi.post(f"/acceptance/review/{pk}", data={
        "csrf_token": csrf_token(keshi, f"/acceptance/review/{pk}"), "result": "退回",
        "opinion": opinion}, follow_redirects=True).get_data(as_text=True)
    assert "审批意见含有不可见的控制字符或文字方向符" in page
    assert project_of(pds, "410400-2026-90001")[2] == "待受理审核"


def test_return_and_resubmit(pds):
    daili, pk, code = _accepted_draft(pds)
    add_lot(daili, pk, "第一包", "1000000.00")
    submit(daili, pk)
    from tests.helpers import api_token, bearer
    client = pds.test_client()
    token = api_token(client, "keshi")
    refused = client.post(f"/api/v1/acceptance/{pk}/review", headers=bearer(token),
                          json={"result": "退回", "opinion": ""})
    assert refused.status_code == 422 and refused.json["message"] == {"opinion": "退回时必须填写审批意见"}
    returned = client.post(f"/api/v1/acceptance/{pk}/review", headers=bearer(token),
                           json={"result": "退回", "opinion": "开标地点有误，请修改"})
    assert returned.status_code == 200 and returned.json["state"] == "已退回"
    steps = client.get(f"/api/v1/acceptance/{pk}/records", headers=bearer(token)).json
    assert [(r["step"], r["result"]) for r in steps["result"]] == [
        ("代理机构提交", "提交"), ("中心业务科室审核", "退回")]
    todo = daili.get("/todo/").get_data(as_text=True)
    assert "开标地点有误，请修改" in todo
    complete(daili, pk, open_place="第二开标室")
    assert "等待中心业务科室审核" in submit(daili, pk).get_data(as_text=True)
    assert project_of(pds, "410400-2026-90001")[2] == "待受理审核"


def test_submit_needs_a_lot(pds):
    daili, pk, code = _accepted_draft(pds)
    assert "请先增加至少一个标段" in submit(daili, pk).get_data(as_text=True)
    assert project_of(pds, "410400-2026-90001")[2] == "草稿"


def test_without_a_plan_the_agency_fills_everything(pds):
    from tests.helpers import csrf_token
    daili = logged_in(pds, "daili")
    assert "/acceptance/new" in daili.get("/acceptance/add").headers["Location"]
    token = csrf_token(daili, "/acceptance/add?plan=no")
    response = daili.post("/acceptance/add?plan=no", data={
        "csrf_token": token, "project_name": "非政府采购项目", "unit_name": "平顶山市某国有企业",
        "region": "410400", "procurement_method": "公开招标", "category": "工程",
        "budget": "3000000.00", "open_place": "第一开标室", "encrypted": "y"})
    assert response.status_code == 302
    from app.extensions import db
    from app.models import TradingProject
    with pds.app_context():
        project = db.session.query(TradingProject).filter_by(project_name="非政府采购项目").one()
        assert project.from_plan is False and project.plan_no is None


def test_another_agency_cannot_add_lots_to_a_project_not_its_own(pds):
    """Over REST, where FAB would accept any project id in the body."""
    from app.extensions import db
    from app.models import Organisation
    from tests.helpers import DEMO_PASSWORD, api_token, bearer

    daili, pk, code = _accepted_draft(pds)
    with pds.app_context():
        sm = pds.appbuilder.sm
        user = sm.add_user("daili2", "钱", "代理", "daili2@demo.invalid",
                           sm.find_role("代理机构"), password=DEMO_PASSWORD)
        user.organisation_id = db.session.query(Organisation.id).filter_by(
            name="南阳宛城项目管理有限公司").scalar()
        db.session.commit()
    client = pds.test_client()
    response = client.post("/api/v1/lot/", headers=bearer(api_token(client, "daili2")),
                           json={"project": pk, "name": "越权标段", "budget": "1.00"})
    assert response.status_code == 422
    assert "不属于本代理机构" in str(response.json["message"])
    assert lots_of(pds, pk) == []


def test_choose_plan_pages_by_twenty_and_keeps_the_search(pds):
    for i in range(25):
        pushed_plan(pds, f"410400-2026-94{i:03d}")
    daili = logged_in(pds, "daili")
    first = daili.get("/acceptance/plans?q=2026-94").get_data(as_text=True)
    assert "共 25 项" in first and first.count('class="plan-row"') == 20
    assert "?page=2&q=2026-94" in first
    for asked in ("2", "99"):  # beyond the last page: the last page
        page = daili.get(f"/acceptance/plans?q=2026-94&page={asked}").get_data(as_text=True)
        assert page.count('class="plan-row"') == 5


NOT_A_PLAN = {"project_name": "非政府采购项目", "unit_name": "平顶山市某国有企业",
              "procurement_method": "公开招标", "category": "工程", "budget": "3000000.00",
              "open_place": "第一开标室", "encrypted": True}


@pytest.mark.parametrize("region, code, refused", [
    ("410100", None, "不在本平台（平顶山市）的服务范围内"),  # 郑州市: another platform's
    ("410400", "91410400MA12345678", "采购单位统一社会信用代码校验位错误"),
    ("410400", "ABC", "采购单位统一社会信用代码应为18位"),
])
def test_the_api_refuses_another_platforms_region_and_a_bad_credit_code(
        pds, region, code, refused):
    from app.extensions import db
    from app.models import TradingProject
    from tests.helpers import api_token, bearer

    client = pds.test_client()
    body = {**NOT_A_PLAN, "region": region}
    if code:
        body["unit_credit_code"] = code
    response = client.post("/api/v1/acceptance/", headers=bearer(api_token(client, "daili")),
                           json=body)
    assert response.status_code == 422
    assert refused in str(response.json["message"])
    with pds.app_context():
        assert db.session.query(TradingProject).filter_by(
            project_name="非政府采购项目").count() == 0


def test_the_api_accepts_a_county_of_the_platform_and_a_valid_credit_code(pds):
    from app.rules.credit_code import complete as with_check
    from tests.helpers import api_token, bearer

    client = pds.test_client()
    response = client.post("/api/v1/acceptance/", headers=bearer(api_token(client, "daili")),
                           json={**NOT_A_PLAN, "region": "410422",  # 叶县
                                 "unit_credit_code": with_check("11410422MB1234567").lower()})
    assert response.status_code == 201, response.json
    from app.extensions import db
    from app.models import TradingProject
    with pds.app_context():  # kept as 机构管理 keeps codes: trimmed, upper case
        assert db.session.get(TradingProject, response.json["id"]).unit_credit_code == \
            with_check("11410422MB1234567")


def test_the_form_offers_only_the_platforms_regions_and_refuses_another(pds):
    from app.extensions import db
    from app.models import TradingProject
    from tests.helpers import csrf_token

    daili = logged_in(pds, "daili")
    page = daili.get("/acceptance/add?plan=no").get_data(as_text=True)
    assert 'value="410422"' in page and 'value="410100"' not in page
    response = daili.post("/acceptance/add?plan=no", data={
        **NOT_A_PLAN, "encrypted": "y", "region": "410100",
        "csrf_token": csrf_token(daili, "/acceptance/add?plan=no")})
    assert response.status_code == 200
    with pds.app_context():
        assert db.session.query(TradingProject).filter_by(
            project_name="非政府采购项目").count() == 0


def test_a_lot_in_a_published_notice_is_no_longer_edited(pds):
    """Its name and budget are what bidders read; the other lot, in no notice
    yet, may still be corrected (GPS hears of it)."""
    import datetime as dt

    from app.extensions import db
    from app.models import Lot
    from tests.acceptance_helpers import accepted_project
    from tests.helpers import api_token, bearer, form_token

    daili, pk, code = accepted_project(pds, "410400-2026-90077")
    with pds.app_context():
        first = db.session.query(Lot).filter_by(code=f"{code}001").one()
        first.notice_received_at = dt.datetime(2026, 11, 20, 10)
        db.session.commit()
        first_id, second_id = first.id, db.session.query(Lot.id).filter_by(
            code=f"{code}002").scalar()
    client = pds.test_client()
    headers = bearer(api_token(client, "daili"))
    refused = client.put(f"/api/v1/lot/{first_id}", headers=headers, json={"budget": "1.50"})
    assert refused.status_code == 422
    assert "采购公告已发布" in str(refused.json["message"])
    page = daili.get(f"/lots/edit/{first_id}", follow_redirects=True).get_data(as_text=True)
    assert "采购公告已发布" in page
    posted = daili.post(f"/lots/edit/{first_id}", data={
        "name": "评标后改名", "budget": "1.00", "content": "x",
        "csrf_token": form_token(daili)}, follow_redirects=True)
    assert "采购公告已发布" in posted.get_data(as_text=True)
    assert client.put(f"/api/v1/lot/{second_id}", headers=headers,
                      json={"name": "第二包 多媒体设备（更正）"}).status_code == 200
    with pds.app_context():
        assert [(lot.name, str(lot.budget)) for lot in
                db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq)] == [
            ("第一包 教学计算机", "1000000.00"), ("第二包 多媒体设备（更正）", "500000.00")]


@pytest.mark.parametrize("name", ["第一包\x07", "\x1b[31m第一包", "第一\u202e包"])
def test_a_lot_name_with_a_control_character_is_refused(pds, name):
    from app.extensions import db
    from app.models import Lot
    from tests.helpers import api_token, bearer

    daili, pk, code = _accepted_draft(pds)
    client = pds.test_client()
    response = client.post("/api/v1/lot/", headers=bearer(api_token(client, "daili")),
                           json={"project": pk, "name": name, "budget": "1.00"})
    assert response.status_code == 422
    assert "控制字符或文字方向符" in str(response.json["message"]["name"])
    with pds.app_context():
        assert db.session.query(Lot).filter_by(project_id=pk).count() == 0


@pytest.mark.parametrize("body, message", [
    ({}, "请填写计划编号（plan_no）"), ({"plan_no": None}, "请填写计划编号（plan_no）"),
    ({"plan_no": " "}, "请填写计划编号（plan_no）"), ([], "请填写计划编号（plan_no）"),
    ({"plan_no": ["x"]}, "计划编号（plan_no）须为文本"), ({"plan_no": 7}, "计划编号（plan_no）须为文本"),
    ({"plan_no": "410400-2026-00000"}, "所选计划不存在，请重新选择计划")])
def test_choosing_a_plan_over_rest_says_what_is_wrong_with_the_body(pds, body, message):
    from tests.helpers import api_token, bearer

    client = pds.test_client()
    response = client.post("/api/v1/acceptance/from_plan", json=body,
                           headers=bearer(api_token(client, "daili")))
    assert response.status_code == 422 and response.json["message"] == {"plan_no": message}


def test_a_submitted_project_offers_no_edit_or_delete(pds):
    """The list offered 编辑 and 删除 on a submitted project, and 删除 asked
    "删除后该记录不能恢复" before the server refused (a browser walk)."""
    daili, pk, code = _accepted_draft(pds)
    add_lot(daili, pk, "第一包", "1000000.00")

    def buttons(url, key):
        page = daili.get(url).get_data(as_text=True)
        row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if key in r)
        return ("/edit/" in row, "form-delete-record" in row)

    assert buttons("/acceptance/list/", code) == (True, True)  # a draft: both
    submit(daili, pk)
    assert buttons("/acceptance/list/", code) == (False, False)


def test_a_project_whose_plan_gps_withdrew_is_not_accepted(pds):
    """Withdrawn on GPS while under 受理审核, the plan's project was still
    accepted here; GPS refused its project.accepted (a dead letter) and the
    project stood 受理通过 unknown to GPS. Refused at 通过 and at 提交."""
    from sqlalchemy import text

    from app.extensions import db
    from tests.filings import VERSION_RE
    from tests.helpers import form_token

    daili, pk, code = _accepted_draft(pds, plan_no="410400-2026-90077")
    add_lot(daili, pk, "第一包", "1000000.00")
    assert "等待中心业务科室审核" in submit(daili, pk).get_data(as_text=True)
    with pds.app_context():  # plan.withdrawn, as the inbox applies it
        db.session.execute(text("UPDATE plan_replica SET status = '已撤回', "
                                "withdraw_reason = '需求取消' WHERE plan_no = '410400-2026-90077'"))
        db.session.commit()
    keshi = logged_in(pds, "keshi")
    page = keshi.get(f"/acceptance/review/{pk}").get_data(as_text=True)
    done = keshi.post(f"/acceptance/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "通过", "opinion": "同意受理",
        "version": VERSION_RE.search(page).group(1)}, follow_redirects=True)
    said = "所选计划“410400-2026-90077”已被采购单位在政府采购系统撤回（撤回原因：需求取消），不能提交或受理通过"
    assert said in done.get_data(as_text=True)
    assert project_of(pds, "410400-2026-90077")[2] == "待受理审核"
    assert outbox(pds, "project.accepted") == []
