"""变更公告 column on 平顶山市: a 变更公告 arrives, daili enters the new times and
【提交】s, keshi 审核s, the lots take the new times."""
import datetime as dt

import pytest

from tests.acceptance_helpers import (accepted_project, add_lot, complete,
                                      hand_to_other_agency, pushed_plan, second_agency_user,
                                      submit, take_plan)
from tests.helpers import api_token, bearer, csrf_token, form_token, logged_in


@pytest.fixture
def accepted(site_factory):
    """An accepted project with two lots, and a 变更公告 for its first lot."""
    pds = site_factory("pds")
    pushed_plan(pds, "410400-2026-93001")
    daili = logged_in(pds, "daili")
    take_plan(daili, "410400-2026-93001")
    from app.extensions import db
    from app.models import TradingProject
    with pds.app_context():
        project = db.session.query(TradingProject).filter_by(plan_no="410400-2026-93001").one()
        pk, code = project.id, project.project_code
    complete(daili, pk)
    add_lot(daili, pk, "第一包", "1000000.00")
    add_lot(daili, pk, "第二包", "500000.00")
    submit(daili, pk)
    client = pds.test_client()
    answer = client.post(f"/api/v1/acceptance/{pk}/review",
                         headers=bearer(api_token(client, "keshi")),
                         json={"result": "通过", "opinion": "同意"})
    assert answer.json["state"] == "受理通过"
    from app import time_changes
    with pds.app_context():
        change = time_changes.notice_arrived(code, "notice-change-1", "关于某项目的变更公告",
                                             [f"{code}001"])
        db.session.commit()
        change_id = change.id
    return pds, daili, code, change_id


def _edit(client, pk, deadline, opening, doc_end="2026-12-20 17:00:00"):
    token = csrf_token(client, f"/time-changes/edit/{pk}")
    return client.post(f"/time-changes/edit/{pk}", data={
        "csrf_token": token, "new_doc_issue_end": doc_end, "new_bid_deadline": deadline,
        "new_open_time": opening, "remark": "依变更公告顺延"}, follow_redirects=True)


def _lot_times(pds, code):
    from app.extensions import db
    from app.models import Lot
    with pds.app_context():
        return [(lot.code, lot.bid_deadline, lot.open_time)
                for lot in db.session.query(Lot).filter(Lot.code.like(code + "%"))
                .order_by(Lot.seq)]


def test_the_agency_adjusts_and_the_centre_approves(accepted):
    pds, daili, code, pk = accepted
    todo = daili.get("/todo/").get_data(as_text=True)
    assert "关于某项目的变更公告" in todo and f"/time-changes/edit/{pk}" in todo
    page = _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:00:00").get_data(as_text=True)
    assert "开标时间不能早于投标截止时间" in page
    _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00")
    done = daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)},
        follow_redirects=True).get_data(as_text=True)
    assert "等待中心业务科室审核" in done

    keshi = logged_in(pds, "keshi")
    assert f"/time-changes/review/{pk}" in keshi.get("/todo/").get_data(as_text=True)
    from tests.filings import VERSION_RE
    review = keshi.get(f"/time-changes/review/{pk}").get_data(as_text=True)
    result = keshi.post(f"/time-changes/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "通过", "opinion": "同意",
        "version": VERSION_RE.search(review).group(1)}, follow_redirects=True)
    assert "当前状态：已生效" in result.get_data(as_text=True)
    new = dt.datetime(2026, 12, 28, 9, 30)
    assert _lot_times(pds, code) == [(f"{code}001", new, new), (f"{code}002", None, None)]


def test_submit_without_times_is_refused_and_return_needs_an_opinion(accepted):
    pds, daili, code, pk = accepted
    page = daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)},
        follow_redirects=True).get_data(as_text=True)
    assert "请填写变更后的投标截止时间" in page
    _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00")
    daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)})
    keshi = logged_in(pds, "keshi")
    from tests.filings import VERSION_RE
    review = keshi.get(f"/time-changes/review/{pk}").get_data(as_text=True)
    page = keshi.post(f"/time-changes/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "退回", "opinion": "",
        "version": VERSION_RE.search(review).group(1)}, follow_redirects=True)
    assert "退回时必须填写审批意见" in page.get_data(as_text=True)
    page = keshi.post(f"/time-changes/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "退回", "opinion": "开标时间不是工作日",
        "version": VERSION_RE.search(review).group(1)}, follow_redirects=True)
    assert "当前状态：已退回" in page.get_data(as_text=True)
    assert "开标时间不是工作日" in daili.get("/todo/").get_data(as_text=True)
    assert _lot_times(pds, code)[0][1] is None


