"""【采购计划备案】's search on 采购单位, in a real browser: the filter is a box
one types into, it offers the units of the regulator's scope that match,
and the list it gives holds only the unit picked (app/views/common/related_search.py)."""
import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui


pytestmark = pytest.mark.browser


def test_a_regulator_finds_a_unit_by_typing_and_filters_by_it(gps_site, sign_in):
    stack = gps_site
    [[unit]] = stack.query("gps", "select id from organisation where name = '平顶山市教育局'")
    page = sign_in(stack, "gps", "jianguan")
    page.goto(stack.url("gps") + "/plans/list/")
    # Before: no unit is on the page at all, only the box.
    assert "方城县人民医院" not in page.content()
    ui.add_filter(page, "unit")
    page.locator("#filter_form .select2-selection").last.click()
    # Nothing is searched before a character is typed; the box says so in Chinese.
    expect(page.locator(".select2-results__message")).to_contain_text("请再输入至少1个字符")
    page.keyboard.type("教育")
    option = page.locator(".select2-results__option", has_text="平顶山市教育局")
    expect(option).to_be_visible()
    # The city's regulator is offered its units only.
    expect(page.locator(".select2-results__option", has_text="方城县")).to_have_count(0)
    option.click()
    page.locator("#filter_form button[type=submit]").click()
    page.wait_for_load_state()
    assert f"_flt_0_unit={unit}" in page.url, page.url
    rows = page.locator("table.table-bordered tbody tr, table.table-bordered tr:has(td)")
    expect(rows.first).to_contain_text("平顶山市教育局")
    for text in rows.all_inner_texts():
        assert "平顶山市教育局" in text
    # The filter row shows the unit picked, by name.
    expect(page.locator("#filter_form .select2-selection__rendered").last).to_contain_text(
        "平顶山市教育局")
