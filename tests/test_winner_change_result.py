"""中标结果变更备案 starts from the published result: 选择项目 offers only the
unit's projects with a published 结果公告, 涉及标段 only the lots of that
result, and 原中标供应商 / 原中标金额 come from it (as a published
结果更正公告 changed it). Stale or tampered requests are refused in Chinese
and change nothing, in the form and over REST."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.filings import FIELDS, add_filing, lot_of, newest_filing_id
from tests.helpers import api_token, bearer, csrf_token, form_token, logged_in
from tests.notice_helpers import plan_of, publish_result, result_fields

PLAN = "平顶山市教育局多媒体教室设备采购"


@pytest.fixture
def plan_id(gps):
    return plan_of(gps, PLAN)


@pytest.fixture
def resulted(gps, plan_id):
    publish_result(gps, plan_id)
    return plan_id


def _count(app):
    from app.extensions import db
    from app.models import WinnerChange

    with app.app_context():
        return db.session.query(WinnerChange).count()


def _row(app, pk):
    from app.extensions import db
    from app.models import WinnerChange

    with app.app_context():
        item = db.session.get(WinnerChange, pk)
        return item.lots, item.original_supplier, item.original_amount


def test_a_project_without_a_published_result_is_not_offered(gps, plan_id):
    jingban = logged_in(gps, "jingban")
    page = jingban.get("/winner-changes/add").get_data(as_text=True)
    assert "选择项目" in page and PLAN not in page and 'id="no-projects"' in page
    refused = jingban.get(f"/winner-changes/add?plan={plan_id}", follow_redirects=True)
    assert "尚未发布结果公告" in refused.get_data(as_text=True)
    before = _count(gps)
    response = jingban.post(f"/winner-changes/add?plan={plan_id}", data={
        "csrf_token": form_token(jingban), "lot_codes": ["JY410400-2026-0001001"], **FIELDS})
    assert response.status_code == 302 and _count(gps) == before
    token = api_token(gps.test_client(), "jingban")
    rest = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": plan_id, "lots": "JY410400-2026-0001001", **FIELDS})
    assert rest.status_code == 422
    assert "尚未发布结果公告，不能办理中标结果变更备案" in str(rest.json["message"])
    assert _count(gps) == before


def test_the_form_takes_lots_winners_and_amounts_from_the_result(gps, resulted):
    jingban = logged_in(gps, "jingban")
    assert PLAN in jingban.get("/winner-changes/add").get_data(as_text=True)
    form = jingban.get(f"/winner-changes/add?plan={resulted}").get_data(as_text=True)
    lot1, lot2 = lot_of(gps, resulted, 1), lot_of(gps, resulted, 2)
    assert f"{lot1} 第1标段（原中标供应商：河南甲科技有限公司，原中标金额：880,000.00 元）" in form
    assert 'name="original_supplier"' not in form and 'name="original_amount"' not in form
    assert add_filing(jingban, resulted).status_code == 302
    assert _row(gps, newest_filing_id(gps)) == (lot1, "河南甲科技有限公司", Decimal("880000.00"))
    assert add_filing(jingban, resulted, lot_codes=[lot1, lot2],
                      new_supplier="河南丁科技有限公司").status_code == 302
    assert _row(gps, newest_filing_id(gps)) == (
        f"{lot1}、{lot2}", "河南甲科技有限公司、河南丙科技有限公司", Decimal("1470000.00"))


def test_a_published_result_correction_is_the_result_in_force(gps, resulted):
    from app import notices
    from app.extensions import db
    from app.models import Notice, OrgUser, Plan

    lot1 = lot_of(gps, resulted, 1)
    with gps.test_request_context():
        from flask import g

        user = g.user = db.session.query(OrgUser).filter_by(username="jingban").one()
        plan = db.session.get(Plan, resulted)
        original = db.session.query(Notice).filter_by(plan_id=resulted,
                                                      notice_type="结果公告").one()
        fix = notices.start_draft(plan, original.project, "结果更正公告", [lot1], user,
                                  original=original)
        contacts = {k: v for k, v in result_fields(dt.date.today()).items()
                    if k.startswith(("purchaser", "agency", "project"))}
        notices.save_draft(fix, {**contacts, "change_html": "<p>中标金额更正</p>"},
                           {lot1: {"supplier_name": "河南戊科技有限公司",
                                   "award_amount": Decimal("870000.00")}}, user)
        assert notices.publish(fix, user) == []
        db.session.commit()
    assert add_filing(logged_in(gps, "jingban"), resulted).status_code == 302
    assert _row(gps, newest_filing_id(gps)) == (lot1, "河南戊科技有限公司", Decimal("870000.00"))


def test_a_lot_not_in_the_result_is_refused_in_the_form_and_over_rest(gps, resulted):
    jingban = logged_in(gps, "jingban")
    before = _count(gps)
    page = add_filing(jingban, resulted, lot_codes=["JY999999-2026-9999001"])
    assert page.status_code == 200
    assert "标段 JY999999-2026-9999001 不在本项目已发布的结果公告中" in page.get_data(as_text=True)
    token = api_token(gps.test_client(), "jingban")
    rest = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": resulted, "lots": "JY999999-2026-9999001", **FIELDS})
    assert rest.status_code == 422 and "不在本项目已发布的结果公告中" in str(rest.json["message"])
    # The original winner is not the client's to say.
    typed = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": resulted, "lots": lot_of(gps, resulted), **FIELDS,
        "original_supplier": "随便写的公司", "original_amount": "1.00"})
    assert typed.status_code in (400, 422)
    assert _count(gps) == before
    ok = gps.test_client().post("/api/v1/winner_change/", headers=bearer(token), json={
        "plan": resulted, "lots": lot_of(gps, resulted, 2), **FIELDS})
    assert ok.status_code == 201, ok.json
    assert _row(gps, ok.json["id"])[1:] == ("河南丙科技有限公司", Decimal("590000.00"))


def test_a_tampered_edit_changes_nothing(gps, resulted):
    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, resulted).status_code == 302
    pk = newest_filing_id(gps)
    before = _row(gps, pk)
    url = f"/winner-changes/edit/{pk}"
    response = jingban.post(url, data={"csrf_token": csrf_token(jingban, url), **FIELDS,
                                       "lot_codes": ["JY999999-2026-9999001"]},
                            content_type="multipart/form-data")
    assert "不在本项目已发布的结果公告中" in response.get_data(as_text=True)
    assert _row(gps, pk) == before


# Who may open 选择项目 and the form for 平顶山市教育局's resulted project:
# the unit's 经办岗 only; another unit's 经办岗 is told it is not theirs;
# reviewers and the agency hold no 增加 at all.
WHO = [("jingban", 200, 200), ("jingban2", 200, "refused"), ("shenhe", 403, 403),
       ("chushen", 403, 403), ("daili", 403, 403), ("jianguan", 403, 403)]


@pytest.mark.parametrize("username, chooser, form", WHO)
def test_who_may_file_against_the_result(gps, resulted, username, chooser, form):
    client = logged_in(gps, username)
    page = client.get("/winner-changes/add")
    assert page.status_code == chooser
    if chooser == 200:
        assert (PLAN in page.get_data(as_text=True)) == (username == "jingban")
    response = client.get(f"/winner-changes/add?plan={resulted}", follow_redirects=True)
    if form == "refused":
        assert "所选项目不存在、不属于本单位或尚未发布结果公告" in response.get_data(as_text=True)
    else:
        assert response.status_code == form


def test_choosing_a_project_is_searched_and_counted(gps, resulted):
    """选择项目 listed every resulted project of the unit at once (16 s and
    66 MB at a province's volume): now a page of them, searched by 计划编号
    or 项目名称 and counted no further than the lists' cap."""
    jingban = logged_in(gps, "jingban")
    found = jingban.get("/winner-changes/add", query_string={"q": "多媒体教室"}).get_data(
        as_text=True)
    assert PLAN in found and "共 1 项" in found and f"plan={resulted}" in found
    for text in ("没有这个项目", "%", "_"):
        missed = jingban.get("/winner-changes/add", query_string={"q": text}).get_data(
            as_text=True)
        assert PLAN not in missed and 'id="no-projects"' in missed, text
    gps.config["LIST_COUNT_CAP"] = 0
    capped = jingban.get("/winner-changes/add").get_data(as_text=True)
    assert "共超过 0 项（请用筛选缩小范围）" in capped and PLAN in capped
