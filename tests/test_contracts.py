"""【合同管理】→【合同公告及备案】 through the pages a user clicks: 选择项目,
关联标段 from the published result (as corrected), 【保存】, 【提交】,
【待办任务】→【进入审批】→【审核】, 退回, late reasons, 补充合同, the
regulators' 【合同备案查询】, and who may open what."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.contract_helpers import (AWARDS, add_contract, contract_row, edit_contract,
                                    filed_contract, lot_codes, resulted_project, review,
                                    saved_id, submit)
from tests.helpers import api_token, bearer, logged_in


def _count(app):
    from app.extensions import db
    from app.models import Contract

    with app.app_context():
        return db.session.query(Contract).count()


def _relatable(app, code):
    from app import contracts

    with app.app_context():
        return {lot["code"]: (lot["supplier_name"], lot["award_amount"], lot["remaining"])
                for lot in contracts.relatable_lots(code)}


def test_only_projects_with_a_published_result_can_be_chosen(gps):
    jingban = logged_in(gps, "jingban")
    page = jingban.get("/contracts/choose-project").get_data(as_text=True)
    assert 'id="no-projects"' in page
    _, code = resulted_project(gps)
    page = jingban.get("/contracts/choose-project").get_data(as_text=True)
    assert code in page and "选择项目" in page
    assert code not in jingban.get("/contracts/choose-project?q=没有这个项目").get_data(as_text=True)
    # Another unit's project is neither offered nor reachable by its code.
    other = logged_in(gps, "jingban2")
    assert code not in other.get("/contracts/choose-project").get_data(as_text=True)
    response = other.get(f"/contracts/add?project={code}")
    assert response.status_code == 302 and "choose-project" in response.headers["Location"]


def test_the_form_is_prefilled_from_the_plan_unit_and_award(gps):
    _, code = resulted_project(gps, seqs={1})
    page = logged_in(gps, "jingban").get(f"/contracts/add?project={code}").get_data(as_text=True)
    lot1 = lot_codes(gps, code)[0]
    assert f'value="{lot1}"' in page and "河南甲科技有限公司" in page
    assert 'value="880000.00"' in page  # 本合同金额: the remaining award
    assert "平顶山市教育局" in page and "公开招标" in page
    assert 'id="clocks-panel"' not in page  # no 签订日期 yet, nothing to judge


def test_related_lots_follow_a_result_correction(gps):
    from app import notices
    from app.extensions import db
    from app.models import Notice, OrgUser, Plan
    from tests.notice_helpers import result_fields

    plan_id, code = resulted_project(gps)
    lot1, lot2 = lot_codes(gps, code)
    with gps.test_request_context():
        from flask import g

        user = g.user = db.session.query(OrgUser).filter_by(username="jingban").one()
        plan = db.session.get(Plan, plan_id)
        original = db.session.query(Notice).filter_by(plan_id=plan_id,
                                                      notice_type="结果公告").one()
        fix = notices.start_draft(plan, original.project, "结果更正公告", [lot1], user,
                                  original=original)
        contacts = {k: v for k, v in result_fields(dt.date.today()).items()
                    if k.startswith(("purchaser", "agency", "project"))}
        notices.save_draft(fix, {**contacts, "change_html": "<p>中标供应商更正</p>"},
                           {lot1: {"supplier_name": "河南戊科技有限公司",
                                   "award_amount": Decimal("870000.00")}}, user)
        assert notices.publish(fix, user) == []
        db.session.commit()
    lots = _relatable(gps, code)
    assert lots[lot1] == ("河南戊科技有限公司", Decimal("870000.00"), Decimal("870000.00"))
    assert lots[lot2][0] == "河南丙科技有限公司"
    # Saved from the corrected award: its supplier and amount, its notice.
    jingban = logged_in(gps, "jingban")
    refused = add_contract(jingban, code, {lot1: "880000.00"}, supplier_name="河南戊科技有限公司")
    assert refused.status_code == 200
    assert "超过中标（成交）金额 870,000.00 元" in refused.get_data(as_text=True)
    pk = saved_id(add_contract(jingban, code, {lot1: "870000.00"}, amount="870000.00",
                               supplier_name="河南戊科技有限公司"))
    from app.models import Contract

    with gps.app_context():
        item = db.session.get(Contract, pk)
        assert item.result_notice.notice_type == "结果更正公告"
        assert [(lot.supplier_name, lot.award_amount) for lot in item.lots] == [
            ("河南戊科技有限公司", Decimal("870000.00"))]


def test_fully_contracted_lots_are_not_offered_drafts_do_not_count(gps):
    _, code = resulted_project(gps)
    lot1, lot2 = lot_codes(gps, code)
    jingban = logged_in(gps, "jingban")
    draft = saved_id(add_contract(jingban, code, {lot2: "590000.00"}, amount="590000.00",
                                  supplier_name="河南丙科技有限公司"))
    assert lot2 in _relatable(gps, code)  # a draft holds nothing
    part = saved_id(add_contract(jingban, code, {lot1: "500000.00"}, amount="500000.00",
                                 amount_note="分两期签订"))
    assert "已提交" in submit(jingban, part).get_data(as_text=True)
    assert _relatable(gps, code)[lot1][2] == Decimal("380000.00")  # what remains
    assert "已提交" in submit(jingban, draft).get_data(as_text=True)
    assert lot2 not in _relatable(gps, code)  # 待单位审核 holds the whole award
    page = jingban.get(f"/contracts/add?project={code}").get_data(as_text=True)
    assert f'value="{lot2}"' not in page and 'value="380000.00"' in page
    # A lot taken meanwhile cannot be saved again.
    before = _count(gps)
    refused = add_contract(jingban, code, {lot2: "590000.00"}, amount="590000.00")
    assert refused.status_code == 200 and "已全部签订合同" in refused.get_data(as_text=True)
    assert _count(gps) == before


def test_save_submit_approve_publishes_the_contract_notice(gps):
    _, code, pk = filed_contract(gps)
    row = contract_row(gps, pk)
    lot1 = lot_codes(gps, code)[0]
    assert row["state"] == "已备案" and row["filed_at"] is not None
    assert row["notice"] == ("合同公告", "已发布", [(lot1, "河南甲科技有限公司",
                                                Decimal("880000.00"))])
    from app.extensions import db
    from app.models import ApprovalRecord

    with gps.app_context():
        steps = [(r.step, r.result, r.role) for r in db.session.query(ApprovalRecord)
                 .filter_by(chain="contract", item_id=pk).order_by(ApprovalRecord.id)]
    assert steps == [("经办岗提交", "提交", "采购单位经办岗"),
                     ("单位内部审核", "通过", "单位内部审核岗")]
    show = logged_in(gps, "jingban").get(f"/contracts/show/{pk}").get_data(as_text=True)
    assert show.count('class="timeline-step"') == 2 and "已备案" in show
    # The regulator of the region finds the 备案 in 【合同备案查询】.
    chushen = logged_in(gps, "chushen")
    listed = chushen.get("/contract-filings/list/").get_data(as_text=True)
    assert "PDS-JY-2026-001" in listed or "多媒体教室设备采购合同" in listed
    assert chushen.get(f"/contracts/{pk}/signed.pdf").status_code == 200


def test_the_approval_waits_in_the_reviewers_todo_and_return_needs_an_opinion(gps):
    _, code = resulted_project(gps)
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot1: "880000.00"}))
    assert "等待单位内部审核岗审核" in submit(jingban, pk).get_data(as_text=True)
    shenhe = logged_in(gps, "shenhe")
    todo = shenhe.get("/todo/").get_data(as_text=True)
    assert "合同公告及备案" in todo and f"/contracts/review/{pk}" in todo
    assert "退回时必须填写审批意见" in review(shenhe, pk, "退回", " ").get_data(as_text=True)
    assert contract_row(gps, pk)["state"] == "待单位审核"
    review(shenhe, pk, "退回", "合同编号有误，请更正")
    assert contract_row(gps, pk)["state"] == "已退回"
    assert "合同编号有误" in jingban.get("/todo/").get_data(as_text=True)
    assert edit_contract(jingban, pk, {lot1: "880000.00"},
                         contract_no="PDS-JY-2026-002").status_code == 302
    assert "已提交" in submit(jingban, pk).get_data(as_text=True)
    assert contract_row(gps, pk)["state"] == "待单位审核"


def test_submit_needs_both_pdfs(gps):
    _, code = resulted_project(gps)
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot_codes(gps, code)[0]: "880000.00"},
                               pdfs=False))
    page = submit(jingban, pk).get_data(as_text=True)
    assert "请先上传合同原件" in page and "公开版" in page
    assert contract_row(gps, pk)["state"] == "草稿"


def test_a_renamed_file_is_not_a_pdf(gps):
    import io

    from tests.helpers import form_token
    from tests.contract_helpers import contract_values

    _, code = resulted_project(gps)
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    before = _count(gps)
    response = jingban.post(f"/contracts/add?project={code}", data={
        "csrf_token": form_token(jingban), **contract_values(), "lots": [lot1],
        f"part-{lot1}": "880000.00", "signed_file": (io.BytesIO(b"not a pdf"), "合同.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "不是有效的PDF文件" in response.get_data(as_text=True)
    assert _count(gps) == before


def test_late_without_a_reason_is_refused_with_one_it_is_audited(gps, today):
    from app.extensions import db
    from app.models import AuditLog

    _, code = resulted_project(gps)
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    signed = today - dt.timedelta(days=20)  # the 7 working days are over by now
    award = today - dt.timedelta(days=30)
    pk = saved_id(add_contract(jingban, code, {lot1: "880000.00"},
                               signed_on=signed.isoformat(), award_notice_on=award.isoformat()))
    show = jingban.get(f"/contracts/show/{pk}").get_data(as_text=True)
    assert "clock-late" in show and "《政府采购法》第四十七条" in show
    page = submit(jingban, pk).get_data(as_text=True)
    assert "请填写逾期原因" in page and contract_row(gps, pk)["state"] == "草稿"
    reason = "供应商法定代表人出国，合同延迟寄回"
    assert edit_contract(jingban, pk, {lot1: "880000.00"}, signed_on=signed.isoformat(),
                         award_notice_on=award.isoformat(), late_reason=reason).status_code == 302
    assert "已提交" in submit(jingban, pk).get_data(as_text=True)
    review(logged_in(gps, "shenhe"), pk, "通过", "同意")
    assert contract_row(gps, pk)["state"] == "已备案"
    with gps.app_context():
        details = [r.detail for r in db.session.query(AuditLog).filter(
            AuditLog.entity == "Contract", AuditLog.action.in_(("提交逾期说明", "逾期备案")))]
    assert len(details) == 2 and all(reason in d and "合同备案" in d for d in details)
    # The regulator sees the reason in 【合同备案查询】.
    assert reason in logged_in(gps, "chushen").get("/contract-filings/list/").get_data(
        as_text=True)


@pytest.mark.parametrize("fields,words", [
    ({"amount": "880000.01", "part": "880000.01"}, "超过中标（成交）金额 880,000.00 元"),
    ({"amount": "800000.00", "part": "800000.00"}, "请填写金额差异说明"),
    ({"amount": "1.00", "part": "880000.00"}, "不一致"),
    ({"contract_no": ""}, "请填写合同编号"),
    ({"contract_name": "长" * 201}, "合同名称不能超过200个字"),
    ({"signed_on": "2026-02-30"}, "不是有效日期"),
    ({"supplier_credit_code": "123"}, "应为18位"),
    ({"supplier_credit_code": "A" * 18}, "第3至8位应为行政区划码"),
    ({"supplier_credit_code": "91410402MA0000021D"}, "校验位错误"),
    ({"contract_no": "\u200b\u3000"}, "请填写合同编号"),
    ({"part": "abc"}, "必须是数字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(gps, fields, words):
    _, code = resulted_project(gps)
    lot1 = lot_codes(gps, code)[0]
    part = fields.pop("part", "880000.00")
    before = _count(gps)
    response = add_contract(logged_in(gps, "jingban"), code, {lot1: part}, **fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert words in page
    assert _count(gps) == before
    # Both PDFs were chosen: the page says they must be chosen again.
    for field, label in (("signed_file", "合同原件"), ("redacted_file", "合同文本（公开版）")):
        assert f'data-field="{field}">表单有误，所选的{label}未保存：改正后请重新选择' in page


def test_a_signing_date_in_the_future_is_refused(gps, today):
    _, code = resulted_project(gps)
    response = add_contract(logged_in(gps, "jingban"), code,
                            {lot_codes(gps, code)[0]: "880000.00"},
                            signed_on=(today + dt.timedelta(days=1)).isoformat())
    assert "晚于今天" in response.get_data(as_text=True)


@pytest.mark.parametrize("amount,refused", [("88000.00", False), ("88000.01", True)])
def test_supplements_add_up_to_at_most_ten_percent(gps, amount, refused):
    _, code, original = filed_contract(gps)
    jingban = logged_in(gps, "jingban")
    before = _count(gps)
    response = add_contract(jingban, code, {}, original_id=str(original), amount=amount,
                            contract_name="多媒体教室设备采购补充合同")
    if refused:
        assert response.status_code == 200
        assert "《政府采购法》第四十九条" in response.get_data(as_text=True)
        assert _count(gps) == before
        return
    pk = saved_id(response)
    assert "已提交" in submit(jingban, pk).get_data(as_text=True)
    review(logged_in(gps, "shenhe"), pk, "通过", "同意")
    row = contract_row(gps, pk)
    assert row["state"] == "已备案" and row["lots"] == []
    # A second supplement of one fen is over the 10% now.
    again = add_contract(jingban, code, {}, original_id=str(original), amount="0.01")
    assert "超出 0.01 元" in again.get_data(as_text=True)


def test_rest_lists_the_units_contracts(gps):
    _, _, pk = filed_contract(gps)
    client = gps.test_client()
    mine = client.get("/api/v1/contract/", headers=bearer(api_token(client, "jingban")))
    assert mine.status_code == 200 and [r["id"] for r in mine.json["result"]] == [pk]
    one = client.get(f"/api/v1/contract/{pk}", headers=bearer(api_token(client, "chushen")))
    assert one.status_code == 200 and one.json["result"]["state"] == "已备案"
    # Read-only.
    write = client.post("/api/v1/contract/", json={"contract_no": "x"},
                        headers=bearer(api_token(client, "jingban")))
    assert write.status_code in (404, 405)


# --- who may open what -------------------------------------------------------------
# A filed contract of 平顶山市教育局 (jingban's unit, region 410400).
URLS = ["/contracts/show/{pk}", "/contracts/review/{pk}", "/contracts/edit/{pk}",
        "/contracts/{pk}/signed.pdf", "/contracts/{pk}/redacted.pdf",
        "/contract-filings/show/{pk}", "/api/v1/contract/{pk}", "/api/v1/contract/"]
# Expected status per user: the unit and its region's regulators may read;
# edit and review of a filed contract bounce to the show page (302) for the
# unit; everyone else is told nothing exists (404).
ACCESS = {
    "jingban": [200, 403, 302, 200, 200, 403, 200, 200],
    "shenhe": [200, 200, 403, 200, 200, 403, 200, 200],
    "chushen": [200, 403, 403, 200, 200, 200, 200, 200],
    "jianguan": [200, 403, 403, 200, 200, 200, 200, 200],
    "jingban2": [404, 403, 404, 404, 404, 403, 404, 200],
    "chushen2": [404, 403, 403, 404, 404, 404, 404, 200],
    "daili": [404] * 8,
}


@pytest.fixture(scope="module")
def filed(gps_module):
    return filed_contract(gps_module)[2]


@pytest.mark.parametrize("user", ACCESS)
def test_access_matrix(gps_module, filed, user):
    client = logged_in(gps_module, user)
    token = api_token(gps_module.test_client(), user)
    for url, expected in zip(URLS, ACCESS[user]):
        url = url.format(pk=filed)
        if url.startswith("/api/"):
            response = gps_module.test_client().get(url, headers=bearer(token))
        else:
            response = client.get(url)
        assert response.status_code == expected, (user, url, response.status_code)
    if user in ("jingban2", "chushen2"):  # they may list, but not this one
        listing = gps_module.test_client().get("/api/v1/contract/", headers=bearer(token))
        assert filed not in [r["id"] for r in listing.json["result"]]


@pytest.mark.parametrize("url", ["/contracts/list/", "/contracts/choose-project",
                                 "/contract-filings/list/", "/api/v1/contract/"])
def test_the_agency_finds_nothing_at_all(gps_demo, url):
    client = logged_in(gps_demo, "daili")
    if url.startswith("/api/"):
        token = api_token(gps_demo.test_client(), "daili")
        response = gps_demo.test_client().get(url, headers=bearer(token))
    else:
        response = client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("user, rows", [("chushen", 1), ("jianguan", 1), ("chushen2", 0)])
def test_the_regulators_export_is_their_regions_filed_contracts(gps_module, filed, user, rows):
    """【合同备案查询】【导出】: .xlsx of the filed contracts in scope, amounts as numbers."""
    import io

    from openpyxl import load_workbook

    client = logged_in(gps_module, user)
    assert 'id="btn-export"' in client.get("/contract-filings/list/").get_data(as_text=True)
    response = client.get("/contract-filings/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="contract-filings.xlsx"; filename*=UTF-8\'\'%E5%90%88')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("备案编号", "采购单位", "合同编号", "合同名称")
    assert len(values) == 1 + rows
    if rows:
        assert values[1][2] == "PDS-JY-2026-001" and values[1][6] == 880000.0
    # Searched: a filing number that matches nothing exports only the header.
    searched = client.get("/contract-filings/export?_flt_0_filing_no=没有这个编号")
    assert len(list(load_workbook(io.BytesIO(searched.data)).active.iter_rows())) == 1


@pytest.mark.parametrize("user", ["jingban", "daili"])
def test_only_regulators_export_the_filings(gps_module, user):
    assert logged_in(gps_module, user).get("/contract-filings/export").status_code in (403, 404)


def test_a_formula_typed_as_a_name_is_exported_as_text(gps):
    import io

    from openpyxl import load_workbook

    from app import contracts
    from app.models import Contract

    item = Contract(filing_no="HT-1", contract_no="=HYPERLINK(\"http://x\")",
                    contract_name="=1+1", project_code="P", supplier_name="乙",
                    purchaser_name="甲", amount=1, signed_on=dt.date(2026, 12, 1))
    sheet = load_workbook(io.BytesIO(contracts.export_workbook([item]))).active
    assert [c.data_type for c in sheet[2]][2:4] == ["s", "s"]
    assert sheet.cell(2, 4).value == "=1+1"


def test_a_regulator_does_not_see_a_contract_before_it_is_filed(gps):
    _, code = resulted_project(gps)
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot_codes(gps, code)[0]: "880000.00"}))
    submit(jingban, pk)
    chushen = logged_in(gps, "chushen")
    assert chushen.get(f"/contracts/show/{pk}").status_code == 404
    assert chushen.get(f"/contracts/{pk}/signed.pdf").status_code == 404


def test_only_a_draft_may_be_deleted(gps):
    from tests.helpers import form_token

    _, code, pk = filed_contract(gps)
    jingban = logged_in(gps, "jingban")
    jingban.post(f"/contracts/delete/{pk}", data={"csrf_token": form_token(jingban)})
    assert contract_row(gps, pk)["state"] == "已备案"
    assert AWARDS  # the helpers' awards are what the result published


def test_the_project_wizard_still_opens_once_a_contract_notice_is_published(gps):
    plan_id, _, pk = filed_contract(gps)
    assert contract_row(gps, pk)["notice"][0] == "合同公告"
    assert logged_in(gps, "jingban").get(f"/notice-publish/wizard/{plan_id}").status_code == 200


def test_the_domain_functions_move_it_along_the_same_chain(gps):
    """contracts.submit/approve/reject, as another caller (a CLI, a job) uses them."""
    from app import contracts
    from app.extensions import db
    from app.models import Contract, OrgUser
    from app.workflows.engine import Refused

    _, code = resulted_project(gps)
    pk = saved_id(add_contract(logged_in(gps, "jingban"), code,
                               {lot_codes(gps, code)[0]: "880000.00"}))
    with gps.test_request_context():
        from flask import g

        users = {name: db.session.query(OrgUser).filter_by(username=name).one()
                 for name in ("jingban", "shenhe", "jingban2")}
        item = db.session.get(Contract, pk)

        def as_(name):  # the audit columns read the signed-in user
            g.user = users[name]
            return users[name]

        with pytest.raises(Refused, match="当前状态为“草稿”，不能通过"):
            contracts.approve(item, as_("shenhe"))
        with pytest.raises(Refused, match="只能由本单位人员办理"):
            contracts.submit(item, as_("jingban2"))
        contracts.submit(item, as_("jingban"))
        with pytest.raises(Refused, match="退回时必须填写审批意见"):
            contracts.reject(item, as_("shenhe"), "")
        contracts.approve(item, as_("shenhe"), "同意")
        assert item.state == "已备案" and item.notice.notice_type == "合同公告"


@pytest.mark.parametrize("url", [
    "/contracts/show/abc", "/contracts/edit/abc", "/contracts/review/abc",
    "/api/v1/contract/99999999999999999999",
    "/contracts/show/99999999999999999999", "/contract-filings/show/abc",
    "/contracts/add?project=%00", "/contracts/add?project=" + "x" * 500,
    "/contracts/choose-project?page=-1&q=%25", "/contracts/99999/signed.pdf"])
def test_odd_urls_are_answered_not_crashed(gps_demo, url):
    if url.startswith("/api/"):
        token = api_token(gps_demo.test_client(), "jingban")
        response = gps_demo.test_client().get(url, headers=bearer(token))
    else:
        response = logged_in(gps_demo, "jingban").get(url)
    # A refusal, a redirect or an empty search; never a 500 (a twenty-digit
    # key used to reach PostgreSQL and fail there).
    assert response.status_code < 500, (url, response.status_code)


# --- what an attack probe found: refused in Chinese, nothing saved, never a 500 -----

def _result_day(gps, code) -> dt.date:
    from app import contracts

    with gps.app_context():
        return contracts.latest_result(code).published_at.date()


@pytest.mark.parametrize("overrides, field, said", [
    # Signed before the award: the result's date stands for the 通知书.
    (lambda day: {"signed_on": (day - dt.timedelta(days=14)).isoformat(),
                  "late_reason": "补录"}, "signed_on", "早于结果公告发布日期"),
    # A 通知书 dated after the result would move the 30-day clock.
    (lambda day: {"award_notice_on": day.isoformat(), "signed_on": day.isoformat()}, None, None),
    (lambda day: {"award_notice_on": (day + dt.timedelta(days=1)).isoformat()},
     "award_notice_on", "87号令第六十九条"),
    (lambda day: {"announce_on": "9999-12-31"}, "announce_on", "2000年至2099年"),
    (lambda day: {"award_notice_on": "9999-12-31"}, "award_notice_on", "2000年至2099年"),
    (lambda day: {"signed_on": "1900-01-01"}, "signed_on", "2000年至2099年"),
    (lambda day: {"contract_name": "合同\x1b[31m名称"}, "contract_name", "控制字符"),
    (lambda day: {"main_items": "设备\u202eRLO"}, "main_items", "控制字符"),
])
def test_dates_and_text_a_probe_tried(gps, today, overrides, field, said):
    _, code = resulted_project(gps, seqs={1})
    lot1 = lot_codes(gps, code)[0]
    values = overrides(_result_day(gps, code))
    if "signed_on" not in values and field != "signed_on":
        values["signed_on"] = today.isoformat()
    response = add_contract(logged_in(gps, "jingban"), code, {lot1: "880000.00"}, **values)
    if field is None:  # the lawful case of the table: saved
        saved_id(response)
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and said in page, page[-3000:]
    assert f'data-field="{field}"' in page
    assert _count(gps) == 0


def test_an_edit_without_the_version_it_saw_is_refused(gps):
    _, code = resulted_project(gps, seqs={1})
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot1: "880000.00"}))
    from tests.contract_helpers import contract_values
    from tests.helpers import form_token

    data = {"csrf_token": form_token(jingban), "action": "保存", "version": "",
            **contract_values(contract_no="覆盖他人修改"), "lots": [lot1],
            f"part-{lot1}": "880000.00"}
    page = jingban.post(f"/contracts/edit/{pk}", data=data,
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "已被他人修改" in page
    from app.extensions import db
    from app.models import Contract

    with gps.app_context():
        assert db.session.get(Contract, pk).contract_no == "PDS-JY-2026-001"


def test_a_review_without_a_valid_result_says_so(gps):
    _, code = resulted_project(gps, seqs={1})
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot1: "880000.00"}))
    submit(jingban, pk)
    shenhe = logged_in(gps, "shenhe")
    page = review(shenhe, pk, "随便", "").get_data(as_text=True)
    assert "请选择审批结果（通过或退回）" in page
    assert contract_row(gps, pk)["state"] == "待单位审核"


def test_no_filing_without_its_notice(gps, monkeypatch):
    """If the 合同公告 cannot be published (here: no public address to link
    its public version at), the approval is refused as a whole."""
    from flask import g

    from app import contract_notice
    from app.extensions import db
    from app.models import Contract, OrgUser
    from app.workflows.contract import ContractChain
    from app.workflows.engine import Refused, take

    _, code = resulted_project(gps, seqs={1})
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot_codes(gps, code)[0]: "880000.00"}))
    submit(jingban, pk)
    monkeypatch.setattr(contract_notice, "public_base_url", lambda: None)
    with gps.test_request_context():
        g.user = shenhe = db.session.query(OrgUser).filter_by(username="shenhe").one()
        with pytest.raises(Refused, match="PUBLIC_BASE_URL"):
            take(ContractChain, db.session.get(Contract, pk), "approve", shenhe)
    assert contract_row(gps, pk)["state"] == "待单位审核"
    assert contract_row(gps, pk)["notice"] is None


def test_other_matters_are_kept_as_typed(gps):
    """其他补充事宜 is a textarea: what is typed comes back on the form, the
    detail page and the notice as typed, with its lines, however often it
    is saved (it had come back as "&lt;", one "&amp;" more per save)."""
    import html

    from app.contract_notice import render_body
    from app.extensions import db
    from app.models import Contract, Notice

    _, code = resulted_project(gps, seqs={1})
    lot1 = lot_codes(gps, code)[0]
    typed = "履约保证金 < 5% & 质保期两年\r\n\r\n　　验收后付款 <b>90%</b>\r\n  质保期内免费上门"
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot1: "880000.00"}, other_html=typed))
    for _ in range(2):
        form = jingban.get(f"/contracts/edit/{pk}").get_data(as_text=True)
        shown = html.unescape(re.search(r'<textarea[^>]*name="other_html"[^>]*>(.*?)</textarea>',
                                        form, re.S).group(1))
        # The blank line and the indents too (a 全角 one, two spaces).
        assert shown.strip() == ("履约保证金 < 5% & 质保期两年\n\n　　验收后付款 <b>90%</b>\n"
                                 "  质保期内免费上门")
        saved_id(edit_contract(jingban, pk, {lot1: "880000.00"}, other_html=shown))
    page = jingban.get(f"/contracts/show/{pk}").get_data(as_text=True)
    assert ("<p>履约保证金 &lt; 5% &amp; 质保期两年</p><p>\xa0</p><p>　　验收后付款 &lt;b&gt;90%&lt;/b&gt;</p>"
            "<p>\xa0\xa0质保期内免费上门</p>") in page.replace("&nbsp;", "\xa0")
    assert "&amp;lt;" not in page
    with gps.app_context():
        body = render_body(Notice(), db.session.get(Contract, pk))  # as it will publish
    assert "<p>履约保证金 &lt; 5% &amp; 质保期两年</p>" in body


def test_no_contract_for_a_lot_whose_winner_is_being_changed(gps):
    """While a 中标结果变更备案 of the lot is on its way, a contract with the
    winner being replaced is refused, when saved and when submitted (a
    browser walk filed and published one, which then left no room for the
    new winner's contract)."""
    from tests.filings import add_filing, newest_filing_id
    from tests.filings import submit as submit_filing

    plan_id, code = resulted_project(gps, seqs={1})
    lot1 = lot_codes(gps, code)[0]
    jingban = logged_in(gps, "jingban")
    draft = saved_id(add_contract(jingban, code, {lot1: "880000.00"}))  # saved before
    assert add_filing(jingban, plan_id, lot_codes=[lot1]).status_code == 302
    filing = newest_filing_id(gps)
    submit_filing(jingban, filing)
    from app.extensions import db
    from app.models import WinnerChange

    with gps.app_context():
        change = db.session.get(WinnerChange, filing)
        assert change.state == "待单位审核", change.state
        said = f"标段 {lot1}（{change.filing_no}，待单位审核）有正在办理的中标结果变更备案"
    page = add_contract(jingban, code, {lot1: "880000.00"}, contract_no="变更中再签")
    assert page.status_code == 200 and said in page.get_data(as_text=True)
    assert _count(gps) == 1
    submitted = submit(jingban, draft)
    assert said in submitted.get_data(as_text=True)
    assert contract_row(gps, draft)["state"] == "草稿"
