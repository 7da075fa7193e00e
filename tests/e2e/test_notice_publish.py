"""信息发布 end to end over real HTTP: a plan filed on GPS is accepted on
平顶山市 with two lots (标段推送); GPS's 经办岗 publishes a 采购公告 for lot 1
in the 【项目向导】, then a 变更公告 (new times) and a 结果公告. Each one reaches
平顶山市's public website (/web/, anonymous) within seconds, acts on the
trading site (lot 1 unlocked, a 变更公告 entry opened) and comes back to GPS
as 已同步 / 已上网 with its web address; 方城县's website never shows any of
them. A notice missing fields is refused with the validator report and sends
nothing.

What the tests assert is what a user sees (pages over HTTP); the databases are
cross-checked through the sites' own apps (stack.query)."""
import datetime as dt
import json
import re
from dataclasses import dataclass

import requests

from tests.e2e.stack import wait_for
from tests.e2e.test_plan_push import file_plan, received
from tests.notice_helpers import announcement_fields, at, award, next_workday, result_fields

AGENCY = "河南中原招标代理有限公司"
LOTS = (("第一包 服务器", "1200000.00", "服务器 10 台，详见招标文件"),
        ("第二包 存储", "800000.00", "存储阵列 2 套，详见招标文件"))
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')
WEB_LINK = re.compile(r'href="([^"]+)"[^>]*id="web-link"')
NOTICE_PAGE = re.compile(r"/notice-publish/notice/(\d+)$")
EDIT_PAGE = re.compile(r"/notice-publish/notice/(\d+)/edit$")
COLUMNS = ("caigou", "biangeng", "jieguo", "jieguo-gengzheng", "zhongzhi")


@dataclass
class Lot:
    code: str
    name: str


@dataclass
class Project:
    name: str
    plan_id: int
    plan_no: str
    code: str
    lots: list


# --- 标段推送: a project with lots on GPS, as tests/e2e/test_lot_push.py does it ---

def lots_on_gps(stack, project_code) -> list:
    return stack.query("gps", "select code, name from lot_replica "
                              f"where project_code = '{project_code}' order by seq")


def accepted_project(stack, name, lots=LOTS) -> Project:
    """A plan filed on GPS by jingban, entrusted to daili's agency, reaches
    平顶山市; daili takes it, completes it, adds `lots` and 【提交】s; keshi
    approves; project.accepted brings the lots to GPS."""
    [[agency]] = stack.query("gps", f"select id from organisation where name = '{AGENCY}'")
    plan_id, plan_no = file_plan(stack, name, agency=agency)
    wait_for(lambda: received(stack, "pds", plan_no), 20, what="plan on 平顶山市")

    daili = stack.browser("pds", "daili")
    taken = daili.post(f"/acceptance/plans/{plan_no}", {})
    assert "请完善开标地点等受理信息" in taken.text, taken.text[-2000:]
    [[project_id, code]] = stack.query(
        "pds", f"select id, project_code from trading_project where plan_no = '{plan_no}'")
    assert daili.post(f"/acceptance/edit/{project_id}", {
        "open_place": "平顶山市公共资源交易中心第三开标室", "contact": "赵代理",
        "phone": "0375-7654321", "encrypted": "y"}).status_code == 200
    for lot_name, budget, content in lots:
        added = daili.post("/lots/add", {"project": str(project_id), "name": lot_name,
                                         "budget": budget, "content": content})
        assert added.status_code == 200 and lot_name in added.text
    submitted = daili.post("/acceptance/action_post", {"action": "submit",
                                                       "rowid": str(project_id)})
    assert "等待中心业务科室审核" in submitted.text

    keshi = stack.browser("pds", "keshi")
    review = keshi.http.get(stack.url("pds") + f"/acceptance/review/{project_id}").text
    approved = keshi.post(f"/acceptance/review/{project_id}", {
        "result": "通过", "opinion": "同意受理", "version": VERSION.search(review).group(1)})
    assert "当前状态：受理通过" in approved.text

    wait_for(lambda: len(lots_on_gps(stack, code)) == len(lots), 30,
             what=lambda: "lots on GPS; 平顶山市 outbox: " + str(stack.query(
                 "pds", "select type, state, attempts, last_status, last_error "
                        "from outbox_message")))
    return Project(name, plan_id, plan_no, code,
                   [Lot(c, n) for c, n in lots_on_gps(stack, code)])


# --- what a GPS user does in the 【项目向导】, over HTTP --------------------------------

