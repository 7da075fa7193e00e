"""The one confirmation dialog in a real browser (Debian's chromium, driven by
Playwright) against real `flask run` servers for GPS and 平顶山市: 【发布】 a
notice, 【审核】 通过 a 中标结果变更备案, 【开始评标】 and a list's 删除 each open
the same #modal-confirm naming the action, the record and what will happen;
【取消】 changes nothing, 【确定】 does it.

The states to act on are prepared through the sites' own apps before the
servers start (the steps to reach them have browser tests of their own); what
the test asserts is what a user sees, cross-checked in the databases."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_app
from tests.e2e import browser as ui
from tests.e2e.stack import Stack
from tests.e2e.test_notice_browser import fill_missing
from tests.filings import add_filing, filed_plan_id, lot_of, newest_filing_id
from tests.filings import submit as submit_filing
from tests.helpers import logged_in
from tests.notice_helpers import announcement_fields, draft_id, plan_of, push_lots, start_draft
from tests.test_lot_settings import _add_scoring, _lot_ids, _notice_received, _open_bid
from tests.test_plan_filing import GOOD, _add

pytestmark = pytest.mark.browser


def _prepare_gps(app):
    """A draft 采购公告 (with its lot), a filing waiting for shenhe, a draft plan."""
    jingban = logged_in(app, "jingban")
    plan_id = plan_of(app)
    code = push_lots(app, plan_id)
    notice = draft_id(start_draft(jingban, plan_id, lots=[f"{code}001"]))
    filed = filed_plan_id(app, seqs=(2,))  # lot 1 stays open for the draft 采购公告
    added = add_filing(jingban, filed, lot_codes=[lot_of(app, filed, 2)])
    assert added.status_code == 302, added.get_data(as_text=True)[-2000:]
    filing = newest_filing_id(app)
    assert "已提交" in submit_filing(jingban, filing).get_data(as_text=True)
    assert _add(jingban).status_code == 302  # GOOD's project, a 草稿
    return {"notice": notice, "lot": f"{code}001", "filing": filing}


def _prepare_pds(app):
    """A project past 开标: 开始评标 is offered."""
    from tests.acceptance_helpers import accepted_project

    daili, pk, code = accepted_project(app, "410400-2026-96001")
    lot = _lot_ids(app, pk)[0]
    _notice_received(app, lot)
    _add_scoring(app, lot, ("价格", "价格分", "100"))
    assert _open_bid(daili, lot, "甲公司", "900000.00").status_code == 302
    from tests.committee_helpers import seat_committee

    seat_committee(app, lot)  # 开始评标 waits for a lawful 评委会
    return {"project": pk, "code": code}


@pytest.fixture(scope="module")
def sites(browser, templates, databases, redis_url, tmp_path_factory):
    """One GPS and one 平顶山市 server for the module: each test acts on a
    record of its own, so they do not meet."""
    urls = {key: databases.clone(templates[key], f"confirm_{key}") for key in ("gps", "pds")}
    made = {}
    for key, prepare in (("gps", _prepare_gps), ("pds", _prepare_pds)):
        app = make_app(key, urls[key], redis_url)
        made[key] = prepare(app)
        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    stack = Stack(urls, redis_url, tmp_path_factory.mktemp("confirm-logs"))
    stack.point_peers_at_ports()
    stack.start_sites(*urls)
    stack.made = made
    yield stack
    stack.stop_all()


@pytest.fixture
def sign_in(browser, sites, request, tmp_path):
    pages = []
    failed_before = request.session.testsfailed

    def open_as(key, username):
        page = ui.new_page(browser)
        pages.append((f"{key}-{username}", page))
        return ui.login(page, sites.url(key), username)

    yield open_as
    ui.screenshot_pages(pages, tmp_path, request.session.testsfailed > failed_before)


def asks(page, click, title, record, consequence):
    """Clicking opens the one dialog with the action, the record and what will
    happen; returns the dialog."""
    click()
    modal = page.locator("#modal-confirm")
    expect(modal).to_be_visible()
    expect(modal.locator("#modal-confirm-title")).to_have_text(title)
    expect(modal.locator("#modal-confirm-record")).to_contain_text(record)
    expect(modal.locator("#modal-confirm-text")).to_contain_text(consequence)
    expect(modal.locator("#modal-confirm-cancel")).to_have_text("取消")
    expect(modal.locator("#modal-confirm-ok")).to_have_text("确定")
    return modal


def cancel(page, modal):
    modal.locator("#modal-confirm-cancel").click()
    expect(modal).to_be_hidden()
    page.wait_for_timeout(300)  # a request 取消 had let through would have started


def ok(page, modal):
    modal.locator("#modal-confirm-ok").click()
    page.wait_for_load_state()


def test_publish_asks_in_the_dialog(sites, sign_in):
    made = sites.made["gps"]
    page = sign_in("gps", "jingban")
    edit = f"/notice-publish/notice/{made['notice']}/edit"
    page.goto(sites.url("gps") + edit)
    fill_missing(page, {k: v for k, v in announcement_fields().items() if k != "title"})
    page.fill(f"[name='lot-{made['lot']}-max_price']", "850000.00")
    title = page.locator("#notice-form [name=title]").input_value()
    publish = lambda: page.click("#btn-publish")  # noqa: E731

    modal = asks(page, publish, "发布采购公告", title, "推送至交易平台并在网站公开，不能撤回")
    cancel(page, modal)
    assert page.url.endswith(edit)
    notice = f"select state from notice where id = {made['notice']}"
    assert sites.query("gps", notice) == [["草稿"]]

    ok(page, asks(page, publish, "发布采购公告", title, "不能撤回"))
    expect(page.locator(".alert-success")).to_contain_text("公告已发布")
    assert sites.query("gps", notice) == [["已发布"]]


def test_review_asks_with_the_chosen_result(sites, sign_in):
    pk = sites.made["gps"]["filing"]
    page = sign_in("gps", "shenhe")
    page.goto(sites.url("gps") + f"/winner-changes/review/{pk}")
    page.locator("input[name=result][value='通过']").check()
    page.fill("textarea[name=opinion]", "同意")
    review = lambda: page.click("#btn-review")  # noqa: E731
    state = f"select state from winner_change where id = {pk}"

    modal = asks(page, review, "审核通过", "中标结果变更备案",
                 "审核通过后，该事项将变为“待监管初审”，由监管初审岗审核。")
    cancel(page, modal)
    assert sites.query("gps", state) == [["待单位审核"]]
    assert sites.query("gps", f"select count(*) from approval_record where item_id = {pk} "
                              "and result = '通过'") == [[0]]

    # 退回 says what 退回 does: the same dialog, another text.
    page.locator("input[name=result][value='退回']").check()
    cancel(page, asks(page, review, "审核退回", "中标结果变更备案",
                      "由采购单位经办岗修改后重新提交"))
    page.locator("input[name=result][value='通过']").check()
    ok(page, asks(page, review, "审核通过", "中标结果变更备案", "待监管初审"))
    expect(page.locator(".alert-success")).to_contain_text("已通过")
    assert sites.query("gps", state) == [["待监管初审"]]


def test_start_evaluation_asks_on_the_stage_page(sites, sign_in):
    made = sites.made["pds"]
    page = sign_in("pds", "daili")
    page.goto(sites.url("pds") + f"/project-stages/show/{made['project']}")
    start = lambda: page.click("#btn-start_evaluation")  # noqa: E731
    stage = f"select stage from trading_project where id = {made['project']}"

    modal = asks(page, start, "开始评标", made["code"], "开标记录不能再修改")
    cancel(page, modal)
    assert sites.query("pds", stage) == [["已开标"]]

    ok(page, asks(page, start, "开始评标", made["code"], "评标中"))
    expect(page.locator(".alert-success")).to_contain_text("已开始评标，当前阶段：评标中")
    expect(page.locator("#current-stage")).to_have_text("评标中")
    assert sites.query("pds", stage) == [["评标中"]]


def test_a_list_delete_asks_naming_the_row(sites, sign_in):
    page = sign_in("gps", "jingban")
    page.goto(sites.url("gps") + "/plans/list/")
    name = GOOD["project_name"]
    row = page.locator("table tr", has_text=name)
    expect(row).to_have_count(1)
    delete = lambda: row.locator("form.form-delete-record button").click()  # noqa: E731
    plans = f"select count(*) from plan where project_name = '{name}'"

    modal = asks(page, delete, "删除", name, "删除后该记录不能恢复。")
    cancel(page, modal)
    assert sites.query("gps", plans) == [[1]]

    ok(page, asks(page, delete, "删除", name, "不能恢复"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table tr", has_text=name)).to_have_count(0)
    assert sites.query("gps", plans) == [[0]]


def test_nothing_ticked_says_so_and_offers_no_ok(sites, sign_in):
    """A list action with no row ticked: the dialog says to tick one first."""
    page = sign_in("gps", "jingban")
    page.goto(sites.url("gps") + "/winner-changes/list/")
    page.click("#btn-submit")
    modal = page.locator("#modal-confirm")
    expect(modal).to_be_visible()
    expect(modal.locator("#modal-confirm-text")).to_have_text("请先在列表中勾选要提交的记录。")
    expect(modal.locator("#modal-confirm-ok")).to_be_hidden()
    expect(modal.locator("#modal-confirm-cancel")).to_have_text("知道了")
    cancel(page, modal)
    # A dialog that asks again offers 取消 beside 确定.
    page.locator("input.action_check").first.check()
    page.click("#btn-submit")
    expect(modal.locator("#modal-confirm-cancel")).to_have_text("取消")
    expect(modal.locator("#modal-confirm-ok")).to_be_visible()
    cancel(page, modal)


def test_without_javascript_the_form_still_submits(sites, browser, request, tmp_path):
    """The dialog is JavaScript's; without it 【撤回】 posts unasked and the
    server (reason required, the plan's state) remains the guard."""
    [[plan_id, plan_no]] = sites.query(
        "gps", "select p.id, p.plan_no from plan p join ab_user u on u.organisation_id = "
               "p.unit_id where u.username = 'jingban' and p.state = '已备案' "
               # 撤回 only while no trading centre has accepted its project
               "and not exists (select 1 from project_replica r where r.plan_id = p.id) "
               "order by p.id limit 1")
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(ui.TIMEOUT_MS)
    page = context.new_page()
    failed_before = request.session.testsfailed
    try:
        ui.login(page, sites.url("gps"), "jingban")
        page.goto(sites.url("gps") + f"/plans/withdraw/{plan_id}")
        page.fill("#reason", "无脚本撤回")
        page.click("#btn-withdraw")
        page.wait_for_load_state()
        expect(page.locator(".alert-success")).to_contain_text(f"计划“{plan_no}”已撤回")
        assert sites.query("gps", f"select state from plan where id = {plan_id}") == [["已撤回"]]
    finally:
        ui.screenshot_pages([("gps-jingban-nojs", page)], tmp_path,
                            request.session.testsfailed > failed_before)


def test_moving_a_unit_asks_only_when_its_region_changes(sites, sign_in):
    """组织机构 【修改】: saved unchanged it does not ask; with another 所属区划
    the dialog says the unit's records go with it; 【取消】 moves nothing."""
    from tests.e2e.test_winner_change_browser import choose

    [[unit, name]] = sites.query("gps", "select o.id, o.name from organisation o join ab_user u "
                                        "on u.organisation_id = o.id where u.username = 'jingban'")
    region = f"select region_code from organisation where id = {unit}"
    moved = f"select count(*) from plan where unit_id = {unit} and region_code = '411322'"
    page = sign_in("gps", "admin")
    edit = sites.url("gps") + f"/organisations/edit/{unit}"
    save = lambda: page.click("#model_form button[type=submit]")  # noqa: E731

    page.goto(edit)
    save()
    page.wait_for_load_state()
    expect(page.locator("#modal-confirm")).to_be_hidden()
    assert "/organisations/edit/" not in page.url  # saved, back on the list

    page.goto(edit)
    choose(page, "region", "方城县（411322）")
    modal = asks(page, save, "修改所属区划", "", "将随之转入新的所属区划")
    cancel(page, modal)
    assert sites.query("gps", region) == [["410400"]]
    assert sites.query("gps", moved) == [[0]]

    ok(page, asks(page, save, "修改所属区划", "", "原区划的监管部门将不再看到"))
    expect(page.locator(".alert-info")).to_contain_text("条记录已随之转入新的所属区划")
    assert sites.query("gps", region) == [["411322"]]
    assert sites.query("gps", moved) != [[0]]
    assert name  # the unit the page was about
