"""采购公告发布 in a real browser (Debian's chromium, driven by Playwright)
against real `flask run` servers with their sync workers: once 平顶山市 has
pushed a project's two lots to GPS, GPS's 经办岗 opens 【信息发布】→
【采购公告发布】, the plan's 【项目向导】, 【起草公告】, ticks lot 1 only,
fills in the notice and 【发布】s it (确定 in the confirmation dialog). Anyone
then finds it on 平顶山市's public website within seconds, with lot 1 and
without lot 2, and GPS shows it 已上网 with a link to that page.

What the test asserts is what a user sees; the databases are cross-checked
through the sites' own apps (stack.query)."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import wait_for
from tests.e2e.test_notice_publish import accepted_project
from tests.notice_helpers import announcement_fields

pytestmark = pytest.mark.browser


@pytest.fixture
def sites(browser, stack):
    """GPS, 平顶山市 and 方城县 with workers (conftest's stack), once chromium is there."""
    return stack


@pytest.fixture
def pages(browser, request, tmp_path):
    """open(name, key=None, username=None) → a page in a fresh context, signed
    in as `username` on site `key` if given, else anonymous. On failure every
    open page is screenshotted into the test's tmp_path."""
    opened = []
    failed_before = request.session.testsfailed

    def open_page(name, base=None, username=None):
        page = ui.new_page(browser)
        opened.append((name, page))
        return ui.login(page, base, username) if username else page

    yield open_page
    ui.screenshot_pages(opened, tmp_path, request.session.testsfailed > failed_before)


# --- what a user does ------------------------------------------------------

def open_wizard(page, project):
    """【信息发布】→【采购公告发布】, the plan's row →【项目向导】."""
    ui.open_menu(page, "信息发布", "采购公告发布")
    expect(page).to_have_url(re.compile(r"/notice-publish/list/?$"))
    row = page.locator("table tr", has_text=project.plan_no)
    expect(row).to_contain_text(project.name)
    row.get_by_role("link", name="项目向导").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/notice-publish/wizard/{project.plan_id}$"))


def fill_missing(page, fields: dict):
    """Fill each field the form did not pre-fill; leave the pre-filled ones."""
    for name, value in fields.items():
        box = page.locator(f"#notice-form [name={name}]")
        if not box.input_value().strip():
            box.fill(value)


def reload_until(page, locator, timeout=20, what="it"):
    """Reload the page until `locator` shows (a user pressing F5)."""
    def shown():
        if locator.count():
            return True
        page.reload()
        return False

    wait_for(shown, timeout, interval=0.5, what=what)


# --- the story -------------------------------------------------------------

def test_jingban_publishes_a_notice_for_one_lot_and_it_is_on_the_website(sites, pages):
    stack = sites
    project = accepted_project(stack, "浏览器公告发布项目")
    lot1, lot2 = project.lots
    gps = pages("gps-jingban", stack.url("gps"), "jingban")

    open_wizard(gps, project)
    expect(gps.locator("#waiting-for-lots")).to_have_count(0)
    expect(gps.locator(".wizard-stage[data-stage='标段推送']")).to_contain_text("已推送 2 个标段")
    lots_table = gps.locator("#project-lots")
    expect(lots_table).to_contain_text(lot1.name)
    expect(lots_table).to_contain_text(lot2.name)
    expect(gps.locator("#no-notices")).to_contain_text("尚未起草公告")

    # 【起草公告】 a 采购公告; step one: tick lot 1 only, 下一步.
    gps.locator("#notice-type").select_option("采购公告")
    gps.click("#btn-draft")
    gps.wait_for_load_state()
    expect(gps).to_have_url(re.compile(rf"/notice-publish/wizard/{project.plan_id}/draft\?"))
    choices = gps.locator("tr.lot-choice")
    expect(choices).to_have_count(2)
    gps.check(f"[id='lot-{lot1.code}']")
    expect(gps.locator(f"[id='lot-{lot2.code}']")).not_to_be_checked()
    gps.click("#btn-next")
    gps.wait_for_load_state()
    expect(gps).to_have_url(re.compile(r"/notice-publish/notice/\d+/edit$"))
    notice_id = int(re.search(r"/notice/(\d+)/edit$", gps.url).group(1))

    # Step two: lot 1's part only; what the plan and the lot already say is filled in.
    expect(gps.locator(f"fieldset[data-lot='{lot1.code}']")).to_be_visible()
    expect(gps.locator(f"fieldset[data-lot='{lot2.code}']")).to_have_count(0)
    title = f"{project.name}采购公告"
    expect(gps.locator("#notice-form [name=title]")).to_have_value(title)
    expect(gps.locator("#notice-form [name=purchaser_name]")).to_have_value("平顶山市教育局")
    expect(gps.locator("#notice-form [name=agency_name]")).to_have_value(
        "河南中原招标代理有限公司")
    requirement = gps.locator(f"[name='lot-{lot1.code}-requirement_html']")
    expect(requirement).to_have_value(re.compile("服务器 10 台"))
    fields = {k: v for k, v in announcement_fields().items() if k != "title"}
    fill_missing(gps, fields)
    gps.fill(f"[name='lot-{lot1.code}-max_price']", "1150000.00")

    # 【发布】 asks first; 确定.
    ui.ask(gps, "#btn-publish")
    ui.confirm(gps, "发布采购公告", title, "在网站公开，不能撤回")
    expect(gps).to_have_url(re.compile(rf"/notice-publish/notice/{notice_id}$"))
    expect(gps.locator(".alert-success")).to_contain_text("公告已发布，正在同步至交易平台")
    expect(gps.locator("#notice-status .notice-published")).to_contain_text("已发布")
    assert stack.query("gps", f"select state from notice where id = {notice_id}") == [["已发布"]]

    # Anyone on 平顶山市's website: the notice appears within seconds.
    public = pages("pds-website")
    public.goto(stack.url("pds") + "/web/")
    expect(public).to_have_title(re.compile("平顶山市公共资源交易网"))
    link = public.locator("#col-caigou a", has_text=title)
    reload_until(public, link, 20, what="the 采购公告 on 平顶山市's /web/")
    link.click()
    public.wait_for_load_state()
    expect(public).to_have_url(re.compile(r"/web/notices/\d+$"))
    expect(public.locator("h2.title")).to_have_text(title)
    expect(public.locator(".meta")).to_contain_text(f"项目编号：{project.code}")
    article = public.locator("article")
    expect(article).to_contain_text(lot1.name)
    expect(article).to_contain_text(lot1.code)
    expect(article).to_contain_text("1,150,000.00")  # lot 1's 最高限价
    expect(article).not_to_contain_text(lot2.name)
    expect(article).not_to_contain_text(lot2.code)
    lots = public.locator("table.lots tbody tr")
    expect(lots).to_have_count(1)
    expect(lots).to_contain_text(lot1.name)
    web_page = public.url

    # Back on GPS: 已同步 and 已上网, and 【在交易平台网站查看】 leads to that page.
    reload_until(gps, gps.locator("#notice-status .notice-online"), 20,
                 what="已上网 on GPS")
    expect(gps.locator("#notice-status .notice-synced")).to_contain_text("已同步")
    expect(gps.locator("#notice-status .notice-online")).to_contain_text("已上网")
    expect(gps.locator("#web-link")).to_have_attribute("href", web_page)

    # 方城县's website does not show it.
    other = pages("fc-website")
    other.goto(stack.url("fc") + "/web/caigou/")
    expect(other.locator("table.notices, .empty").first).to_be_visible()
    expect(other.locator("body")).not_to_contain_text(title)