def draft(ui, project: Project, kind: str, lots: list, original: int | None = None) -> int:
    """【起草公告】 of `kind`: step one offers the lots, tick `lots`, 下一步."""
    step_one = ui.http.get(ui.base + f"/notice-publish/wizard/{project.plan_id}/draft",
                           params={"type": kind}, timeout=10).text
    for code in lots:
        assert f'id="lot-{code}"' in step_one, f"{kind}: lot {code} not offered"
    data = {"type": kind, "lots": list(lots)}
    if original is not None:
        assert f'name="original" value="{original}"' in step_one
        data["original"] = str(original)
    created = ui.post(f"/notice-publish/wizard/{project.plan_id}/draft?type={kind}", data)
    match = EDIT_PAGE.search(created.url)
    assert match, (created.url, created.text[-2000:])
    return int(match.group(1))


def form_data(fields: dict, lots: dict | None = None, action="publish") -> dict:
    """Step two's form: `fields` and lot fields {code: {column: value}}."""
    data = {**fields, "action": action}
    for code, values in (lots or {}).items():
        for column, value in values.items():
            data[f"lot-{code}-{column}"] = value
    return data


def publish(ui, notice_id: int, fields: dict, lots: dict | None = None) -> str:
    """【发布】 (the dialog is the browser's, tested in test_confirm_browser; here the form is posted):
    the notice's page says 已发布."""
    done = ui.post(f"/notice-publish/notice/{notice_id}/edit", form_data(fields, lots))
    assert NOTICE_PAGE.search(done.url), (
        "not published: " + " | ".join(re.findall(r'class="report-item"[^>]*>([^<]+)<',
                                                  done.text)) or done.text[-3000:])
    assert "公告已发布，正在同步至交易平台" in done.text
    assert "notice-published" in done.text and "已发布" in done.text
    return done.text


def online(ui, notice_id: int) -> str:
    """The notice's page once 平顶山市 has it (已同步) and reported it online
    (已上网); the address of 【在交易平台网站查看】."""
    def page():
        text = ui.http.get(ui.base + f"/notice-publish/notice/{notice_id}", timeout=10).text
        return text if "notice-synced" in text and "notice-online" in text else None

    text = wait_for(page, 20, what=f"notice {notice_id} 已同步 and 已上网 on GPS")
    assert "已同步" in text and "已上网" in text
    return WEB_LINK.search(text).group(1)


def gps_notice(stack, notice_id) -> dict:
    [row] = stack.query("gps", "select notice_key, state, sync_state, synced_at, online_at, "
                               f"web_path, version from notice where id = {notice_id}")
    return dict(zip(("key", "state", "sync_state", "synced_at", "online_at", "web_path",
                     "version"), row))


def notice_messages(stack) -> list:
    return stack.query("gps", "select entity_key, target from outbox_message "
                              "where type = 'notice.published' order by id")


# --- what anyone sees on a trading site's website (no login) -----------------------------

def web(stack, key, path="/web/", **params) -> str:
    response = requests.get(stack.url(key) + path, params=params, timeout=10)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def home_box(html: str, slug: str) -> str:
    """One column's box on /web/ (its newest notices)."""
    match = re.search(rf'<section class="box" id="col-{slug}">(.*?)</section>', html, re.DOTALL)
    assert match, slug
    return match.group(1)


def listed(stack, key, slug, title) -> bool:
    return title in web(stack, key, f"/web/{slug}/")


def lots_of(stack, code) -> dict:
    return dict(stack.query("pds", "select l.code, l.notice_received_at from lot l "
                                   "join trading_project p on p.id = l.project_id "
                                   f"where p.project_code = '{code}'"))


# --- the stories -----------------------------------------------------------------

