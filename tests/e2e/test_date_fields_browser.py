"""Every date and datetime form, in a real browser (Debian's chromium) against
a real `flask run` server: a person types a date and a time into the field,
saves, and finds what they typed on the page, in the form when they open it
again, and in the database.

Before the native widget (app/views/common/widgets.py) FAB's English
date-only datepicker turned a typed time into today's date on blur, made a
picked date "不是有效的日期与时间值。", and Escape cleared the field.

The keys are typed into the browser's own date field, segment by segment, in
the order the browser shows them (月/日/年 in an English chromium, 年/月/日 in
a Chinese one): `typing` finds that order once per browser."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import Stack

pytestmark = pytest.mark.browser

DEADLINE = dt.datetime(2026, 12, 24, 9, 30)
PLAN_NO = "410400-2026-98001"

# How a person types a date (and a time) into each order of segments the
# browser may show; AM/PM is a key of its own where the browser shows it.
ORDERS = {
    "月/日/年 上午": lambda v, time: v.strftime("%m%d%Y") + (
        v.strftime("%I%M") + ("A" if v.hour < 12 else "P") if time else ""),
    "年/月/日": lambda v, time: v.strftime("%Y%m%d") + (v.strftime("%H%M") if time else ""),
    "日/月/年": lambda v, time: v.strftime("%d%m%Y") + (v.strftime("%H%M") if time else ""),
}
SCRATCH = ('<input id="when" type="datetime-local" min="2000-01-01T00:00" '
           'max="2099-12-31T23:59"><input id="day" type="date">')


@pytest.fixture(scope="module")
def typing(browser):
    """The keys a person presses for a value, in this browser's segment order."""
    page = ui.new_page(browser)
    probe = dt.datetime(2031, 7, 9, 15, 45)  # no two segments alike
    for name, keys in ORDERS.items():
        page.set_content(SCRATCH)
        page.focus("#when")
        page.keyboard.type(keys(probe, True))
        if page.input_value("#when") == "2031-07-09T15:45":
            page.context.close()
            return keys
    page.context.close()
    pytest.fail("this browser's date field takes none of the known segment orders")


def type_into(page, selector, value, typing):
    """Click into the field, clear it as a person would (select all, delete),
    type the value, leave the field; Escape on the way must not clear it."""
    field = page.locator(selector)
    expect(field).to_have_attribute("type", "datetime-local" if isinstance(
        value, dt.datetime) else "date")
    field.click(position={"x": 6, "y": 10})  # the first segment, as a person clicks it
    for _ in range(6):  # clear each segment, then back to the first
        page.keyboard.press("Backspace")
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    page.keyboard.type(typing(value, isinstance(value, dt.datetime)))
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    wanted = value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else str(value)
    expect(field).to_have_value(wanted)
    # FAB's bootstrap-datepicker would have popped up on focus: nothing did.
    expect(page.locator(".datepicker")).to_have_count(0)


def save(page):
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()


