"""项目进场受理 in a real browser (Debian's chromium, driven by Playwright)
against real `flask run` servers with their sync workers: a plan filed on GPS
reaches 平顶山市; daili takes it (是否选择计划 → 选择计划), completes the
受理信息, adds two 标段(包) and 【提交】s; keshi approves from 【待办任务】, and
GPS's 经办岗 finds the project with both lots under 【交易项目与标段】. A 退回
goes back to the agency with its opinion.

What the tests assert is what a user sees; the databases are cross-checked
through the sites' own apps (stack.query)."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import wait_for
from tests.e2e.test_plan_push import file_plan, received

pytestmark = pytest.mark.browser

AGENCY = "河南中原招标代理有限公司"
DETAILS = {"open_place": "平顶山市公共资源交易中心第三开标室", "contact": "赵代理",
           "phone": "0375-7654321"}
LOTS = [("第一包 服务器", "1200000.00", "服务器 10 台，详见招标文件"),
        ("第二包 存储", "800000.00", "存储阵列 2 套，详见招标文件")]


@pytest.fixture
def sites(browser, stack):
    """GPS, 平顶山市 and 方城县 with workers (conftest's stack), once chromium is there."""
    return stack


@pytest.fixture
def sign_in(browser, sites, request, tmp_path):
    """sign_in(site, username) → a page signed in as that user on that site,
    in a fresh context. On failure every open page is screenshotted."""
    pages = []
    failed_before = request.session.testsfailed

    def open_as(key, username):
        page = ui.new_page(browser)
        pages.append((f"{key}-{username}", page))
        return ui.login(page, sites.url(key), username)

    yield open_as
    ui.screenshot_pages(pages, tmp_path, request.session.testsfailed > failed_before)


# --- what a user does ------------------------------------------------------

def plan_on_pds(stack, name):
    """A plan filed on GPS, entrusted to daili's agency, received by 平顶山市."""
    [[agency]] = stack.query("gps", f"select id from organisation where name = '{AGENCY}'")
    _, plan_no = file_plan(stack, name, agency=agency)
    wait_for(lambda: received(stack, "pds", plan_no), 20, what="plan on 平顶山市")
    return plan_no


def take_plan(page, stack, plan_no, name):
    """【项目进场受理】→【新增】→ 是否选择计划：是 →【选择计划】→ search →【选择】."""
    ui.open_menu(page, "项目管理", "项目进场受理")
    expect(page).to_have_url(re.compile(r"/acceptance/list/?$"))
    page.click("#btn-new")
    expect(page).to_have_url(re.compile(r"/acceptance/new$"))
    # 是 is the default and offers 【选择计划】; 否 offers the manual form instead.
    expect(page.locator("#from-plan-yes")).to_be_checked()
    page.check("#from-plan-no")
    expect(page.locator("#btn-choose-plan")).to_be_hidden()
    expect(page.locator("#btn-without-plan")).to_be_visible()
    page.check("#from-plan-yes")
    expect(page.locator("#btn-without-plan")).to_be_hidden()
    page.click("#btn-choose-plan")
    expect(page).to_have_url(re.compile(r"/acceptance/plans$"))

    page.fill("#plan-search", plan_no)
    page.press("#plan-search", "Enter")
    page.wait_for_load_state()
    rows = page.locator("tr.plan-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(plan_no)
    expect(rows).to_contain_text(name)
    expect(rows).to_contain_text("2,000,000.00")
    rows.locator(".btn-take-plan").click()
    page.wait_for_load_state()

    found = stack.query("pds", "select id, project_code, state from trading_project "
                               f"where plan_no = '{plan_no}'")
    assert len(found) == 1, (found, ui.flash_text(page))
    pk, code, state = found[0]
    assert state == "草稿"
    expect(page).to_have_url(re.compile(rf"/acceptance/edit/{pk}$"))
    expect(page.locator(".alert-success")).to_contain_text(f"已选择计划“{plan_no}”")
    expect(page.locator(".alert-success")).to_contain_text(code)
    return pk, code


def complete_details(page, pk):
    """完善受理信息: 开标地点, 联系人, 电话, 是否加密 →【保存】."""
    expect(page.locator(".panel-heading").first).to_contain_text("完善受理信息")
    # What GPS sent is not editable here.
    expect(page.locator("input[name=project_name]")).to_have_count(0)
    expect(page.locator("input[name=budget]")).to_have_count(0)
    for field, value in DETAILS.items():
        page.fill(f"input[name={field}]", value)
    page.check("input[name=encrypted]")
    page.uncheck("input[name=remote_opening]")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("记录已更新")
    # Back on the project, where the lots are added next.
    expect(page).to_have_url(re.compile(rf"/acceptance/show/{pk}$"))


def lots_tab(page):
    """The show page's related tab 标段(包)."""
    page.locator(".nav-tabs a[href='#LotView']").click()
    tab = page.locator("#LotView")
    expect(tab).to_be_visible()
    return tab


def add_lot(page, pk, name, budget, content):
    """标段(包) tab → ＋ (FAB's add button, filtered on this project) → 【保存】."""
    tab = lots_tab(page)
    tab.locator("a[href*='/lots/add']").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/lots/add\?.*_flt_0_project={pk}"))
    expect(page.locator(".panel-heading").first).to_contain_text("增加标段(包)")
    page.fill("input[name=name]", name)
    page.fill("input[name=budget]", budget)
    page.fill("textarea[name=content]", content)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert re.search(rf"/acceptance/show/{pk}$", page.url), (page.url, ui.flash_text(page))
    expect(page.locator(".alert-success")).to_contain_text("记录已添加")


def lot_rows(tab):
    """[code, name, budget] of each lot listed in a 标段(包) tab."""
    rows = tab.locator("table tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()[1:4]]
            for i in range(rows.count())]


def submit_project(page, pk, code):
    """【项目进场受理】, tick the row, 【提交】, 确定."""
    ui.open_menu(page, "项目管理", "项目进场受理")
    row = page.locator("table tr", has=page.locator(f"input.action_check[value='{pk}']"))
    expect(row).to_contain_text(code)
    expect(row).to_contain_text("草稿")
    ui.submit_ticked(page, pk, "中心业务科室", "待受理审核")


def review(page, pk, code, result, opinion):
    ui.review(page, "项目进场受理", f"/acceptance/review/{pk}", code, result, opinion)


def lots_on_gps(stack, code):
    return stack.query("gps", "select code, name from lot_replica "
                              f"where project_code = '{code}' order by seq")


def prepared_project(stack, daili, name, lots):
    """A plan taken by daili, its 受理信息 completed and its lots added: (pk, code)."""
    plan_no = plan_on_pds(stack, name)
    pk, code = take_plan(daili, stack, plan_no, name)
    complete_details(daili, pk)
    for lot in lots:
        add_lot(daili, pk, *lot)
    return pk, code


# --- the stories -----------------------------------------------------------

def test_accepted_project_and_its_lots_reach_gps(sites, sign_in):
    stack = sites
    name = "浏览器受理端到端项目"
    daili = sign_in("pds", "daili")
    pk, code = prepared_project(stack, daili, name, LOTS)

    expected = [[f"{code}001", LOTS[0][0], "1,200,000.00"],
                [f"{code}002", LOTS[1][0], "800,000.00"]]
    assert lot_rows(lots_tab(daili)) == expected
    daili.locator(".nav-tabs a[href='#Home']").click()
    expect(ui.shown(daili, "开标地点")).to_have_text(DETAILS["open_place"])
    expect(ui.shown(daili, "是否加密")).to_have_text("是")
    expect(ui.shown(daili, "受理状态")).to_have_text("草稿")
    assert stack.query("pds", f"select code, name from lot where project_id = {pk} "
                              "order by seq") == [row[:2] for row in expected]

    submit_project(daili, pk, code)
    assert stack.query("pds", f"select state from trading_project where id = {pk}") == [
        ["待受理审核"]]

    keshi = sign_in("pds", "keshi")
    review(keshi, pk, code, "通过", "同意受理")
    expect(keshi).to_have_url(re.compile(r"/todo/?$"))
    expect(keshi.locator(".alert-success")).to_contain_text("当前状态：受理通过")
    expect(keshi.locator("tr.todo-row", has_text=code)).to_have_count(0)

    daili.goto(stack.url("pds") + f"/acceptance/show/{pk}")
    expect(ui.shown(daili, "受理状态")).to_have_text("受理通过")
    steps = daili.locator("#approval-timeline tr.timeline-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_contain_text("同意受理")

    wait_for(lambda: len(lots_on_gps(stack, code)) == 2, 30,
             what=lambda: "both lots on GPS; 平顶山市 outbox: " + str(stack.query(
                 "pds", "select type, state, attempts, last_status, last_error "
                        "from outbox_message")))
    assert lots_on_gps(stack, code) == [row[:2] for row in expected]

    # GPS's 经办岗 of the purchasing unit sees the project and both lots.
    jingban = sign_in("gps", "jingban")
    ui.open_menu(jingban, "计划管理", "交易项目与标段")
    expect(jingban).to_have_url(re.compile(r"/trading-projects/list/?$"))
    row = jingban.locator("table tr", has_text=code)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("受理通过")
    with jingban.expect_navigation() as opened:
        row.locator("a[href*='/trading-projects/show/']").click()
    assert opened.value.status == 200, (
        f"GPS 交易项目详情 {jingban.url} answered {opened.value.status}")
    expect(ui.shown(jingban, "项目编号")).to_have_text(code)
    jingban.locator(".nav-tabs a[href='#LotReplicaView']").click()
    tab = jingban.locator("#LotReplicaView")
    expect(tab).to_be_visible()
    rows = tab.locator("table tbody tr")
    expect(rows).to_have_count(2)
    for i, (lot_code, lot_name, budget) in enumerate(expected):
        expect(rows.nth(i)).to_contain_text(lot_code)
        expect(rows.nth(i)).to_contain_text(lot_name)
        # GPS prints 1200000.00 where 平顶山市 prints 1,200,000.00: either will do here.
        expect(rows.nth(i)).to_contain_text(re.compile(re.escape(budget).replace(",", ",?")))


def test_return_goes_back_to_the_agency_with_the_opinion(sites, sign_in):
    stack = sites
    daili = sign_in("pds", "daili")
    pk, code = prepared_project(stack, daili, "浏览器受理退回项目", LOTS[:1])
    submit_project(daili, pk, code)

    opinion = "开标地点与场地预约不一致，请核实后重新提交"
    keshi = sign_in("pds", "keshi")
    review(keshi, pk, code, "退回", opinion)
    expect(keshi).to_have_url(re.compile(r"/todo/?$"))
    expect(keshi.locator(".alert-success")).to_contain_text("当前状态：已退回")
    expect(keshi.locator("tr.todo-row", has_text=code)).to_have_count(0)
    assert stack.query("pds", "select state, last_opinion from trading_project "
                              f"where id = {pk}") == [["已退回", opinion]]

    row = ui.todo_row(daili, code)
    expect(row).to_contain_text(f"退回意见：{opinion}")
    expect(row.locator("a.btn-enter-review")).to_have_count(0)
    expect(row.get_by_role("link", name="修改")).to_have_attribute(
        "href", re.compile(rf"/acceptance/edit/{pk}$"))

    daili.goto(stack.url("pds") + f"/acceptance/show/{pk}")
    expect(daili.locator("#returned-opinion")).to_contain_text(opinion)
    expect(ui.shown(daili, "受理状态")).to_have_text("已退回")
    expect(ui.shown(daili, "退回意见")).to_have_text(opinion)
    expect(daili.locator("#btn-edit")).to_have_attribute(
        "href", re.compile(rf"/acceptance/edit/{pk}$"))
    assert lots_on_gps(stack, code) == []  # nothing reached GPS
