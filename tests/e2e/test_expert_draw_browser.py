"""专家抽取 in a real browser (Debian's chromium, driven by Playwright)
against a real `flask run` GPS server, in the words of GPS manual §3:
采购单位经办岗 【专家管理】→【专家抽取申请】→【新增】, “选择项目”, 【确定】,
标段, 评审时间 typed into the browser's own date field, 评审地点, a 专家需求
row, 【保存】 then 【提交】; the region's 监管初审岗 approves from 【待办任务】,
opens the application, 【抽取】 and sees the names; the applicant, on the same
page, sees only how many were drawn until the 评审时间.

The 评审时间 is "now + an hour": the draw's timing rule allows a draw on
the review's day (or the day before) whatever the calendar says."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.stack import Stack
from tests.e2e.test_date_fields_browser import type_into, typing  # noqa: F401 (fixture)
from tests.e2e.test_expert_draw_flow import speciality_with_most_experts

pytestmark = pytest.mark.browser

SEALED = "已抽取 4 人，结果将于评审时间推送"


def _interconnected_project(db_url, redis_url) -> tuple[str, str, str]:
    """Before the site starts: jingban's filed plan as 标段推送 leaves it on
    GPS (project and lots; the messages are tested in test_lot_push)."""
    from app.extensions import db
    from app.models import ProjectReplica
    from tests.conftest import make_app
    from tests.expert_request_helpers import pushed_project

    app = make_app("gps", db_url, redis_url)
    try:
        code = pushed_project(app)
        with app.app_context():
            project = db.session.get(ProjectReplica, code)
            lot = sorted(project.lots, key=lambda lot: lot.seq)[0]
            return code, project.project_name, lot.code
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def gps_site(browser, templates, databases, redis_url, tmp_path):
    """Only GPS: nothing here is released to a trading platform."""
    url = databases.clone(templates["gps"], "e2e_draw_gps")
    project = _interconnected_project(url, redis_url)
    stack = Stack({"gps": url}, redis_url, tmp_path)
    stack.start_site("gps")
    yield stack, project
    stack.stop_all()


def test_apply_review_draw_and_the_applicant_sees_only_the_count(gps_site, sign_in, typing):
    stack, (code, name, lot_code) = gps_site
    speciality = speciality_with_most_experts(stack)
    review_at = (dt.datetime.now() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)

    # 采购单位经办岗: 【专家管理】→【专家抽取申请】→【新增】
    page = sign_in(stack, "gps", "jingban")
    ui.open_menu(page, "专家管理", "专家抽取申请")
    page.click("#btn-add")
    expect(page).to_have_url(re.compile(r"/expert-requests/add$"))
    page.get_by_role("link", name="选择项目").click()
    expect(page).to_have_url(re.compile(r"/expert-requests/choose-project"))
    page.fill("#project-search", code)
    page.get_by_role("button", name="查询").click()
    page.locator("tr.project-row", has_text=code).locator("input[type=radio]").check()
    page.get_by_role("button", name="确定").click()
    expect(page).to_have_url(re.compile(r"/expert-requests/add\?project="))
    expect(page.locator("#project_name")).to_have_value(name)
    expect(page.locator("#project_no")).to_have_value(code)
    expect(page.locator("#interconnected-note")).to_contain_text("互联互通项目")
    page.locator(f"input.lot-choice[value='{lot_code}']").check()
    type_into(page, "#review_at", review_at, typing)
    page.fill("#review_place", "平顶山市公共资源交易中心第3评标室")
    page.fill("#duration_hours", "2")
    need = page.locator("#need-table tbody tr").first
    need.locator("select[name=need_speciality]").select_option(speciality)
    need.locator("input[name=need_count]").fill("4")
    need.locator("input[name=need_reserve]").fill("1")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    [[pk, request_no, state, saved_at]] = stack.query(
        "gps", "select id, request_no, state, review_at from expert_request "
               f"where project_code = '{code}' and lot_code = '{lot_code}'")
    assert state == "草稿" and saved_at.startswith(review_at.strftime("%Y-%m-%d %H:%M"))

    # 【提交】 from the list, the row ticked, in the confirmation dialog.
    ui.open_menu(page, "专家管理", "专家抽取申请")
    ui.submit_ticked(page, pk, "监管初审岗", "待监管初审")

    # 监管初审岗: 【待办任务】→【进入审批】→ 通过, opinion →【审核】
    chushen = sign_in(stack, "gps", "chushen")
    ui.review(chushen, "专家抽取申请", f"/expert-requests/review/{pk}", request_no, "通过",
              "同意抽取专家")
    expect(chushen.locator(".alert-success")).to_be_visible()
    assert stack.query("gps", f"select state from expert_request where id = {pk}") \
        == [["已通过"]]

    # The application's page: 【抽取】, asked first.
    ui.open_menu(chushen, "专家管理", "专家抽取申请")
    chushen.locator("table tr", has_text=request_no).locator("a[href*='/show/']").first.click()
    expect(chushen).to_have_url(re.compile(rf"/expert-requests/show/{pk}$"))
    chushen.click("a#btn-draw")
    expect(chushen).to_have_url(re.compile(rf"/expert-draw/{pk}$"))
    ui.ask(chushen, "button#btn-draw")
    ui.confirm(chushen, "抽取", "抽取后不能撤销", request_no)
    expect(chushen.locator(".alert-success")).to_contain_text("抽取完成，结果已记录")
    names = [n for (n,) in stack.query(
        "gps", "select e.name from drawn_expert d join expert e on e.id = d.expert_id "
               f"where d.request_id = {pk} and d.role = '正选' order by d.position")]
    assert len(names) == 4
    for drawn in names:
        expect(chushen.locator("body")).to_contain_text(drawn)

    # The applicant opens the same page: the count, no name, until the 评审时间.
    page.goto(stack.url("gps") + f"/expert-draw/{pk}")
    expect(page.locator("body")).to_contain_text(SEALED)
    text = page.locator("body").inner_text()
    for drawn in names:
        assert drawn not in text
    expect(page.locator("button#btn-draw")).to_have_count(0)


# --- 平顶山市: 【组建评委会】 for a lot whose experts arrived ------------------------------

COMMITTEE_PLAN = "410400-2026-96201"
EXPERTS = ["刘建国", "陈秀兰", "杨志强", "黄丽华", "周明"]


def _lot_with_experts(db_url, redis_url) -> tuple[int, str]:
    """An accepted project on 平顶山市 whose lot 1 received experts.drawn
    (4 正选, 1 备选) through the real inbox: what the release on GPS leaves
    (tested end to end in test_expert_draw_flow)."""
    from app.extensions import db
    from app.models import Lot
    from tests.acceptance_helpers import accepted_project
    from tests.conftest import make_app
    from tests.test_committee import deliver

    app = make_app("pds", db_url, redis_url)
    try:
        _daili, pk, code = accepted_project(app, COMMITTEE_PLAN)
        with app.app_context():
            lot = db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq).first()
            lot_id, lot_code = lot.id, lot.code
        experts = [{"key": f"B{i}", "name": name, "speciality": "A0201 计算机设备",
                    "work_unit": f"平顶山学院{i}系", "role": "正选" if i < 5 else "备选",
                    "position": i if i < 5 else 1, "attendance": "参加" if i < 5 else "待通知"}
                   for i, name in enumerate(EXPERTS, 1)]
        answer, _ = deliver(app, {
            "request_no": "ZJ2026-9201", "project_code": code, "lot_code": lot_code,
            "review_at": (dt.datetime.now() - dt.timedelta(minutes=1)).isoformat(
                timespec="seconds"),
            "review_place": "平顶山市公共资源交易中心第三评标室", "experts": experts})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return lot_id, lot_code
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def pds_site(browser, templates, databases, redis_url, tmp_path):
    url = databases.clone(templates["pds"], "e2e_committee_pds")
    lot = _lot_with_experts(url, redis_url)
    stack = Stack({"pds": url}, redis_url, tmp_path)
    stack.start_site("pds")
    yield stack, lot
    stack.stop_all()


def test_the_agency_forms_the_committee_in_the_browser(pds_site, sign_in):
    from tests.filings import pdf_bytes

    stack, (lot_id, lot_code) = pds_site
    page = sign_in(stack, "pds", "daili")
    ui.open_menu(page, "项目管理", "组建评委会")
    page.locator("table tr", has_text=lot_code).locator(
        f"a[href*='/committee/show/{lot_id}']").first.click()
    expect(page).to_have_url(re.compile(rf"/committee/show/{lot_id}$"))
    members = page.locator("#members")
    for name in EXPERTS[:4]:
        expect(members).to_contain_text(name)
    expect(page.locator("#reserves")).to_contain_text(EXPERTS[4])
    expect(page.locator("#composition .refusal").first).to_be_visible()

    # 【录入业主专家】 (采购人代表): 姓名, 工作单位 and the 授权书 PDF chosen as a file.
    rep = page.locator("#owner-rep")
    rep.locator("input[name=name]").fill("王代表")
    rep.locator("input[name=work_unit]").fill("平顶山市教育局")
    rep.locator("input[name=authorization]").set_input_files(files=[{
        "name": "授权书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    rep.get_by_role("button", name="录入业主专家").click()
    # It asks first, saying what the committee becomes (4 seated + 1).
    ui.confirm(page, "录入业主专家", "录入后评委会在册成员为 5 人")
    expect(page.locator(".alert-success")).to_contain_text("已添加采购人代表王代表")
    expect(page.locator("tr.member", has_text="王代表")).to_contain_text("采购人代表")
    expect(page.locator("tr.member", has_text="王代表").get_by_role(
        "link", name="授权书")).to_be_visible()

    # 【设为评审组长】 on the first expert: the committee is lawful.
    page.locator("tr.member", has_text=EXPERTS[0]).get_by_role(
        "button", name="设为评审组长").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text(f"已将{EXPERTS[0]}设为评审组长")
    expect(page.locator("tr.member", has_text=EXPERTS[0])).to_contain_text("组长")
    expect(page.locator("#committee-valid")).to_have_text("评委会组成符合规定，可以开始评标")
    rows = stack.query("pds", "select name, source, state, is_chair from committee_member "
                              f"where lot_id = {lot_id} order by id")
    assert [r[0] for r in rows if r[2] == "在册"] == EXPERTS[:4] + ["王代表"]
    assert [r[0] for r in rows if r[3]] == [EXPERTS[0]]
