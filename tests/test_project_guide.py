"""项目向导 of 项目监督: a project taken along in-process (结果公告, 合同备案, an
expert draw, and what its platform sent: lot.status, committee.formed,
project.status), its stages, 预警, timeline and who may see them."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import text as sql

from app.extensions import db
from app.models import Contract, ExpertRequest, ProjectFlag, SupervisionProject
from app.project_guide import _review_passed
from tests.contract_helpers import AWARDS, add_contract, filed_contract, lot_codes, saved_id, submit
from tests.expert_draw_helpers import (FIRST_DAY, REVIEW_AT, add_request, clock, eligible_experts,
                                       specialities, user)
from tests.helpers import api_token, bearer, logged_in
from tests.test_committee import deliver

PLATFORM = "平顶山市公共资源交易中心"  # the demo's name of platform 410400
PATHS = ("stages", "timeline", "flags")


def _send(gps, kind, entity, payload, version):
    answer, _ = deliver(gps, payload, version=version, type=kind, source="410400",
                        target="gps", entity=entity)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _status(code, lot, bids, **changes):
    return {"project_code": code, "lot_code": lot, "doc_issue_start": "2026-11-02T09:00:00",
            "doc_issue_end": "2026-11-09T17:00:00", "bid_deadline": "2026-11-25T09:30:00",
            "open_time": "2026-11-25T09:30:00", "evaluation_method": "综合评分法",
            "committee_size": 5,
            "objections": [{"received_on": "2026-11-05", "known_on": "2026-11-04",
                            "reply_date": "2026-11-10"}],
            "bids": bids, **changes}


def _bid(name, price="850000.00", over=False):
    return {"bidder": name, "price": price, "opened_at": "2026-11-25T09:30:00",
            "over_ceiling": over}


@pytest.fixture(scope="module")
def taken(gps_module):
    """One project of 平顶山市教育局 taken to a filed contract, with what its
    platform sent and an expert draw for its first lot (评审时间 REVIEW_AT)."""
    gps = gps_module
    plan_id, code, contract_id = filed_contract(gps)
    lot1, lot2 = lot_codes(gps, code)
    _send(gps, "lot.status", f"lot_status:{lot1}",
          _status(code, lot1, [_bid("甲公司"), _bid("乙公司")]), 1)
    _send(gps, "lot.status", f"lot_status:{lot1}",
          _status(code, lot1, [_bid("甲公司"), _bid("乙公司"), _bid("丙公司", "990000.00", True)]),
          2)
    members = [{"name": n, "source": "抽取专家", "speciality": "A0201 计算机设备",
                "work_unit": "平顶山学院", "is_chair": i == 0, "state": "在册"}
               for i, n in enumerate(["评委甲", "评委乙", "评委丙"])]
    _send(gps, "committee.formed", f"committee:{lot1}",
          {"project_code": code, "lot_code": lot1, "members": members}, 1)
    with gps.app_context(), clock(FIRST_DAY):
        from app import expert_draw

        specialities()
        eligible_experts(8)
        db.session.commit()
        request_id = add_request(needs=(("A0201", 3, 1),), lot=lot1)
        # Plain SQL: the audit columns' onupdate wants a signed-in user.
        db.session.execute(sql("UPDATE expert_request SET project_code = :code WHERE id = :id"),
                           {"code": code, "id": request_id})
        db.session.commit()
        item = db.session.get(ExpertRequest, request_id)
        expert_draw.draw(item, user(gps, "chushen"))
        names = [d.expert.name for d in item.draws[0].experts if d.role == "正选"]
    # After the draw: from 评标结束 on, no experts are drawn for the project.
    _send(gps, "project.status", f"project:{code}", {"project_code": code, "stage": "评标结束"},
          50)
    return dict(app=gps, plan_id=plan_id, code=code, lots=(lot1, lot2),
                contract_id=contract_id, request_id=request_id, names=names)


def _page(app, username, plan_id):
    return logged_in(app, username).get(f"/supervision/project/{plan_id}")


def _api(app, username, plan_id, path):
    client = app.test_client()
    return client.get(f"/api/v1/supervision/{plan_id}/{path}",
                      headers=bearer(api_token(client, username)))


def _states(page: str) -> dict:
    return dict(re.findall(r'data-stage="([^"]+)" data-state="([^"]+)"', page))


def test_the_stages_of_a_project_taken_to_its_contract(taken):
    with clock(REVIEW_AT - dt.timedelta(days=1)):
        page = _page(taken["app"], "jianguan", taken["plan_id"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert _states(text) == {
        "计划备案/推送": "已完成", "进场受理": "已完成", "标段推送": "已完成", "采购公告": "已完成",
        "变更公告": "不适用", "招标文件/开评标配置": "进行中", "质疑": "已完成", "开标": "进行中",
        "专家抽取": "已完成", "组建评委会": "进行中", "评标": "已完成", "结果公告": "已完成",
        "结果更正公告": "不适用", "合同公告及备案": "已完成", "中标结果变更备案": "不适用",
        "终止": "不适用"}
    # The trading side's stages, inline; GPS's records linked to their own pages.
    assert "投标截止 2026-11-25 09:30" in text and "评标办法 综合评分法" in text
    assert "2026-11-05 收到质疑，2026-11-10 答复" in text
    assert "3 家投标" in text and "丙公司 990,000.00 元（超过最高限价）" in text and "甲公司 850,000.00 元" in text
    assert f'href="/contract-filings/show/{taken["contract_id"]}"' in text
    assert f'href="/plans/show/{taken["plan_id"]}"' in text
    # Every link on the page opens for the regulator (each record's own scope).
    client = logged_in(taken["app"], "jianguan")
    for url in set(re.findall(r'href="(/(?:plans|notice-publish|contract-filings|expert-'
                              r'requests|expert-draw|trading-projects)[^"]*)"', text)):
        assert client.get(url).status_code == 200, url

    stages = _api(taken["app"], "jianguan", taken["plan_id"], "stages").json["result"]
    assert [s["name"] for s in stages] == [
        "计划备案/推送", "进场受理", "标段推送", "采购公告", "变更公告", "招标文件/开评标配置", "质疑",
        "开标", "专家抽取", "组建评委会", "评标", "结果公告", "结果更正公告", "合同公告及备案",
        "中标结果变更备案", "终止"]
    plan_stage = stages[0]
    assert plan_stage["organisation"] == "平顶山市教育局"
    assert plan_stage["links"] == [{"label": plan_stage["links"][0]["label"],
                                    "url": f"/plans/show/{taken['plan_id']}"}]
    assert {s["name"]: s["links"] for s in stages}["开标"] == []  # no GPS page: inline


def test_names_are_sealed_until_the_review_time(taken):
    app, plan_id, names = taken["app"], taken["plan_id"], taken["names"]
    assert names
    with clock(REVIEW_AT - dt.timedelta(minutes=1)):
        for username in ("jianguan", "chushen", "sheng"):
            text = _page(app, username, plan_id).get_data(as_text=True)
            assert "已抽取 3 人，结果将于评审时间公开" in text
            assert not any(n in text for n in names), username
            assert "评委甲" not in text and "名单于评审时间后显示" in text
            for path in PATHS:
                body = _api(app, username, plan_id, path).get_data(as_text=True)
                assert not any(n in body for n in names) and "评委甲" not in body
    with clock(REVIEW_AT):
        page = _page(app, "jianguan", plan_id).get_data(as_text=True)
        assert all(n in page for n in names) and "评委甲（组长）、评委乙、评委丙" in page


def test_the_timeline_has_gps_and_platform_events_newest_first(taken):
    app, plan_id, lot1 = taken["app"], taken["plan_id"], taken["lots"][0]
    answer = _api(app, "jianguan", plan_id, "timeline").json
    events = answer["result"]
    assert answer["capped"] is False
    times = [e["at"] for e in events]
    assert times == sorted(times, reverse=True)
    texts = [e["text"] for e in events]
    assert f"{PLATFORM}：开标记录已更新（标段 第1标段 {lot1}）" in texts
    assert f"{PLATFORM}：招标文件规划/开评标配置、项目质疑、开标记录已更新（标段 第1标段 {lot1}）" \
        in texts
    assert f"{PLATFORM}：项目阶段变为“评标结束”" in texts
    assert f"{PLATFORM}：评委会已更新（标段 第1标段 {lot1}）" in texts
    # The newer lot.status comes before the older one.
    assert texts.index(f"{PLATFORM}：开标记录已更新（标段 第1标段 {lot1}）") < texts.index(
        f"{PLATFORM}：招标文件规划/开评标配置、项目质疑、开标记录已更新（标段 第1标段 {lot1}）")
    # GPS's own audit rows, with who and which organisation.
    gps_rows = [e for e in events if e["source"] == "政府采购系统"]
    assert any("合同公告及备案" in e["text"] and e["user"] == "李审核"
               and e["organisation"] == "平顶山市教育局" for e in gps_rows), gps_rows
    assert any("公告" in e["text"] for e in gps_rows)
    page = _page(app, "jianguan", plan_id).get_data(as_text=True)
    assert 'id="guide-timeline"' in page and f"{PLATFORM}：开标记录已更新" in page


def test_flags_sit_on_their_stage_with_basis_and_link(taken):
    app, plan_id = taken["app"], taken["plan_id"]
    with app.app_context():
        # project_flag is app/supervision.py's; here a row as it writes one.
        if db.session.get(SupervisionProject, plan_id) is None:
            from app.models import Plan

            plan = db.session.get(Plan, plan_id)
            db.session.add(SupervisionProject(
                plan_id=plan.id, plan_no=plan.plan_no, project_name=plan.project_name,
                unit_id=plan.unit_id, unit_name=plan.unit.name, region_code=plan.region_code,
                procurement_method=plan.procurement_method, category=plan.category,
                budget=plan.budget, filed_at=plan.filed_at, stage="合同备案",
                refreshed_at=dt.datetime.now()))
        db.session.add(ProjectFlag(plan_id=plan_id, flag_id="YJ07", record_type="Contract",
                                   record_id=str(taken["contract_id"]), record_label="合同",
                                   detail="合同金额与中标金额相差 1.00 元",
                                   raised_on=dt.date(2026, 12, 1)))
        db.session.commit()
    flags = _api(app, "fuhe", plan_id, "flags").json["result"]
    assert flags == [{
        "flag_id": "YJ07", "name": "合同金额与中标金额不一致", "basis": "87号令第七十一条",
        "detail": "合同金额与中标金额相差 1.00 元", "raised_on": "2026-12-01",
        "record_type": "Contract", "record_id": str(taken["contract_id"]), "record_label": "合同",
        "url": f"/contract-filings/show/{taken['contract_id']}", "stage": "合同公告及备案"}]
    stages = {s["name"]: s for s in _api(app, "fuhe", plan_id, "stages").json["result"]}
    assert [f["flag_id"] for f in stages["合同公告及备案"]["flags"]] == ["YJ07"]
    page = _page(app, "fuhe", plan_id).get_data(as_text=True)
    assert "YJ07 合同金额与中标金额不一致" in page and "87号令第七十一条" in page


# 平顶山市教育局's plan (市 410400): its city's and the province's regulators
# see it; 方城县 (another city's county), units and agencies get 404.
WHO = [("jianguan", 200), ("chushen", 200), ("fuhe", 200), ("sheng", 200), ("admin", 200),
       ("chushen2", 404), ("fuhe2", 404), ("jingban", 404), ("shenhe", 404), ("daili", 404),
       ("jingban2", 404)]


@pytest.mark.parametrize("username, status", WHO)
def test_who_may_open_the_guide(taken, username, status):
    app, plan_id = taken["app"], taken["plan_id"]
    assert _page(app, username, plan_id).status_code == status
    for path in PATHS:
        answer = _api(app, username, plan_id, path)
        assert answer.status_code == status, (path, answer.get_data(as_text=True))
        if status == 404:
            assert taken["code"] not in answer.get_data(as_text=True)


def test_a_county_regulator_sees_its_county_and_the_city_does_not(taken):
    from app.models import Plan

    app = taken["app"]
    with app.app_context():
        plan_id = db.session.query(Plan.id).filter(Plan.region_code == "411322",
                                                   Plan.state == "已备案").first()[0]
    for username, status in (("chushen2", 200), ("sheng", 200), ("jianguan", 404)):
        assert _page(app, username, plan_id).status_code == status, username
        assert _api(app, username, plan_id, "stages").status_code == status, username


@pytest.mark.parametrize("junk", ["abc", "0", "99999999", "1e3", "12345678901234567890", "-1"])
def test_junk_ids_are_404(taken, junk):
    app = taken["app"]
    assert _page(app, "jianguan", junk).status_code == 404
    for path in PATHS:
        answer = _api(app, "jianguan", junk, path)
        assert answer.status_code == 404
        # JSON in Chinese, never Werkzeug's English HTML page.
        assert answer.json["message"] in ("无此项目或不在您的监管范围内", "接口不存在"), junk
    if junk in ("abc", "-1"):
        assert answer.json["message"] == "无此项目或不在您的监管范围内"


def test_rest_errors_under_supervision_are_json(taken):
    app = taken["app"]
    client = app.test_client()
    headers = bearer(api_token(client, "jianguan"))
    unrouted = client.get("/api/v1/supervision/1", headers=headers)
    assert unrouted.status_code == 404
    assert unrouted.json == {"message": "接口不存在"}
    wrong_method = client.post("/api/v1/supervision/", headers=headers, json={})
    assert wrong_method.status_code == 405
    assert wrong_method.json == {"message": "不支持该请求方法"}
    assert "GET" in wrong_method.headers["Allow"]
    # An outsider still learns nothing: 404 for any method, JSON too.
    outsider = bearer(api_token(client, "jingban"))
    for method in (client.get, client.post):
        answer = method(f"/api/v1/supervision/{taken['plan_id']}/stages", headers=outsider)
        assert answer.status_code == 404
        assert answer.json == {"message": "接口不存在"}
    # The pages keep their HTML.
    page = logged_in(app, "jianguan").get("/supervision/project/abc")
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)


def test_a_draft_plan_is_not_supervised(taken):
    from app.models import Plan

    app = taken["app"]
    with app.app_context():
        draft = db.session.query(Plan.id).filter(Plan.state == "草稿",
                                                 Plan.region_code == "410400").first()
    assert draft is not None, "the demo keeps a draft plan in 平顶山"
    assert _page(app, "jianguan", draft[0]).status_code == 404


def test_the_rest_paths_are_in_the_openapi_spec(taken):
    client = taken["app"].test_client()
    spec = client.get("/api/v1/_openapi", headers=bearer(api_token(client, "admin")))
    assert spec.status_code == 200
    paths = spec.json["paths"]
    for path in PATHS:
        assert f"/api/v1/supervision/{{plan_id}}/{path}" in paths, sorted(paths)[:50]


def test_a_lot_no_application_names_stays_sealed_until_evaluation():
    """A committee for a lot no 专家抽取申请 names (typed by hand, or from
    elsewhere): no 评审时间 here is no permission; 评标 begun is."""
    now = dt.datetime(2026, 12, 1, 10, 0)
    request = SimpleNamespace(lot_code="L1", review_at=now + dt.timedelta(hours=1))
    assert _review_passed([request], "L2", now) is False
    assert _review_passed([], "L2", now) is False
    assert _review_passed([request], "L2", now, evaluating=True) is True
    assert _review_passed([request], "L1", now) is False
    assert _review_passed([request], "L1", now + dt.timedelta(hours=1)) is True


def test_a_contract_still_with_the_unit_is_not_shown_to_the_regulator(taken):
    """Submitted (待单位审核), not filed: the regulator's 【合同备案查询】 does not
    have it, and neither do the 项目向导, its REST paths, the timeline or 预警."""
    app, plan_id, code = taken["app"], taken["plan_id"], taken["code"]
    lot2 = taken["lots"][1]
    client = logged_in(app, "jingban")
    pk = saved_id(add_contract(client, code, {lot2: f"{AWARDS[2][1]:.2f}"},
                               amount=f"{AWARDS[2][1]:.2f}", supplier_name=AWARDS[2][0],
                               contract_no="PDS-WEIBEIAN-002",
                               contract_name="尚在单位审核的合同"))
    assert "已提交" in submit(client, pk).get_data(as_text=True)
    with app.app_context():
        item = db.session.get(Contract, pk)
        assert item.state == "待单位审核"
        filing_no = item.filing_no
        assert db.session.query(ProjectFlag).filter_by(
            plan_id=plan_id, record_type="Contract", record_id=str(pk)).count() == 0
    page = _page(app, "jianguan", plan_id).get_data(as_text=True)
    assert filing_no not in page and "尚在单位审核的合同" not in page
    for path in PATHS:
        body = _api(app, "jianguan", plan_id, path).get_data(as_text=True)
        assert filing_no not in body and "尚在单位审核的合同" not in body, path


def test_a_draft_notice_is_not_on_the_timeline(taken):
    """A notice the agency or unit is still drafting is theirs alone (the
    regulator cannot open it): its audit rows wait for its publication."""
    from flask import g

    from app import notices
    from app.audit import record
    from app.models import Plan, ProjectReplica

    app, plan_id, code = taken["app"], taken["plan_id"], taken["code"]
    with app.test_request_context():
        jingban = user(app, "jingban")
        g.user = jingban
        plan, project = db.session.get(Plan, plan_id), db.session.get(ProjectReplica, code)
        result = notices.draftable(project)["结果更正公告"][0]  # the project is past its result
        draft = notices.start_draft(plan, project, "结果更正公告",
                                    [lot.lot_code for lot in result.lots], jingban, original=result)
        assert draft.state == "草稿"
        record(jingban, "起草结果更正公告", draft)
        db.session.commit()
        key = draft.notice_key
    events = _api(app, "jianguan", plan_id, "timeline").json["result"]
    assert events and not any(key in e["text"] for e in events)
    assert key not in _page(app, "jianguan", plan_id).get_data(as_text=True)


# --- in English ---------------------------------------------------------------------

def _english_page(app, plan_id):
    client = logged_in(app, "jianguan")
    client.get("/lang/en")
    try:
        return client.get(f"/supervision/project/{plan_id}").get_data(as_text=True)
    finally:
        client.get("/lang/zh")


def test_the_guide_in_english(taken):
    """Stage names, states, sentences and 预警 names are shown in English; the
    stored Chinese values stay in the page's data attributes and the REST API."""
    app, plan_id, lot1 = taken["app"], taken["plan_id"], taken["lots"][0]
    with app.app_context():
        flag = ProjectFlag(plan_id=plan_id, flag_id="YJ11", record_type="LotStatus",
                           record_id=lot1, record_label=lot1, detail="开标时投标人 2 家",
                           raised_on=dt.date(2026, 11, 25))
        db.session.add(flag)
        db.session.commit()
        flag_id = flag.id
    try:
        with clock(REVIEW_AT - dt.timedelta(days=1)):
            page = _english_page(app, plan_id)
        for english in ("Plan filing / push", "Accepted by platform", "Lots pushed",
                        "Tender documents / opening and evaluation set-up", "Objections",
                        "Contract notice and filing", "Terminated", "Done", "In progress",
                        "Not applicable", "bid deadline 2026-11-25 09:30",
                        "evaluation method Comprehensive scoring", "objection received 2026-11-05, answered",
                        "3 bids", "990,000.00 yuan (above the ceiling price)",
                        "the members are shown from the review time",
                        "YJ11 Fewer than three bids opened", "Opening"):
            assert english in page, english
        shown = re.sub(r'data-stage="[^"]*" data-state="[^"]*"', "", page)
        for chinese in ("计划备案/推送", "标段推送", "招标文件/开评标配置", "已完成", "进行中",
                        "不适用", "投标截止", "家投标", "超过最高限价", "名单于评审时间后显示",
                        "开标不足三家", "项目阶段变为", "已更新（标段", "综合评分法",
                        "已推送", "已通过", "评标中"):
            assert chinese not in shown, chinese
        assert _states(page)["计划备案/推送"] == "已完成"  # the data attributes keep the values
        # The 时间线: notices' actions in English, one notice a "Notice", English colons.
        timeline = page.split('id="guide-timeline"')[1]
        for english in ("Draft procurement notice (Notice JY", "Save notice draft (Notice JY",
                        "Publish procurement notice (Notice JY", "Publish result notice (Notice JY",
                        "Publish contract notice (Notice JY"):
            assert english in timeline, english
        for chinese in ("起草", "发布", "保存公告草稿", "(Notices "):
            assert chinese not in timeline, chinese
        assert re.findall(r"[A-Za-z)]：", page) == []
        # The REST API is machine data: Chinese whatever the UI's language.
        client = app.test_client()
        headers = bearer(api_token(client, "jianguan"))
        client.get("/lang/en")
        stages = client.get(f"/api/v1/supervision/{plan_id}/stages", headers=headers).json
        assert stages["result"][0]["name"] == "计划备案/推送"
        assert stages["result"][0]["state"] == "已完成"
        flags = client.get(f"/api/v1/supervision/{plan_id}/flags", headers=headers).json
        assert "开标不足三家" in [f["name"] for f in flags["result"]]
        events = client.get(f"/api/v1/supervision/{plan_id}/timeline", headers=headers).json
        assert any("项目阶段变为“评标结束”" in e["text"] for e in events["result"])
    finally:
        with app.app_context():
            db.session.query(ProjectFlag).filter_by(id=flag_id).delete()
            db.session.commit()