def test_notices_reach_the_platforms_website_and_only_there(stack):
    project = accepted_project(stack, "公告发布端到端项目")
    lot1, lot2 = project.lots
    jingban = stack.browser("gps", "jingban")

    # 【采购公告发布】 lists the plan with 【项目向导】; the lots are there to choose.
    listing = jingban.http.get(stack.url("gps") + "/notice-publish/list/", timeout=10).text
    assert project.plan_no in listing and f"/notice-publish/wizard/{project.plan_id}" in listing
    wizard = jingban.http.get(stack.url("gps") + f"/notice-publish/wizard/{project.plan_id}",
                              timeout=10).text
    assert 'id="waiting-for-lots"' not in wizard and 'id="btn-draft"' in wizard
    assert "已推送 2 个标段" in wizard and lot1.name in wizard and lot2.name in wizard

    # --- 采购公告 for lot 1 only ---------------------------------------------------
    announcement = draft(jingban, project, "采购公告", [lot1.code])
    form = jingban.http.get(stack.url("gps") + f"/notice-publish/notice/{announcement}/edit",
                            timeout=10).text
    assert f'data-lot="{lot1.code}"' in form and f'data-lot="{lot2.code}"' not in form
    fields = announcement_fields()
    title = f"{project.name}公开招标公告"
    publish(jingban, announcement, {**fields, "title": title},
            {lot1.code: {"max_price": "1150000.00",
                         "requirement_html": "<p>机架式服务器 10 台</p>"}})

    # Anyone finds it on 平顶山市's website within seconds: the column, the home page, the notice.
    wait_for(lambda: listed(stack, "pds", "caigou", title), 20, what="采购公告 on /web/caigou/")
    assert title in home_box(web(stack, "pds"), "caigou")
    found = web(stack, "pds", "/web/caigou/", code=project.code)
    assert re.search(r'<strong id="total">1</strong>', found) and title in found
    key = gps_notice(stack, announcement)["key"]
    [[public_id]] = stack.query("pds", "select id from published_notice "
                                       f"where notice_key = '{key}'")
    page = web(stack, "pds", f"/web/notices/{public_id}")
    assert title in page and "栏目：采购公告" in page and f"项目编号：{project.code}" in page
    assert lot1.code in page and lot1.name in page and "机架式服务器 10 台" in page
    assert lot2.code not in page and lot2.name not in page

    # On 平顶山市: lot 1 may now plan its documents, lot 2 not; the project moved on;
    # the agency sees the notice under 【项目管理】→【项目公告】.
    received_at = lots_of(stack, project.code)
    assert received_at[lot1.code] is not None and received_at[lot2.code] is None
    assert stack.query("pds", "select stage from trading_project "
                              f"where project_code = '{project.code}'") == [["公告已发布"]]
    daili = stack.browser("pds", "daili")
    assert title in daili.http.get(stack.url("pds") + "/project-notices/list/", timeout=10).text

    # Back on GPS: 已同步, 已上网, and the link leads to the public page.
    link = online(jingban, announcement)
    state = gps_notice(stack, announcement)
    assert state["state"] == "已发布" and state["sync_state"] == "已同步"
    assert state["online_at"] and state["web_path"] == f"/web/notices/{public_id}"
    assert link == stack.url("pds") + state["web_path"]
    assert title in requests.get(link, timeout=10).text

    # --- 变更公告: new times only (no 15-day rule for a change of times) -------------
    change = draft(jingban, project, "变更公告", [lot1.code], original=announcement)
    start = next_workday(dt.date.today())
    later = start + dt.timedelta(days=30)
    contacts = {k: v for k, v in fields.items() if k.startswith(("purchaser", "agency", "project"))}
    change_title = f"{project.name}变更公告"
    publish(jingban, change, {
        **contacts, "title": change_title, "change_items": ["时间"],
        "change_html": "<p>投标截止时间和开标时间顺延</p>", "doc_end": fields["doc_end"],
        "bid_deadline": at(later, 9, 30), "open_time": at(later, 9, 30),
        "open_place": fields["open_place"]})
    wait_for(lambda: listed(stack, "pds", "biangeng", change_title), 20,
             what="变更公告 on /web/biangeng/")
    assert change_title not in web(stack, "pds", "/web/caigou/")
    change_key = gps_notice(stack, change)["key"]
    [[notice_title, lot_codes, entry_state]] = stack.query(
        "pds", "select notice_title, lot_codes, state from time_change "
               f"where notice_key = '{change_key}'")
    lot_codes = json.loads(lot_codes) if isinstance(lot_codes, str) else lot_codes
    assert (notice_title, lot_codes, entry_state) == (change_title, [lot1.code], "待调整")
    # The agency finds the entry in its 【变更公告】 column, to enter the new times.
    assert change_title in daili.http.get(stack.url("pds") + "/time-changes/list/",
                                          timeout=10).text
    online(jingban, change)
    changed_page = web(stack, "pds", gps_notice(stack, change)["web_path"])
    assert change_title in changed_page and "更正事项：时间" in changed_page
    assert f"{later:%Y年%m月%d日} 09:30" in changed_page

    # --- 结果公告 for lot 1, confirmed today -----------------------------------------
    # A result needs the bids closed: rather than wait 30 days, move the
    # deadlines in force on GPS into yesterday.
    result = draft(jingban, project, "结果公告", [lot1.code])
    result_title = f"{project.name}中标结果公告"
    lot_award = award(project.code)
    assert list(lot_award) == [lot1.code]
    refused = jingban.post(f"/notice-publish/notice/{result}/edit", form_data(
        {**result_fields(dt.date.today()), "title": result_title}, lot_award))
    assert "的投标截止时间" in refused.text and "未到，不能发布结果公告" in refused.text
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9, 30))
    stack.python("gps", "from sqlalchemy import text\n"
                        "db.session.execute(text(\"update notice set bid_deadline = :at, "
                        "open_time = :at where state = '已发布'\"), "
                        f"{{'at': '{yesterday:%Y-%m-%d %H:%M:%S}'}})\n"
                        "db.session.commit()")
    publish(jingban, result, {**result_fields(dt.date.today()), "title": result_title},
            lot_award)
    wait_for(lambda: listed(stack, "pds", "jieguo", result_title), 20,
             what="结果公告 on /web/jieguo/")
    online(jingban, result)
    result_page = web(stack, "pds", gps_notice(stack, result)["web_path"])
    assert result_title in result_page and "河南甲科技有限公司" in result_page
    assert lot1.name in result_page and lot2.name not in result_page

    # The wizard shows each stage published.
    wizard = jingban.http.get(stack.url("gps") + f"/notice-publish/wizard/{project.plan_id}",
                              timeout=10).text
    for stage in ("采购公告", "变更公告", "结果公告"):
        shown = re.search(rf'data-stage="{stage}">(.*?)</li>', wizard, re.DOTALL).group(1)
        assert "已发布 1 条" in shown, (stage, shown)

    # Every message went to 平顶山市, once each.
    keys = [gps_notice(stack, n)["key"] for n in (announcement, change, result)]
    assert notice_messages(stack) == [[f"notice:{key}", "410400"] for key in keys]

    # 方城县's website never shows any of them, nor holds them.
    titles = (title, change_title, result_title)
    for path in ("/web/", *(f"/web/{slug}/" for slug in COLUMNS)):
        shown = web(stack, "fc", path)
        assert not any(t in shown for t in titles) and project.code not in shown, path
    assert stack.query("fc", "select count(*) from published_notice "
                             f"where project_code = '{project.code}' or title like "
                             f"'{project.name}%'") == [[0]]
    assert stack.query("fc", "select count(*) from inbox_message "
                             "where entity_key like 'notice:%'") == [[0]]


