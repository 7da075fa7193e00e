"""中标结果变更备案 in a real browser (Debian's chromium, driven by Playwright)
against a real `flask run` GPS server: 经办岗 fills the form, uploads the
stamped PDF and submits; 单位内部审核, 监管初审 and 监管复核 approve from
【待办任务】; a 退回 goes back to the 经办岗 with its opinion.

What the tests assert is what a user sees; the database is cross-checked
through the site's own app (stack.query)."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import Stack
from tests.filings import FIELDS, pdf_bytes

pytestmark = pytest.mark.browser

PDF_NAME = "情况说明.pdf"
REVIEWERS = [("shenhe", "单位内部审核", "待监管初审"),
             ("chushen", "监管初审", "待监管复核"),
             ("fuhe", "监管复核", "流程完成")]


@pytest.fixture
def gps_stack(browser, templates, databases, redis_url, tmp_path):
    """Only the GPS site: nothing here talks to a trading platform."""
    from tests.filings import with_published_result

    url = databases.clone(templates["gps"], "e2e_gps")
    with_published_result(url, redis_url)  # a change concerns a published result
    stack = Stack({"gps": url}, redis_url, tmp_path)
    stack.start_site("gps")
    yield stack
    stack.stop_all()


@pytest.fixture
def sign_in(browser, gps_stack, request, tmp_path):
    """sign_in(username) → a page signed in as that user, in a fresh context.
    On failure every open page is screenshotted into the test's tmp_path."""
    pages = []
    failed_before = request.session.testsfailed

    def open_as(username):
        page = ui.new_page(browser)
        pages.append((username, page))
        return ui.login(page, gps_stack.url("gps"), username)

    yield open_as
    ui.screenshot_pages(pages, tmp_path, request.session.testsfailed > failed_before)


# --- what a user does ------------------------------------------------------

def choose(page, field, text):
    """Pick an option of a select2 dropdown (FAB's related and enum fields)."""
    page.locator(f"select#{field} + .select2-container").click()
    page.locator(".select2-results__option",
                 has_text=re.compile(f"^{re.escape(text)}$")).click()
    expect(page.locator(f"#select2-{field}-container")).to_contain_text(text)


def resulted_plan(stack, username="jingban"):
    """The unit's project with a published 结果公告, and its lot 1 as offered."""
    rows = stack.query("gps", "select distinct p.id, p.plan_no, p.project_name from plan p "
                              "join notice n on n.plan_id = p.id "
                              "join ab_user u on u.organisation_id = p.unit_id "
                              f"where u.username = '{username}' and n.notice_type = '结果公告' "
                              "and n.state = '已发布'")
    assert len(rows) == 1, rows
    plan_id, plan_no, name = rows[0]
    [[lot]] = stack.query("gps", "select l.code from lot_replica l join project_replica r "
                                 "on r.project_code = l.project_code "
                                 f"where r.plan_id = {plan_id} and l.seq = 1")
    return plan_id, f"{plan_no} {name}", lot