def test_the_guide_in_chinese_is_unchanged(taken):
    with clock(REVIEW_AT - dt.timedelta(days=1)):
        page = _page(taken["app"], "jianguan", taken["plan_id"]).get_data(as_text=True)
    for chinese in ("<th>计划备案/推送</th>", ">已完成</span>", "投标截止 2026-11-25 09:30",
                    "3 家投标", "项目阶段变为“评标结束”"):
        assert chinese in page, chinese
    assert "Plan filing" not in page and "bid deadline" not in page


def test_no_experts_are_drawn_once_evaluation_has_ended(taken):
    """A browser walk's find: 选择项目 offered, and 补抽 took, projects whose
    platform had sent 评标结束 (their committees had sat)."""
    from app import expert_draw

    gps, code = taken["app"], taken["code"]
    with gps.app_context():
        item = db.session.get(ExpertRequest, taken["request_id"])
        refusal = f"项目“{code}”已进入“评标结束”阶段，不能再抽取专家"
        assert expert_draw.evaluated_refusal(item) == refusal
        with pytest.raises(expert_draw.Refusal, match=re.escape(refusal)):
            expert_draw.supplement(item, item.needs[0], "1", "再补一位", user(gps, "chushen"))
        db.session.rollback()
        assert len(db.session.get(ExpertRequest, taken["request_id"]).draws) == 1
    page = logged_in(gps, "jingban").get("/expert-requests/choose-project").get_data(as_text=True)
    assert code not in page
