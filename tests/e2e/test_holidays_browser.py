"""【节假日维护】 in a real browser (Debian's chromium) against real servers:
GPS's 经办岗 drafts a 采购公告 whose documents are obtainable for five
working days in March of next year, which is 暂定; the draft says the periods
are lawful, judged 暂定. The administrator opens 【系统管理】→【节假日维护】,
sees the year as month grids, adds a two-day holiday and a 调休 Saturday;
the draft's verdict changes to the shortfall. Once the year is set 正式, the
暂定 note is gone."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.test_notice_browser import open_wizard, pages, sites  # noqa: F401 (fixtures)
from tests.e2e.test_notice_publish import accepted_project

pytestmark = pytest.mark.browser


def first_monday_of_march(year: int) -> dt.date:
    day = dt.date(year, 3, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def local(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


def law_holidays(year: int) -> dict:
    """The law's days off in `year` as 节假日维护 entries: each holiday from its
    first to its last weekday off (its 补假 included), as the State Council's
    arrangement would give them at the least."""
    from app.rules.statutory_holidays import days_off

    spans: dict = {}
    for day, name in sorted(days_off(year).items()):
        name = name.replace("（补假）", "")
        first, _last = spans.get(name, (day, day))
        spans[name] = (first, day)
    return spans


def cell(page, day: dt.date):
    return page.locator(f"#month-grids td[data-date='{day.isoformat()}']")


def test_admin_enters_a_holiday_and_the_wizard_verdict_changes(sites, pages):
    stack = sites
    year = dt.date.today().year + 1  # not entered on a fresh site: 暂定
    monday = first_monday_of_march(year)  # March holds no statutory holiday
    note = f"按法定节假日暂定计算，{year} 年节假日安排尚未录入"
    project = accepted_project(stack, "节假日维护浏览器项目")
    lot1 = project.lots[0]

    # 经办岗: a draft with documents Monday → Friday, five working days.
    gps = pages("gps-jingban", stack.url("gps"), "jingban")
    open_wizard(gps, project)
    gps.locator("#notice-type").select_option("采购公告")
    gps.click("#btn-draft")
    gps.wait_for_load_state()
    gps.check(f"[id='lot-{lot1.code}']")
    gps.click("#btn-next")
    gps.wait_for_load_state()
    expect(gps).to_have_url(re.compile(r"/notice-publish/notice/\d+/edit$"))
    draft_url = gps.url
    times = {"doc_start": local(monday, 9), "doc_end": local(monday + dt.timedelta(days=4), 17),
             "bid_deadline": local(monday + dt.timedelta(days=25), 9, 30),
             "open_time": local(monday + dt.timedelta(days=25), 9, 30)}
    for name, value in times.items():
        gps.fill(f"#notice-form [name={name}]", value)
    gps.click("#btn-save")
    gps.wait_for_load_state()
    expect(gps.locator("#period-check")).to_contain_text("符合规定")
    expect(gps.locator(".notice-warning", has_text=note)).to_have_count(1)

    # The administrator: 【系统管理】→【节假日维护】, the year's month grids.
    admin = pages("gps-admin", stack.url("gps"), "admin")
    ui.open_menu(admin, "系统管理", "节假日维护")
    expect(admin).to_have_url(re.compile(r"/holidays/?$"))
    row = admin.locator(f"tr.year-row[data-year='{year}']")
    expect(row.locator(".year-state")).to_have_text("暂定")
    row.get_by_role("link", name="查看日历").click()
    admin.wait_for_load_state()
    expect(admin.locator(".hol-month")).to_have_count(12)
    expect(admin.locator("#year-state")).to_have_text("暂定")
    wednesday, saturday = monday + dt.timedelta(days=2), monday + dt.timedelta(days=5)
    expect(cell(admin, wednesday)).to_have_attribute("data-kind", "")

    # Adds 测试假日 Wednesday–Thursday, with Saturday worked.
    admin.fill("#holiday-form [name=name]", "测试假日")
    admin.fill("#holiday-form [name=start]", wednesday.isoformat())
    admin.fill("#holiday-form [name=end]", (wednesday + dt.timedelta(days=1)).isoformat())
    admin.fill("#holiday-form [name=workdays]", saturday.isoformat())
    admin.click("#btn-save-holiday")
    admin.wait_for_load_state()
    expect(admin.locator(".alert-success")).to_contain_text("已保存“测试假日”")
    expect(cell(admin, wednesday)).to_have_attribute("data-kind", "休")
    expect(cell(admin, wednesday + dt.timedelta(days=1))).to_have_attribute("data-kind", "休")
    expect(cell(admin, saturday)).to_have_attribute("data-kind", "班")
    expect(admin.locator("tr.holiday-row[data-name='测试假日']")).to_contain_text(
        f"{saturday}（星期六）")

    # Monday, Tuesday, Friday: three working days; the 调休 Saturday is the
    # fourth, the next Monday the fifth.
    gps.goto(draft_url)
    expect(gps.locator("#period-check")).to_contain_text(
        f"获取截止最早为 {monday + dt.timedelta(days=7)}")
    expect(gps.locator(".notice-warning", has_text=note)).to_have_count(1)

    # 正式 needs every holiday of the law entered: the year's arrangement.
    for name, (start, end) in law_holidays(year).items():
        admin.fill("#holiday-form [name=name]", name)
        admin.fill("#holiday-form [name=start]", start.isoformat())
        admin.fill("#holiday-form [name=end]", end.isoformat())
        admin.fill("#holiday-form [name=workdays]", "")
        admin.click("#btn-save-holiday")
        admin.wait_for_load_state()
        expect(admin.locator(".alert-success")).to_contain_text(f"已保存“{name}”")

    # 正式: with the notice's number, confirmed in the dialog.
    admin.select_option("#year-form [name=state]", "正式")
    admin.fill("#year-form [name=notice_no]", "国办发明电（测试）")
    ui.ask(admin, "#btn-save-year")
    ui.confirm(admin, "保存年度通知与状态", "重新判断")
    expect(admin.locator("#year-state")).to_have_text("正式")
    gps.goto(draft_url)
    expect(gps.locator("#period-check")).to_contain_text("还差 2 个工作日")
    expect(gps.locator(".notice-warning", has_text=note)).to_have_count(0)