def test_nobody_adds_or_deletes_entries_and_other_agencies_cannot_see_them(accepted):
    pds, daili, code, pk = accepted
    assert daili.get("/time-changes/add").status_code in (403, 404)
    assert daili.post(f"/time-changes/delete/{pk}",
                      data={"csrf_token": form_token(daili)}).status_code in (403, 404, 405)
    keshi = logged_in(pds, "keshi")
    assert keshi.get(f"/time-changes/edit/{pk}").status_code == 403


def test_entries_are_seen_in_their_projects_scope(accepted):
    """【变更公告】 is listed by the agency and region each entry holds,
    copied from its project when the notice arrives: every user sees
    exactly the entries of the projects it sees, and another agency (with
    a project in a county) neither lists nor opens daili's."""
    from sqlalchemy import select

    from app import time_changes
    from app.extensions import db
    from app.models import TimeChange, TradingProject
    from app.scope import project_clause, time_change_clause

    pds, daili, code, pk = accepted
    second_agency_user(pds)
    _daili, other_pk, other_code = accepted_project(pds, "410400-2026-93002")
    hand_to_other_agency(pds, other_pk, "410421")
    with pds.app_context():
        daili2 = db.session.query(pds.appbuilder.sm.user_model).filter_by(username="daili2").one()
        other = time_changes.notice_arrived(other_code, "notice-change-2", "另一项目的变更公告",
                                            None)
        db.session.commit()
        assert (other.agency_id, other.region_code) == (daili2.organisation_id, "410421")
        other_id = other.id
        seen = {}
        for user in db.session.query(pds.appbuilder.sm.user_model):
            by_columns = {i for (i,) in db.session.query(TimeChange.id)
                          .filter(time_change_clause(user))}
            through_projects = {i for (i,) in db.session.query(TimeChange.id).filter(
                TimeChange.project_id.in_(select(TradingProject.id)
                                          .where(project_clause(user))))}
            assert by_columns == through_projects, user.username
            seen[user.username] = by_columns
    assert (seen["daili"], seen["daili2"], seen["keshi"]) == ({pk}, {other_id}, {pk, other_id})
    theirs = logged_in(pds, "daili2")
    page = theirs.get("/time-changes/list/").get_data(as_text=True)
    assert "另一项目的变更公告" in page and "关于某项目的变更公告" not in page
    for path in (f"/time-changes/show/{pk}", f"/time-changes/edit/{pk}"):
        assert theirs.get(path).status_code == 404, path
    assert "另一项目的变更公告" not in daili.get("/time-changes/list/").get_data(as_text=True)


def test_a_change_that_would_put_a_lots_times_out_of_order_is_refused(accepted):
    """The lot keeps its 文件获取截止时间 when none is entered: a 投标截止时间
    before it would have been saved, and every lot.status after it refused
    by GPS."""
    from app.extensions import db
    from app.models import Lot
    pds, daili, code, pk = accepted
    with pds.app_context():
        lot = db.session.query(Lot).filter_by(code=f"{code}001").one()
        lot.doc_issue_start = dt.datetime(2026, 12, 1, 9)
        lot.doc_issue_end = dt.datetime(2026, 12, 30, 17)
        db.session.commit()
    page = _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00", doc_end="")
    assert "标段“第一包”：文件获取截止时间不能晚于投标截止时间" in page.get_data(as_text=True)
    page = _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00",
                 doc_end="2026-11-30 17:00:00")
    assert "标段“第一包”：文件获取截止时间应晚于文件获取开始时间" in page.get_data(as_text=True)
    _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00")  # 12-20: in order
    page = daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)},
        follow_redirects=True).get_data(as_text=True)
    assert "等待中心业务科室审核" in page