def test_a_notice_missing_fields_is_refused_and_nothing_reaches_the_platform(stack):
    project = accepted_project(stack, "公告检查端到端项目")
    lot1, lot2 = project.lots
    daili = stack.browser("gps", "daili")  # the entrusted agency publishes too
    notice_id = draft(daili, project, "采购公告", [lot1.code, lot2.code])
    title = f"{project.name}公开招标公告"
    fields = {**announcement_fields(), "title": title}
    incomplete = {k: v for k, v in fields.items()
                  if k not in ("doc_place", "bid_deadline", "qualification_html")}

    refused = daili.post(f"/notice-publish/notice/{notice_id}/edit",
                         form_data({**incomplete, "purchaser_phone": ""},
                                   {lot1.code: {"requirement_html": ""},
                                    lot2.code: {"requirement_html": "<p>存储阵列 2 套</p>"}}))
    assert EDIT_PAGE.search(refused.url), refused.url
    assert 'id="validation-report"' in refused.text
    assert "未向交易平台发送任何内容" in refused.text
    assert "公告未发布：有 5 项需要修改" in refused.text
    for label in ("获取采购文件地点：必填", "提交投标文件截止时间：必填", "申请人的资格要求：必填",
                  "采购人联系方式：必填", f"标段“{lot1.code} {lot1.name}”采购需求：必填"):
        assert label in refused.text, label
    # Still a draft, and nothing on its way: no outbox row, nothing on 平顶山市.
    assert gps_notice(stack, notice_id)["state"] == "草稿"
    assert gps_notice(stack, notice_id)["sync_state"] == "未推送"
    assert notice_messages(stack) == []
    assert title not in web(stack, "pds", "/web/caigou/")
    assert stack.query("pds", "select count(*) from published_notice "
                              f"where project_code = '{project.code}'") == [[0]]
    assert all(when is None for when in lots_of(stack, project.code).values())

    # Completed, it is published; that one message is all 平顶山市 ever receives.
    publish(daili, notice_id, fields,
            {lot1.code: {"requirement_html": "<p>机架式服务器 10 台</p>"},
             lot2.code: {"requirement_html": "<p>存储阵列 2 套</p>"}})
    wait_for(lambda: listed(stack, "pds", "caigou", title), 20, what="采购公告 on /web/caigou/")
    online(daili, notice_id)
    key = gps_notice(stack, notice_id)["key"]
    assert notice_messages(stack) == [[f"notice:{key}", "410400"]]
    assert stack.query("pds", "select count(*) from inbox_message "
                              f"where entity_key = 'notice:{key}'") == [[1]]
    assert all(when is not None for when in lots_of(stack, project.code).values())
