"""【历史】: each record's changes, field by field (app/history.py, /history/<Entity>/<id>)."""
import datetime as dt
import re

import pytest

from app.extensions import db
from app.models import FieldChange, Plan
from tests.contract_helpers import (AWARDS, add_contract, edit_contract, lot_codes,
                                    resulted_project, saved_id)
from tests.expert_draw_helpers import clock
from tests.helpers import csrf_token, logged_in, post_edit_form
from tests.notice_helpers import (announcement_fields, draft_id, plan_of, push_lots, start_draft,
                                  submit)



DAY = dt.date.today() + dt.timedelta(days=1)


def _at(hour, minute=0) -> dt.datetime:
    """Tomorrow at this time: the tests travel there (the clock stopped), log
    in and act, and read the history there, so the session never goes back in time."""
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def _shown(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _rows(page: str) -> list[list[str]]:
    """The 【历史】 table as people read it: one list of cell texts per row."""
    rows = re.findall(r'<tr class="history-row">(.*?)</tr>', page, re.S)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _history(client, entity, pk) -> list[list[str]]:
    response = client.get(f"/history/{entity}/{pk}")
    assert response.status_code == 200, response.status_code
    return _rows(response.get_data(as_text=True))


def _draft_plan(gps) -> int:
    """A draft plan of 平顶山市教育局 (jingban's unit), as the demo left it."""
    with gps.app_context():
        return db.session.query(Plan.id).join(Plan.unit).filter(
            Plan.state == "草稿", Plan.unit.has(name="平顶山市教育局")).order_by(Plan.id).first()[0]


def _edit_plan(client, pk, **changes):
    return post_edit_form(client, f"/plans/edit/{pk}", **changes)


def _new_plan(client, **changes) -> int:
    values = {"project_name": "平顶山市教育局历史记录测试采购", "procurement_method": "公开招标",
              "category": "货物", "item_name": "A05010201 课桌椅", "budget": "1000000.00",
              "fund_source": "财政性资金", "expected_date": "2026-12-15", "agency": "",
              "platform": "410400", "interconnected": "y", "contact": "张经办",
              "phone": "0375-1234567", **changes}
    response = client.post("/plans/add", data={**values, "csrf_token": csrf_token(client, "/plans/add")})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return db.session.query(Plan.id).filter_by(project_name=values["project_name"]).scalar()


def test_a_plan_edit_shows_who_when_and_old_and_new(gps):
    created, edited = _at(9), _at(10, 30)
    with gps.app_context(), clock(created):
        client = logged_in(gps, "jingban")
        pk = _new_plan(client)
    with clock(edited):
        response = _edit_plan(client, pk, budget="1300000.00", remark="预算调整",
                              interconnected="")
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        rows = _history(client, "Plan", pk)
        show = client.get(f"/plans/show/{pk}").get_data(as_text=True)
    budget = next(r for r in rows if r[5:] == ["1,000,000.00", "1,300,000.00"])
    assert budget[:4] == [_shown(edited), "张经办", "平顶山市教育局", "修改"]
    assert "预算" in budget[4]
    assert next(r for r in rows if r[6] == "预算调整")[5] == "—"  # was empty
    assert any(r[5:] == ["是", "否"] for r in rows)  # 是否互联互通
    # The creation is one row, before the change.
    assert rows[-1][:7] == [_shown(created), "张经办", "平顶山市教育局", "新增", "—", "—", "新增"]
    # Bookkeeping (the version, 修改时间/修改人, push state) is never listed.
    with gps.app_context():
        fields = {f for (f,) in db.session.query(FieldChange.field).filter_by(
            entity="Plan", entity_id=str(pk))}
    assert fields.isdisjoint({"version", "changed_on", "changed_by_fk", "push_state",
                              "push_state_at", "created_on"})
    # The plan page has the button.
    assert f'href="/history/Plan/{pk}"' in show


def test_field_labels_and_actions_in_english(gps):
    """The stored labels are the Chinese msgids: a regulator reading in English
    sees them in English; in Chinese nothing changes."""
    with gps.app_context(), clock(_at(11)):
        client = logged_in(gps, "jingban")
        pk = _new_plan(client, project_name="平顶山市教育局英文历史测试采购")
    with clock(_at(11, 30)):
        assert _edit_plan(client, pk, budget="1200000.00").status_code == 302
        regulator = logged_in(gps, "jianguan")
        chinese = _history(regulator, "Plan", pk)
        regulator.get("/lang/en")
        try:
            english = _history(regulator, "Plan", pk)
        finally:
            regulator.get("/lang/zh")
    budget = next(r for r in english if r[5:] == ["1,000,000.00", "1,200,000.00"])
    assert budget[3:5] == ["Edit", "Budget (yuan)"]
    assert english[-1][3] == "New" and english[-1][6] == "New"  # the creation's row
    assert not any(word in cell for row in english for cell in row[3:5]
                   for word in ("修改", "新增", "预算"))
    budget = next(r for r in chinese if r[5:] == ["1,000,000.00", "1,200,000.00"])
    assert budget[3:5] == ["修改", "预算金额（元）"] and chinese[-1][3] == "新增"


def test_a_parts_label_in_english(gps):
    from flask_babel import force_locale

    from app.views.common.history import field_label

    with gps.test_request_context(), force_locale("en"):
        assert field_label("标段 JY001：最高限价") == "Lot JY001: Ceiling price"
        assert field_label("开标记录 甲公司") == "Bid opening records 甲公司"
        assert field_label("未知字段") == "未知字段"
    with gps.test_request_context(), force_locale("zh"):
        assert field_label("标段 JY001：最高限价") == "标段 JY001：最高限价"


def test_a_contract_edit_is_recorded(gps):
    edited = _at(10, 30)
    with clock(_at(9)):
        _plan_id, code = resulted_project(gps)
        codes = lot_codes(gps, code)
        client = logged_in(gps, "jingban")
        parts = {codes[0]: f"{AWARDS[1][1]:.2f}"}
        pk = saved_id(add_contract(client, code, parts, amount=f"{AWARDS[1][1]:.2f}",
                                   supplier_name=AWARDS[1][0]))
    with clock(edited):
        response = edit_contract(client, pk, parts, amount=f"{AWARDS[1][1]:.2f}",
                                 supplier_name=AWARDS[1][0], contract_name="多媒体教室设备采购合同（修订）",
                                 signed_on=_at(9).date().isoformat())
        assert response.status_code == 302, re.findall(r'class="[^"]*(?:error|danger)[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True))
        rows = _history(client, "Contract", pk)
        show = client.get(f"/contracts/show/{pk}").get_data(as_text=True)
    name = next(r for r in rows if r[6] == "多媒体教室设备采购合同（修订）")
    assert name[:4] == [_shown(edited), "张经办", "平顶山市教育局", "修改"]
    assert name[5] == "多媒体教室设备采购合同"
    assert "合同名称" in name[4]
    assert f'href="/history/Contract/{pk}"' in show


def test_a_notice_draft_and_its_lots_are_recorded(gps):
    edited = _at(10, 30)
    with clock(_at(9)):
        plan_id = plan_of(gps)
        code = push_lots(gps, plan_id)
        client = logged_in(gps, "jingban")
        lot = f"{code}001"
        notice_id = draft_id(start_draft(client, plan_id, lots=[lot]))
        fields = announcement_fields()
        saved = submit(client, notice_id, fields, action="save", lots={lot: {
            "max_price": "880000.00", "requirement_html": "<p>交互式一体机20台</p>"}})
        assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    with clock(edited):
        submit(client, notice_id, {**fields, "open_place": "平顶山市公共资源交易中心第二开标室"},
               action="save", lots={lot: {"max_price": "870000.00",
                                          "requirement_html": "<p>交互式一体机20台</p>"}})
        rows = _history(client, "Notice", notice_id)
        show = client.get(f"/notice-publish/notice/{notice_id}").get_data(as_text=True)
    place = next(r for r in rows if r[6] == "平顶山市公共资源交易中心第二开标室")
    assert place[:4] == [_shown(edited), "张经办", "平顶山市教育局", "修改"]
    assert place[5] == "平顶山市公共资源交易中心第一开标室"
    price = next(r for r in rows if r[5:] == ["880,000.00", "870,000.00"])
    assert price[4].startswith(f"标段 {lot}")  # a lot of the notice, on the notice's history
    assert f'href="/history/Notice/{notice_id}"' in show


def test_a_lot_setting_is_recorded_on_the_lot(site_factory):
    from tests.acceptance_helpers import accepted_project
    from app.models import Lot

    pds = site_factory("pds")
    edited = _at(10, 30)
    with clock(_at(9)):
        daili, pk, _code = accepted_project(pds, "410400-2026-95301")
    with pds.app_context():
        lot_id = db.session.query(Lot.id).filter_by(project_id=pk).order_by(Lot.seq).first()[0]
    with clock(edited):
        response = daili.post(f"/lot-fees/edit/{lot_id}", data={
            "csrf_token": csrf_token(daili, f"/lot-fees/edit/{lot_id}"),
            "doc_fee": "300", "bid_bond": "10000.00", "service_fee": "0"})
        assert response.status_code == 302
        rows = _history(daili, "Lot", lot_id)
        # 中心业务科室 of the region reads it; the button is on the lot's pages.
        assert _history(logged_in(pds, "keshi"), "Lot", lot_id)
        fees = daili.get(f"/lot-fees/show/{lot_id}").get_data(as_text=True)
        project = daili.get(f"/acceptance/show/{pk}").get_data(as_text=True)
    bond = next(r for r in rows if r[6] == "10,000.00")
    assert bond[:5] == [_shown(edited), "赵代理", "河南中原招标代理有限公司", "修改", "投标保证金（元）"]
    assert bond[5] == "—"
    assert f'href="/history/Lot/{lot_id}"' in fees
    assert f'href="/history/TradingProject/{pk}"' in project


def test_a_change_applied_by_sync_is_the_systems(site_factory):
    from tests.test_project_sync import _payload, _plan_no, post

    gps, pds = site_factory("gps"), site_factory("pds")
    plan_no = _plan_no(gps, "410400")
    changed = _payload(plan_no)
    changed["lots"][0]["budget"] = "450000.00"
    lot = changed["lots"][0]["code"]
    edited = _at(10, 30)
    with clock(_at(9)):
        assert post((gps, pds), "project.accepted", _payload(plan_no), 1).status_code == 200
    with clock(edited):
        assert post((gps, pds), "project.updated", changed, 2).status_code == 200
        rows = _history(logged_in(gps, "jingban"), "LotReplica", lot)
    budget = next(r for r in rows if r[5:] == ["500,000.00", "450,000.00"])
    assert budget[:4] == [_shown(edited), "系统", "系统（同步）", "修改"]
    assert rows[-1][3:] == ["新增", "—", "—", "新增"]


@pytest.mark.parametrize("user, status", [
    ("jingban", 200), ("shenhe", 200),  # the plan's own unit
    ("jianguan", 200), ("sheng", 200),  # its region's regulator, the province above
    ("jingban2", 404),  # another unit
    ("chushen2", 404),  # the regulator of another region
    ("daili", 404),  # an agency the plan is not entrusted to
])
def test_a_plans_history_is_for_those_who_may_read_the_plan(gps, user, status):
    with gps.app_context():
        pk = db.session.query(Plan.id).join(Plan.unit).filter(
            Plan.agency_id.is_(None), Plan.unit.has(name="平顶山市教育局")).order_by(
            Plan.id).first()[0]
    assert logged_in(gps, user).get(f"/history/Plan/{pk}").status_code == status


def test_an_agency_reads_the_history_of_what_is_entrusted_to_it(gps):
    with gps.app_context():
        pk = db.session.query(Plan.id).filter(Plan.agency.has(name="河南中原招标代理有限公司")).order_by(
            Plan.id).first()[0]
    assert logged_in(gps, "daili").get(f"/history/Plan/{pk}").status_code == 200


@pytest.mark.parametrize("url", [
    "/history/Plan/999999", "/history/Plan/abc", "/history/Plan/-1", "/history/Plan/1e3",
    "/history/Plan/%C2%B2", "/history/Plan/%D9%A1%D9%A2",  # “²” and Arabic-Indic “١٢”: digits to isdigit()
    "/history/Planx/1", "/history/OrgUser/1", "/history/FieldChange/1", "/history/Lot/1",
    "/history/Plan/" + "9" * 40, "/history/LotReplica/" + "x" * 80,
])
def test_junk_urls_are_not_found(gps, url):
    client = logged_in(gps, "jingban")
    assert client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(gps):
    assert gps.test_client().get("/history/Plan/1").status_code in (302, 401)


def test_values_read_as_people_read_them_and_a_job_is_the_systems(site_factory):
    """Outside a request (a command, a job): no user, 系统（后台任务）; long
    text is clipped, times and amounts are shown as on the pages."""
    from app.history import JOB_ACTOR, TEXT_LIMIT
    from app.models import Lot
    from tests.acceptance_helpers import accepted_project

    pds = site_factory("pds")
    _daili, pk, _code = accepted_project(pds, "410400-2026-95302")
    with pds.app_context():
        lot = db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq).first()
        lot.content = "说明" * 200
        lot.doc_issue_start = dt.datetime(2027, 1, 8, 9, 0, 30)
        lot.bid_bond = 12345  # an int on an amount column reads like the stored amount
        db.session.commit()
        rows = {r.field: r for r in db.session.query(FieldChange).filter_by(
            entity="Lot", entity_id=str(lot.id), action="修改")}
    assert rows["content"].new == "说明" * (TEXT_LIMIT // 2) + "…"
    assert (rows["doc_issue_start"].old, rows["doc_issue_start"].new) == (None, "2027-01-08 09:00")
    assert rows["bid_bond"].new == "12,345.00"
    assert {(r.user_id, r.user_name, r.organisation_name) for r in rows.values()} == {
        (None, None, JOB_ACTOR)}


def test_an_upload_reads_as_its_label_and_file_name(gps):
    """An upload set on a record (as the demo and a later edit do, the file
    stored in a request of its own): its label and file name, not the
    column and the attachment's id."""
    from app.extensions import db
    from app.models import Attachment, OrgUser, WinnerChange
    from tests.filings import add_filing, filed_plan_id, newest_filing_id

    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps)).status_code == 302
    pk = newest_filing_id(gps)
    with gps.app_context():
        user = db.session.query(OrgUser).filter_by(username="jingban").one()
        upload = Attachment(stored_name="history-test.pdf", original_name="补正后的情况说明.pdf",
                            content_type="application/pdf", size=1, sha256="0" * 64,
                            uploaded_by_id=user.id)
        db.session.add(upload)
        db.session.commit()
        upload_id = upload.id
    from flask import g

    with gps.test_request_context():
        g.user = db.session.query(OrgUser).filter_by(username="jingban").one()
        db.session.get(WinnerChange, pk).statement_id = upload_id
        db.session.commit()
    page = jingban.get(f"/history/WinnerChange/{pk}").get_data(as_text=True)
    assert "statement_id" not in page
    assert "情况说明材料" in page and "补正后的情况说明.pdf" in page


@pytest.mark.parametrize("user, status", [
    ("jingban", 200), ("chushen", 200),  # its unit; its region's regulator
    ("shenhe", 404),  # the unit's 内部审核岗 never reads expert applications
])
def test_the_history_needs_the_role_that_reads_the_record_too(gps, user, status):
    """An attack probe read an expert application's history as shenhe, whose
    role has no page for applications (403 there): the scope was checked,
    not the role."""
    from tests.expert_draw_helpers import add_request, specialities

    with gps.app_context():
        specialities()
        pk = add_request()
    assert logged_in(gps, user).get(f"/history/ExpertRequest/{pk}").status_code == status
    assert logged_in(gps, user).get(f"/expert-requests/show/{pk}").status_code in (
        (200,) if status == 200 else (403, 404))
