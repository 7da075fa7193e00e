"""【项目监督】 in a real browser against a real GPS server: 监管处 opens
【项目监督】→【项目监督】 by the menu labels, picks a 预警 in the filter,
sees only the projects carrying it, and follows 【项目向导】.

The projects are inserted as derived rows (tests/supervision_helpers.py),
as the list only reads them."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED = """
import datetime as dt
from flask import current_app
from tests.supervision_helpers import insert_projects, project
ids = insert_projects(current_app._get_current_object(), [
    project(1, "410400", name="浏览器监督项目甲", flags=["YJ04"], plan_no="JH-B-0001"),
    project(2, "410421", name="浏览器监督项目乙", flags=["YJ03", "YJ04"], plan_no="JH-B-0002"),
    project(3, "410400", name="浏览器监督项目丙", flags=["YJ01"], plan_no="JH-B-0003"),
    project(4, "411322", name="浏览器监督项目丁", flags=["YJ04"], plan_no="JH-B-0004"),
])
print(",".join(map(str, ids)))
"""


def test_regulator_filters_by_a_flag_and_opens_the_guide(stack, sign_in):
    ids = [int(i) for i in stack.python("gps", SEED).strip().splitlines()[-1].split(",")]
    page = sign_in(stack, "gps", "jianguan")

    # 【项目监督】→【项目监督】: the category and its item carry the same label.
    nav = page.locator(".navbar")
    nav.locator("a.dropdown-toggle", has_text="项目监督").click()
    nav.locator(".dropdown-menu a", has_text="项目监督").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/supervision/"))
    expect(page.locator("#supervision-table")).to_contain_text("浏览器监督项目丙")

    # 预警: YJ04 合同签订逾期 → 【查询】
    page.select_option("#f-flag", label="YJ04 合同签订逾期")
    page.fill("#f-q", "浏览器监督项目")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"flag=YJ04"))
    rows = page.locator("tr.supervision-row")
    expect(rows).to_have_count(2)  # 丁 is 方城县's: outside 平顶山市
    expect(page.locator("#supervision-table")).not_to_contain_text("浏览器监督项目丙")
    second = rows.filter(has_text="浏览器监督项目乙")
    expect(second.locator(".flag-badge")).to_have_text("2")
    expect(second.locator(".flag-badge")).to_have_attribute(
        "title", "YJ03 结果公告逾期；YJ04 合同签订逾期")
    expect(second).to_contain_text("宝丰县")

    # 【项目向导】 (its page is the guide's; here: where the button leads).
    guide = second.get_by_role("link", name="项目向导")
    expect(guide).to_have_attribute("href", f"/supervision/project/{ids[1]}")

    # 【项目向导】: the project's stages in order, its 预警 with their basis.
    guide.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/supervision/project/{ids[1]}$"))
    expect(page.locator("#guide-summary")).to_contain_text("浏览器监督项目乙")
    stages = page.locator("#guide-stages")
    expect(stages).to_contain_text("计划备案")
    expect(stages).to_contain_text("合同公告及备案")
    flags = page.locator("#guide-flags")
    expect(flags).to_contain_text("结果公告逾期")
    expect(flags).to_contain_text("合同签订逾期")
    expect(flags).to_contain_text("《政府采购法》第四十六条")