def add_filing(page, stack):
    """【监督管理】→【中标结果变更备案】→【增加】, 选择项目, 涉及标段 from the
    result, the new winner, upload, 【保存】."""
    plan_id, plan_label, lot = resulted_plan(stack)
    ui.open_menu(page, "监督管理", "中标结果变更备案")
    expect(page).to_have_url(re.compile(r"/winner-changes/list/?$"))
    page.click("#btn-add")
    expect(page.locator(".panel-heading").first).to_contain_text("选择项目")
    page.locator("tr.project-row", has_text=plan_label.split(" ", 1)[1]) \
        .locator(".btn-choose-project").click()
    expect(page.locator(".panel-heading").first).to_contain_text("中标结果变更备案填报")
    # The result is shown; nothing of the original award is typed.
    expect(page.locator("#result-table")).to_contain_text("河南甲科技有限公司")
    assert page.locator("input[name=original_supplier]").count() == 0
    page.locator("select#lot_codes + .select2-container").click()
    page.locator(".select2-results__option", has_text=lot).click()
    expect(page.locator("select#lot_codes + .select2-container")).to_contain_text(lot)
    page.fill("input[name=new_supplier]", FIELDS["new_supplier"])
    page.fill("input[name=new_amount]", FIELDS["new_amount"])
    choose(page, "reason", FIELDS["reason"])
    page.fill("textarea[name=explanation]", FIELDS["explanation"])
    page.set_input_files("input[name=statement_file]", files=[{
        "name": PDF_NAME, "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert re.search(r"/winner-changes/list/?$", page.url), ui.flash_text(page)
    expect(page.locator(".alert-success")).to_contain_text("记录已添加")

    rows = stack.query("gps", "select w.id, w.filing_no, w.state, w.plan_id, w.reason, "
                              "a.original_name from winner_change w "
                              "left join attachment a on a.id = w.statement_id order by w.id")
    assert len(rows) == 1, rows
    pk, filing_no, state, saved_plan, reason, statement = rows[0]
    assert (state, saved_plan, reason, statement) == ("草稿", plan_id, FIELDS["reason"], PDF_NAME)
    # Back on the list, the new draft is there as the user typed it.
    row = page.locator("table tr", has=page.locator(f"input.action_check[value='{pk}']"))
    expect(row).to_contain_text(filing_no)
    expect(row).to_contain_text(FIELDS["new_supplier"])
    expect(row).to_contain_text("草稿")
    return pk, f"{filing_no} {plan_label.split(' ', 1)[1]}"


def submit_filing(page, pk):
    """Tick the row, 【提交】, confirm."""
    ui.submit_ticked(page, pk, "单位内部审核岗", "待单位审核")


def review(page, pk, label, result, opinion):
    ui.review(page, "中标结果变更备案", f"/winner-changes/review/{pk}", label, result, opinion)


def state_of(stack, pk):
    """[state, last_opinion, how many approval records] of the filing."""
    return stack.query("gps", "select w.state, w.last_opinion, (select count(*) from "
                              "approval_record r where r.chain = 'winner_change' and "
                              f"r.item_id = w.id) from winner_change w where w.id = {pk}")[0]


def records_of(stack, pk):
    return stack.query("gps", "select step, result, opinion from approval_record where "
                              f"chain = 'winner_change' and item_id = {pk} order by id")


def timeline_rows(page):
    steps = page.locator("#approval-timeline tr.timeline-step")
    return [[cell.strip() for cell in steps.nth(i).locator("td").all_inner_texts()[:3]]
            for i in range(steps.count())]


# --- the stories -----------------------------------------------------------

def test_filing_goes_through_all_four_steps(gps_stack, sign_in):
    stack = gps_stack
    jingban = sign_in("jingban")
    pk, label = add_filing(jingban, stack)
    submit_filing(jingban, pk)
    assert state_of(stack, pk) == ["待单位审核", None, 1]

    # 退回 without an opinion: the browser asks for it before any dialog
    # (confirm.js, data-required-when); nothing is sent, nothing changes.
    shenhe = sign_in("shenhe")
    row = ui.todo_row(shenhe, label)
    row.locator("a.btn-enter-review").click()
    expect(shenhe).to_have_url(re.compile(rf"/winner-changes/review/{pk}$"))
    shenhe.locator("input[name=result][value='退回']").check()
    shenhe.locator("#btn-review").click()
    expect(shenhe.locator("#modal-confirm")).not_to_be_visible()
    opinion = shenhe.locator("textarea[name=opinion]")
    assert opinion.evaluate("el => el.validationMessage") == "退回时必须填写审批意见"
    # 通过 needs none: chosen instead, the field is no longer required.
    shenhe.locator("input[name=result][value='通过']").check()
    assert opinion.evaluate("el => el.required") is False
    assert state_of(stack, pk) == ["待单位审核", None, 1]
    expect(ui.todo_row(shenhe, label).locator("a.btn-enter-review")).to_be_visible()

    for username, step, after in REVIEWERS:
        page = shenhe if username == "shenhe" else sign_in(username)
        review(page, pk, label, "通过", f"{step}：同意")
        expect(page).to_have_url(re.compile(r"/todo/?$"))
        expect(page.locator(".alert-success")).to_contain_text(f"当前状态：{after}")
        expect(page.locator("tr.todo-row", has_text=label)).to_have_count(0)

    jingban.goto(stack.url("gps") + f"/winner-changes/show/{pk}")
    assert timeline_rows(jingban) == [["经办岗提交", "提交", ""],
                                      ["单位内部审核", "通过", "单位内部审核：同意"],
                                      ["监管初审", "通过", "监管初审：同意"],
                                      ["监管复核", "通过", "监管复核：同意"]]
    expect(ui.shown(jingban, "状态")).to_have_text("流程完成")
    expect(jingban.locator("#returned-opinion")).to_have_count(0)
    expect(jingban.locator("#btn-enter-review")).to_have_count(0)
    # The stamped statement is there and is the PDF that was uploaded.
    link = jingban.locator("#statement-link")
    expect(link).to_have_text(PDF_NAME)
    download = jingban.context.request.get(stack.url("gps") + link.get_attribute("href"))
    assert download.ok and download.body().startswith(b"%PDF-")

    assert records_of(stack, pk) == [["经办岗提交", "提交", None],
                                     ["单位内部审核", "通过", "单位内部审核：同意"],
                                     ["监管初审", "通过", "监管初审：同意"],
                                     ["监管复核", "通过", "监管复核：同意"]]
    assert stack.query("gps", "select state from winner_change where submitted_at is not null "
                              f"and completed_at is not null and id = {pk}") == [["流程完成"]]


def test_return_goes_back_to_the_handler_with_the_opinion(gps_stack, sign_in):
    stack = gps_stack
    jingban = sign_in("jingban")
    pk, label = add_filing(jingban, stack)
    submit_filing(jingban, pk)
    shenhe = sign_in("shenhe")
    review(shenhe, pk, label, "通过", "同意")
    expect(shenhe.locator(".alert-success")).to_contain_text("当前状态：待监管初审")

    opinion = "情况说明材料未加盖单位公章，请补正后重新提交"
    chushen = sign_in("chushen")
    review(chushen, pk, label, "退回", opinion)
    expect(chushen.locator(".alert-success")).to_contain_text("已退回，当前状态：已退回")
    expect(chushen.locator("tr.todo-row", has_text=label)).to_have_count(0)
    assert state_of(stack, pk) == ["已退回", opinion, 3]
    assert records_of(stack, pk)[-1] == ["监管初审", "退回", opinion]

    # The 经办岗 finds it in 【待办任务】 with the opinion and a 修改 button.
    row = ui.todo_row(jingban, label)
    expect(row).to_contain_text(f"退回意见：{opinion}")
    expect(row.locator("a.btn-enter-review")).to_have_count(0)
    expect(row.get_by_role("link", name="修改")).to_have_attribute(
        "href", re.compile(rf"/winner-changes/edit/{pk}$"))

    jingban.goto(stack.url("gps") + f"/winner-changes/show/{pk}")
    expect(jingban.locator("#returned-opinion")).to_contain_text(opinion)
    assert timeline_rows(jingban)[-1] == ["监管初审", "退回", opinion]
    expect(ui.shown(jingban, "状态")).to_have_text("已退回")
    expect(ui.shown(jingban, "退回意见")).to_have_text(opinion)
    expect(jingban.locator("#btn-edit")).to_have_attribute(
        "href", re.compile(rf"/winner-changes/edit/{pk}$"))
    expect(jingban.locator("#btn-enter-review")).to_have_count(0)
