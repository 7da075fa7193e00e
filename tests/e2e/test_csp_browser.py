"""The Content-Security-Policy without 'unsafe-inline' in a real browser:
FAB's pages (list, add/edit form, search) still work through their nonce'd
scripts, the confirmation dialog (data-confirm, confirm.js; FAB's delete
too) still asks and still acts, and no page reports a CSP violation."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.test_robustness_over_http import sites  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def watch_csp(page) -> list:
    """Every CSP violation the page reports, from the console and the DOM event."""
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None)
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e => {
        (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
    });""")
    return violations


def reported(page, violations) -> list:
    return violations + (page.evaluate("window.__csp || []") or [])


@pytest.fixture
def signed_in(browser, sites, request, tmp_path):  # noqa: F811
    opened = []
    failed_before = request.session.testsfailed

    def open_page(key, username):
        page = ui.new_page(browser)
        opened.append((f"{key}-{username}", page))
        violations = watch_csp(page)
        ui.login(page, sites.url(key), username)
        return page, violations

    yield open_page
    ui.screenshot_pages(opened, tmp_path, request.session.testsfailed > failed_before)


def test_fab_pages_work_without_inline_script_permission(sites, signed_in):  # noqa: F811
    page, violations = signed_in("gps", "jingban")
    base = sites.url("gps")
    for path in ("/", "/plans/list/", "/plans/add", "/todo/", "/winner-changes/list/",
                 "/notice-publish/list/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    # FAB's search: its inline script builds the filter widgets from JSON.
    page.goto(base + "/plans/list/")
    page.locator(".filters-list, .list-search-container, #filter-search, a.dropdown-toggle"
                 ).first.wait_for()
    search = page.get_by_text(re.compile("搜索")).first
    expect(search).to_be_visible()
    # The add form: select2 (FAB's tail script) turns selects into widgets.
    page.goto(base + "/plans/add")
    expect(page.locator(".select2-container").first).to_be_visible()
    # A row's delete (a form with data-confirm, no inline script) opens
    # #modal-confirm; 取消 closes it and deletes nothing.
    page.goto(base + "/plans/list/")
    deletes = page.locator("table tr form.form-delete-record button")
    rows = deletes.count()
    deletes.first.click()
    modal = page.locator("#modal-confirm")
    expect(modal).to_be_visible()
    modal.get_by_role("button", name="取消").click()
    expect(modal).to_be_hidden()
    page.reload()
    assert page.locator("table tr form.form-delete-record button").count() == rows
    expect(page).to_have_url(re.compile(r"/plans/list/?#?$"))
    assert reported(page, violations) == []


def test_data_confirm_asks_and_is_obeyed(sites, signed_in):  # noqa: F811
    [[plan_id, plan_no]] = sites.query(
        "gps", "select p.id, p.plan_no from plan p join ab_user u on u.organisation_id = "
               "p.unit_id where u.username = 'jingban' and p.state = '已备案' "
               # 撤回 only while no trading centre has accepted its project
               "and not exists (select 1 from project_replica r where r.plan_id = p.id) "
               "order by p.id desc limit 1")
    page, violations = signed_in("gps", "jingban")
    page.goto(sites.url("gps") + f"/plans/withdraw/{plan_id}")
    page.fill("#reason", "浏览器测试撤回")
    modal = page.locator("#modal-confirm")
    browser_dialogs = []
    page.on("dialog", lambda dialog: (browser_dialogs.append(dialog.message), dialog.dismiss()))

    # 取消: nothing is sent, the plan stays 已备案.
    ui.ask(page, "#btn-withdraw")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text(plan_no)
    modal.get_by_role("button", name="取消").click()
    expect(modal).to_be_hidden()
    page.wait_for_timeout(500)
    assert re.search(rf"/plans/withdraw/{plan_id}$", page.url)
    assert sites.query("gps", f"select state from plan where id = {plan_id}") == [["已备案"]]

    # 确定: the form is sent (with its reason) and the plan is withdrawn.
    ui.ask(page, "#btn-withdraw")
    ui.confirm(page, "撤回采购计划", plan_no, "撤回不能恢复")
    expect(page.locator(".alert-success")).to_contain_text(f"计划“{plan_no}”已撤回")
    assert browser_dialogs == []  # the page's own dialog, never window.confirm
    assert sites.query("gps", f"select state from plan where id = {plan_id}") == [["已撤回"]]
    assert reported(page, violations) == []


def test_trading_pages_and_their_script_files(sites, signed_in):  # noqa: F811
    page, violations = signed_in("pds", "daili")
    base = sites.url("pds")
    page.goto(base + "/acceptance/new")
    # acceptance_new.js (was inline): 否 shows 【填写项目信息】 instead of 【选择计划】.
    expect(page.locator("#btn-choose-plan")).to_be_visible()
    page.check("#from-plan-no")
    expect(page.locator("#btn-without-plan")).to_be_visible()
    expect(page.locator("#btn-choose-plan")).to_be_hidden()
    for path in ("/acceptance/list/", "/todo/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    page.goto(base + "/")  # the public website
    assert reported(page, violations) == []


def test_user_statistics_are_drawn_without_google(sites, signed_in):  # noqa: F811
    """【用户统计】: FAB loads Google Charts from Google's servers, unreachable
    on an intranet (a browser walk saw an empty page); drawn with the
    vendored ECharts, one bar per user, without any outside request."""
    page, violations = signed_in("gps", "admin")
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(sites.url("gps")) and not r.url.startswith("data:") else None)
    page.goto(sites.url("gps") + "/userstatschartview/chart/")
    page.wait_for_function("window.fabChart !== undefined")
    option = page.evaluate("window.fabChart.getOption()")
    assert "admin" in option["xAxis"][0]["data"]
    assert option["series"][0]["name"] == "登录次数"
    assert page.locator("#fab-chart canvas").count() == 1
    # The title and the legend each in a place of its own (a walk saw them
    # drawn over each other): the drawn texts' boxes do not meet.
    boxes = page.evaluate("""(texts) => {
        const shown = window.fabChart.getZr().storage.getDisplayList();
        return texts.map((t) => {
            const el = shown.find((e) => e.style && e.style.text === t);
            const box = el.getBoundingRect().clone();
            box.applyTransform(el.getComputedTransform());
            return [box.x, box.y, box.width, box.height];
        });
    }""", [option["title"][0]["text"], "登录次数"])
    (tx, ty, tw, th), (lx, ly, lw, lh) = boxes
    assert ty + th <= ly or ly + lh <= ty or tx + tw <= lx or lx + lw <= tx, boxes
    assert outside == [] and reported(page, violations) == []


@pytest.mark.parametrize("username, width, language", [
    ("chushen", 1366, "zh"), ("jianguan", 1366, "zh"), ("admin", 1366, "zh"),
    ("chushen", 1366, "en"), ("jianguan", 1366, "en"), ("admin", 1920, "en")])
def test_the_menu_fits_one_row(sites, signed_in, username, width, language):  # noqa: F811
    """A regulator's eight menus wrapped to a second row on a 1920px screen,
    an Admin's eleven to three (a browser walk): the navbar spans the window.
    An Admin's fit a 1366px screen in Chinese; in English, a regulator's."""
    page, violations = signed_in("gps", username)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(sites.url("gps") + f"/lang/{language}")
    page.goto(sites.url("gps") + "/")
    tops = page.eval_on_selector_all(
        ".navbar-collapse .navbar-nav > li", "items => items.map(i => i.offsetTop)")
    assert len(tops) > 5 and set(tops) == {0}, tops  # all on the brand's row
    assert reported(page, violations) == []

