"""合同公告及备案 in a real browser (Debian's chromium, driven by Playwright)
against real GPS, 平顶山市 and 方城县 servers, in the words of GPS manual §4:
单位采购经办岗 【合同管理】→【合同公告及备案】→【新增】, chooses the project
(“项目选择后会出现关联标段信息”), ticks the 关联标段, types the 合同签订日期 into
the browser's own date field, uploads the contract and its public version,
【保存】, then 【提交】 from the list; the 单位内部审核岗 approves in 【待办任务】;
anyone finds the 合同公告 in 平顶山市's 合同公告 column.

The project and its 结果公告 are made over HTTP as test_contract_flow does;
the contract is signed today, so every clock is met whatever the day."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import wait_for
from tests.e2e.test_contract_flow import published_result
from tests.e2e.test_date_fields_browser import type_into, typing  # noqa: F401 (fixture)
from tests.e2e.test_notice_publish import listed
from tests.filings import pdf_bytes

pytestmark = pytest.mark.browser


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def test_file_submit_review_and_the_notice_is_on_the_website(stack, browser, sign_in, typing):
    project, lot = published_result(stack, stack.browser("gps", "jingban"), "合同浏览器项目")

    # 单位采购经办岗: 【合同管理】→【合同公告及备案】→【新增】→ 选择项目 →【确定】
    page = sign_in(stack, "gps", "jingban")
    ui.open_menu(page, "合同管理", "合同公告及备案")
    page.click("#btn-add")
    expect(page).to_have_url(re.compile(r"/contracts/choose-project"))
    page.fill("#project-search", project.code)
    page.get_by_role("button", name="查询").click()
    page.locator("tr.project-row", has_text=project.code).locator("input[type=radio]").check()
    page.get_by_role("button", name="确定").click()
    expect(page).to_have_url(re.compile(r"/contracts/add\?project="))
    expect(page.locator("#project-code")).to_have_text(project.code)

    # 关联标段: the lot of the 结果公告, with its supplier and award.
    row = page.locator("#lot-table tr.lot-row", has_text=lot.code)
    expect(row).to_contain_text("河南甲科技有限公司")
    expect(row).to_contain_text("880,000.00")
    row.locator("input[name=lots]").check()
    expect(page.locator("#supplier_name")).to_have_value("河南甲科技有限公司")

    page.fill("#contract_no", "PDS-HT-2026-B01")
    page.fill("#contract_name", "交互式一体机采购合同（浏览器）")
    page.fill("#main_items", "交互式一体机")
    page.fill("#quantity", "20台")
    page.fill("#amount", "880000.00")
    page.fill("#performance_period", "签订后30日内")
    page.fill("#performance_place", "平顶山市")
    type_into(page, "#signed_on", dt.date.today(), typing)
    page.set_input_files("#signed_file", files=[pdf("合同原件.pdf")])
    page.set_input_files("#redacted_file", files=[pdf("合同公开版.pdf")])
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    [[pk, filing_no, state, signed_on]] = stack.query(
        "gps", "select id, filing_no, state, signed_on from contract "
               f"where project_code = '{project.code}'")
    assert state == "草稿" and str(signed_on).startswith(dt.date.today().isoformat())

    # 【提交】 from the list, the row ticked, in the confirmation dialog.
    ui.open_menu(page, "合同管理", "合同公告及备案")
    ui.submit_ticked(page, pk, "单位内部审核岗", "待单位审核")

    # 单位内部审核岗: 【待办任务】→【进入审批】→ 通过 →【审核】
    shenhe = sign_in(stack, "gps", "shenhe")
    ui.review(shenhe, "合同公告及备案", f"/contracts/review/{pk}", filing_no, "通过", "同意")
    expect(shenhe.locator(".alert-success")).to_contain_text("已备案")

    # The public: 平顶山市's website, 合同公告 column, the notice and its public version.
    [[title]] = stack.query("gps", "select n.title from notice n join contract c "
                                   f"on c.notice_id = n.id where c.id = {pk}")
    wait_for(lambda: listed(stack, "pds", "hetong", title), 20, what="合同公告 on /web/hetong/")
    visitor = ui.new_page(browser)  # anyone: no login
    try:
        visitor.goto(stack.url("pds") + "/web/")
        visitor.locator("nav a", has_text="合同公告").click()
        expect(visitor).to_have_url(re.compile(r"/web/hetong/?$"))
        visitor.get_by_role("link", name=title).click()
        expect(visitor.locator("body")).to_contain_text("PDS-HT-2026-B01")
        expect(visitor.get_by_role("link", name=re.compile("合同文本（公开版）"))).to_be_visible()
    finally:
        visitor.context.close()