def stored(rows) -> list:
    """Values read with stack.query (strings, as SQLite or PostgreSQL print
    them) as datetimes and dates again."""
    def value(text):
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    return [[value(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


# --- 平顶山市: an accepted project, its lots with their 采购公告, a 变更公告 --------------

def _prepare_trading(url, redis_url):
    """Set up, in the site's own app, what earlier steps (tested elsewhere)
    leave: a 受理通过 project, 采购公告 received for its lots, 评分标准 for the
    first lot, and a 变更公告 waiting for its new times."""
    from app import time_changes
    from app.extensions import db
    from app.models import Lot, ScoringItem
    from tests.acceptance_helpers import accepted_project
    from tests.conftest import make_app

    app = make_app("pds", url, redis_url)
    _daili, pk, code = accepted_project(app, PLAN_NO)
    with app.app_context():
        lots = db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq).all()
        for lot in lots:
            lot.notice_received_at = dt.datetime.now()
        db.session.add(ScoringItem(lot_id=lots[0].id, category="价格", name="价格分",
                                   weight=100))
        change = time_changes.notice_arrived(code, "notice-browser-dates", "关于日期录入测试的变更公告",
                                             [lots[0].code])
        db.session.commit()
        facts = {"project": pk, "code": code, "lots": [(lot.id, str(lot)) for lot in lots],
                 "change": change.id}
        db.session.remove()
        db.engine.dispose()
    return facts


@pytest.fixture
def trading(browser, templates, databases, redis_url, tmp_path):
    url = databases.clone(templates["pds"], "e2e_dates_pds")
    facts = _prepare_trading(url, redis_url)
    stack = Stack({"pds": url}, redis_url, tmp_path)
    stack.start_site("pds")
    yield stack, facts
    stack.stop_all()


def test_change_notice_times_are_typed_saved_and_read_back(trading, sign_in, typing):
    """【项目管理】→【变更公告】→ 编辑: the three new times."""
    stack, facts = trading
    pk = facts["change"]
    page = sign_in(stack, "pds", "daili")
    ui.open_menu(page, "项目管理", "变更公告")
    page.locator(f"a[href$='/time-changes/edit/{pk}']").first.click()
    page.wait_for_load_state()
    doc_end = dt.datetime(2026, 12, 18, 17, 0)
    type_into(page, "#new_doc_issue_end", doc_end, typing)
    type_into(page, "#new_bid_deadline", DEADLINE, typing)
    type_into(page, "#new_open_time", DEADLINE, typing)
    page.fill("#remark", "依变更公告顺延")
    save(page)
    assert "/time-changes/edit/" not in page.url, ui.flash_text(page)

    row = page.locator("table tr", has_text="关于日期录入测试的变更公告")
    expect(row).to_contain_text("2026-12-24 09:30")
    page.goto(stack.url("pds") + f"/time-changes/show/{pk}")
    expect(ui.shown(page, "变更后投标截止时间")).to_contain_text("2026-12-24 09:30")
    expect(ui.shown(page, "变更后文件获取截止时间")).to_contain_text("2026-12-18 17:00")
    page.goto(stack.url("pds") + f"/time-changes/edit/{pk}")
    expect(page.locator("#new_bid_deadline")).to_have_value("2026-12-24T09:30")
    expect(page.locator("#new_doc_issue_end")).to_have_value("2026-12-18T17:00")
    assert stored(stack.query("pds", "select new_doc_issue_end, new_bid_deadline, new_open_time "
                                     f"from time_change where id = {pk}")) == \
        [[doc_end, DEADLINE, DEADLINE]]


def test_lot_planning_times_are_typed_saved_and_read_back(trading, sign_in, typing):
    """【项目管理】→【招标文件规划与开评标配置】→ 编辑: the four times of a lot."""
    stack, facts = trading
    lot, label = facts["lots"][0]
    page = sign_in(stack, "pds", "daili")
    page.goto(stack.url("pds") + f"/lot-settings/edit/{lot}")
    times = {"doc_issue_start": dt.datetime(2026, 12, 1, 9, 0),
             "doc_issue_end": dt.datetime(2026, 12, 8, 17, 0),
             "bid_deadline": DEADLINE, "open_time": DEADLINE}
    for name, value in times.items():
        type_into(page, f"#{name}", value, typing)
    save(page)
    assert "/lot-settings/edit/" not in page.url, ui.flash_text(page)

    page.goto(stack.url("pds") + f"/lot-settings/show/{lot}")
    expect(ui.shown(page, "投标截止时间")).to_contain_text("2026-12-24 09:30")
    expect(ui.shown(page, "文件获取开始时间")).to_contain_text("2026-12-01 09:00")
    page.goto(stack.url("pds") + f"/lot-settings/edit/{lot}")
    for name, value in times.items():
        expect(page.locator(f"#{name}")).to_have_value(value.strftime("%Y-%m-%dT%H:%M"))
    assert stored(stack.query("pds", "select doc_issue_start, doc_issue_end, bid_deadline, "
                                     f"open_time from lot where id = {lot}")) == \
        [list(times.values())]


def choose_lot(page, label):
    """The form's 标段 box lists nothing until one types (related_search.js):
    its code, then the match."""
    page.locator("select#lot + .select2-container").click()
    page.keyboard.type(label.split()[0])
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(label)}$")).click()


def test_an_opening_record_takes_a_typed_time(trading, sign_in, typing):
    """【项目管理】→【开标记录】→【增加】: 开标时间 an hour ago, typed."""
    stack, facts = trading
    lot, label = facts["lots"][0]
    opened = (dt.datetime.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    page = sign_in(stack, "pds", "daili")
    page.goto(stack.url("pds") + "/opening-bids/list/")
    page.locator("a[href*='/opening-bids/add']").first.click()
    page.wait_for_load_state()
    choose_lot(page, label)
    page.fill("#bidder", "河南甲信息技术有限公司")
    page.fill("#price", "950000.00")
    type_into(page, "#opened_at", opened, typing)
    save(page)
    assert "/opening-bids/add" not in page.url, ui.flash_text(page)
    row = page.locator("table tr", has_text="河南甲信息技术有限公司")
    expect(row).to_contain_text(opened.strftime("%Y-%m-%d %H:%M"))

    [[pk, saved]] = stored(stack.query("pds", "select id, opened_at from opening_bid"))
    assert saved == opened
    page.goto(stack.url("pds") + f"/opening-bids/edit/{pk}")
    expect(page.locator("#opened_at")).to_have_value(opened.strftime("%Y-%m-%dT%H:%M"))


def test_objection_dates_are_typed_saved_and_read_back(trading, sign_in, typing):
    """【项目管理】→【项目质疑】→【登记质疑】: three dates."""
    stack, facts = trading
    lot, label = facts["lots"][1]
    today = dt.date.today()
    known, received = today - dt.timedelta(days=3), today - dt.timedelta(days=1)
    page = sign_in(stack, "pds", "daili")
    page.goto(stack.url("pds") + "/objections/list/")
    page.locator("a[href*='/objections/add']").first.click()
    page.wait_for_load_state()
    choose_lot(page, label)
    page.fill("#objector", "河南乙科技有限公司")
    type_into(page, "#known_on", known, typing)
    type_into(page, "#received_on", received, typing)
    page.fill("#content", "对评分标准有异议")
    page.fill("#reply", "经核查，质疑事项不成立")
    type_into(page, "#reply_date", today, typing)
    save(page)
    assert "/objections/add" not in page.url, ui.flash_text(page)

    [[pk, *saved]] = stored(stack.query("pds", "select id, known_on, received_on, reply_date "
                                               "from objection"))
    assert saved == [known, received, today]
    page.goto(stack.url("pds") + f"/objections/edit/{pk}")
    expect(page.locator("#received_on")).to_have_value(str(received))
    expect(page.locator("#reply_date")).to_have_value(str(today))


def test_a_search_filter_on_a_date_is_the_native_field(trading, sign_in, typing):
    """【审计日志】's filter on 时间: FAB's search form, with the native field."""
    stack, _facts = trading
    page = sign_in(stack, "pds", "admin")
    page.goto(stack.url("pds") + "/audit/list/")
    ui.add_filter(page, "at")
    field = page.locator("#filter_form input.filter_val")
    expect(field).to_have_attribute("type", "datetime-local")
    type_into(page, "#filter_form input.filter_val", dt.datetime(2000, 1, 1, 0, 0), typing)
    page.locator("#filter_form button[type=submit]").click()
    page.wait_for_load_state()
    assert "_flt_" in page.url and "2000-01-01T00%3A00" in page.url, page.url
    expect(page.locator("#filter_form input.filter_val")).to_have_value("2000-01-01T00:00")


# --- 政府采购系统: 预计采购时间 and 推送限额标准's 执行日期 ------------------------------------

def test_gps_date_forms_take_a_typed_date(gps_site, sign_in, typing):
    stack = gps_site
    [[plan, _name]] = stack.query("gps", "select p.id, p.project_name from plan p join ab_user u "
                                        "on u.organisation_id = p.unit_id where u.username = "
                                        "'jingban' and p.state = '草稿' order by p.id limit 1")
    page = sign_in(stack, "gps", "jingban")
    ui.open_menu(page, "计划管理", "采购计划备案")
    page.locator(f"a[href$='/plans/edit/{plan}']").first.click()
    page.wait_for_load_state()
    expected = dt.date(2027, 3, 15)
    type_into(page, "#expected_date", expected, typing)
    save(page)
    assert "/plans/edit/" not in page.url, ui.flash_text(page)
    assert stored(stack.query("gps", f"select expected_date from plan where id = {plan}")) == \
        [[expected]]
    page.goto(stack.url("gps") + f"/plans/edit/{plan}")
    expect(page.locator("#expected_date")).to_have_value(str(expected))

    admin = sign_in(stack, "gps", "admin")
    [[row]] = stack.query("gps", "select id from push_threshold order by id limit 1")
    admin.goto(stack.url("gps") + "/push-thresholds/list/")
    admin.locator(f"a[href$='/push-thresholds/edit/{row}']").first.click()
    admin.wait_for_load_state()
    effective = dt.date(2021, 6, 30)
    type_into(admin, "#effective_from", effective, typing)
    save(admin)
    assert "/push-thresholds/edit/" not in admin.url, ui.flash_text(admin)
    assert stored(stack.query("gps", "select effective_from from push_threshold "
                                     f"where id = {row}")) == [[effective]]
    expect(admin.locator("table tr", has_text="2021-06-30").first).to_be_visible()
