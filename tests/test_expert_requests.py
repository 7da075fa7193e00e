"""【专家管理】→【专家抽取申请】 through the pages a user clicks: 【新增】,
“选择项目” → 【确定】, 标段, 专家需求, 回避单位, 【保存】/【提交】, and the
region's 监管初审岗 in 【待办任务】 (通过/退回). The 评审时间 is always dated
from the `today` fixture (pytest --today), never from the real date."""
import datetime as dt
import re

import pytest
import time_machine

from tests.expert_request_helpers import (approval_records, count_requests, form_data,
                                          newest_request, post_form, pushed_project,
                                          request_row, review, review_at, seed_specialities,
                                          submit_from_list)
from tests.helpers import api_token, bearer, in_english, logged_in

ERRORS_RE = re.compile(r'class="form-error" data-field="([^"]+)">([^<]*)<')


@pytest.fixture(scope="module")
def site(gps_module):
    seed_specialities(gps_module)
    return gps_module


@pytest.fixture(autouse=True)
def _lots_left_free(site):
    """The module's tests share a site, and a lot is drawn for by one
    application only (expert_requests.lot_taken): what a test submitted or
    approved is returned afterwards, so that the next may submit for it."""
    yield
    from sqlalchemy import text

    from app.extensions import db

    with site.app_context():
        db.session.execute(text("UPDATE expert_request SET state = '已退回' "
                                "WHERE state IN ('待监管初审', '已通过')"))
        db.session.commit()


@pytest.fixture(scope="module")
def projects(site):
    return {"jingban": pushed_project(site, "jingban"),
            "jingban2": pushed_project(site, "jingban2")}


def lot(code, seq=1):
    return f"{code}{seq:03d}"


def save_interconnected(client, code, today, action="save", **overrides):
    url = f"/expert-requests/add?project={code}"
    return post_form(client, url, form_data(today, project_code=code, lot_code=lot(code),
                                            **overrides), action)


def typed(**overrides):
    """A project typed by hand (not interconnected)."""
    return {"project_code": "", "project_name": "平顶山市教育局教学楼维修工程监理服务",
            "project_no": "PDS-2026-SG-017", "procurement_method": "竞争性磋商",
            "budget": "380000.00", **overrides}


def errors_of(response) -> dict:
    return dict(ERRORS_RE.findall(response.get_data(as_text=True)))


# --- 新增: 选择项目 → 确定 → 标段 → 保存 → 提交 ------------------------------

def test_interconnected_project_choose_confirm_lots_save_submit(site, projects, today):
    code = projects["jingban"]
    jingban = logged_in(site, "jingban")
    listing = jingban.get("/expert-requests/list/").get_data(as_text=True)
    assert "新增" in listing and "/expert-requests/add" in listing
    add = jingban.get("/expert-requests/add").get_data(as_text=True)
    assert "选择项目" in add and "/expert-requests/choose-project" in add

    chooser = jingban.get("/expert-requests/choose-project").get_data(as_text=True)
    assert code in chooser and "确定" in chooser
    assert projects["jingban2"] not in chooser  # another unit's project is not offered
    assert 'action="/expert-requests/add"' in chooser  # 【确定】 goes back to the form
    found = jingban.get("/expert-requests/choose-project?q=多媒体").get_data(as_text=True)
    assert code in found
    assert code not in jingban.get("/expert-requests/choose-project?q=没有这个项目").get_data(
        as_text=True)

    form = jingban.get(f"/expert-requests/add?project={code}").get_data(as_text=True)
    assert "平顶山市教育局多媒体教室设备采购" in form  # 项目名称
    assert f'value="{code}"' in form  # 项目编号
    assert lot(code, 1) in form and lot(code, 2) in form  # the project's 标段
    assert 'id="recusal-purchaser"' in form and "自动回避，不可删除" in form

    before = count_requests(site)
    response = save_interconnected(jingban, code, today)
    assert response.status_code == 302, errors_of(response)
    pk = newest_request(site)
    assert count_requests(site) == before + 1
    row = request_row(site, pk)
    assert row["state"] == "草稿" and row["project_code"] == code
    assert row["lot_code"] == lot(code) and row["unit"] == "平顶山市教育局"
    assert row["region_code"] == "410400" and row["agency_id"] is not None
    assert re.fullmatch(rf"ZJ{today.year}-\d{{4}}", row["request_no"])
    assert row["needs"] == [("A0201", 5, 2)]
    assert row["recusals"] == [("采购人", "平顶山市教育局"), ("投标人", "河南甲科技有限公司")]

    show = jingban.get(f"/expert-requests/show/{pk}").get_data(as_text=True)
    assert "A0201 计算机设备" in show and "河南甲科技有限公司" in show
    assert "/expert-draw/" not in show  # 抽取 only once approved
    assert "平顶山市公共资源交易" in show and ">410400<" not in show  # 推送交易平台, by name

    page = submit_from_list(jingban, pk).get_data(as_text=True)
    assert "已提交，等待监管初审岗审核" in page
    assert request_row(site, pk)["state"] == "待监管初审"


def test_the_review_time_field_is_bounded_like_every_date_field(site):
    """Without min/max the browser's own field takes a six-digit year: typing
    2026, 12, 01 … ran on into “202612” (found by the chromium walk)."""
    jingban = logged_in(site, "jingban")
    add = jingban.get("/expert-requests/add").get_data(as_text=True)
    [field] = re.findall(r'<input[^>]*name="review_at"[^>]*>', add)
    assert 'type="datetime-local"' in field
    assert 'min="2000-01-01T00:00"' in field and 'max="2099-12-31T23:59"' in field


def test_submit_from_the_form_and_edit_refused_while_under_review(site, projects, today):
    jingban = logged_in(site, "jingban")
    response = save_interconnected(jingban, projects["jingban"], today, action="submit")
    assert response.status_code == 302
    pk = newest_request(site)
    assert request_row(site, pk)["state"] == "待监管初审"
    edit = jingban.get(f"/expert-requests/edit/{pk}")
    assert edit.status_code == 302 and f"/expert-requests/show/{pk}" in edit.headers["Location"]
    changed = jingban.post(f"/expert-requests/edit/{pk}", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                jingban.get("/resetmypassword/form").get_data(as_text=True)
                                ).group(1),
        "action": "保存", **form_data(today, review_place="被改的地点")})
    assert changed.status_code == 302
    assert "被改的地点" not in jingban.get(f"/expert-requests/show/{pk}").get_data(as_text=True)


def test_a_project_typed_by_hand_is_kept_and_not_pushed(site, today):
    jingban = logged_in(site, "jingban")
    response = post_form(jingban, "/expert-requests/add", {**form_data(today), **typed()})
    assert response.status_code == 302, errors_of(response)
    pk = newest_request(site)
    row = request_row(site, pk)
    assert row["project_code"] is None and row["lot_code"] is None
    assert row["unit"] == "平顶山市教育局" and row["agency_id"] is None
    assert row["recusals"][0] == ("采购人", "平顶山市教育局")
    show = jingban.get(f"/expert-requests/show/{pk}").get_data(as_text=True)
    assert "未选择项目（手工填写，不推送）" in show


def test_an_agency_typing_a_project_names_the_purchaser(site, today):
    daili = logged_in(site, "daili")
    form = daili.get("/expert-requests/add").get_data(as_text=True)
    assert 'name="purchaser_unit_id"' in form
    before = count_requests(site)
    refused = post_form(daili, "/expert-requests/add", {**form_data(today), **typed()})
    assert refused.status_code == 200
    assert errors_of(refused)["purchaser_unit_id"] == "代理机构手工填写项目时，请选择采购单位"
    assert count_requests(site) == before
    from app.extensions import db
    from app.models import Organisation

    with site.app_context():
        unit_id = db.session.query(Organisation.id).filter_by(name="平顶山市教育局").scalar()
    saved = post_form(daili, "/expert-requests/add",
                      {**form_data(today), **typed(purchaser_unit_id=str(unit_id))})
    assert saved.status_code == 302, errors_of(saved)
    pk = newest_request(site)
    row = request_row(site, pk)
    assert row["unit"] == "平顶山市教育局" and row["agency_id"] is not None
    # The unit sees what its agency filed for it; another unit does not.
    assert logged_in(site, "jingban").get(f"/expert-requests/show/{pk}").status_code == 200
    assert logged_in(site, "jingban2").get(f"/expert-requests/show/{pk}").status_code == 404


def test_an_agency_chooses_a_project_entrusted_to_it(site, projects, today):
    daili = logged_in(site, "daili")
    chooser = daili.get("/expert-requests/choose-project").get_data(as_text=True)
    assert projects["jingban"] in chooser and projects["jingban2"] not in chooser
    response = save_interconnected(daili, projects["jingban"], today)
    assert response.status_code == 302, errors_of(response)
    assert request_row(site, newest_request(site))["unit"] == "平顶山市教育局"


def test_another_units_project_cannot_be_chosen(site, projects, today):
    jingban = logged_in(site, "jingban")
    other = projects["jingban2"]
    chosen = jingban.get(f"/expert-requests/add?project={other}")
    assert chosen.status_code == 302 and "choose-project" in chosen.headers["Location"]
    before = count_requests(site)
    response = post_form(jingban, "/expert-requests/add",
                         form_data(today, project_code=other, lot_code=lot(other)))
    assert response.status_code == 200
    assert "不在您的可见范围内" in errors_of(response)["project_code"]
    assert count_requests(site) == before


# --- refusals: in Chinese, nothing saved, never a 500 ---------------------------

REFUSALS = [
    ({"review_at": "2020-01-01T09:00"}, "review_at", "须晚于当前时间"),
    ({"review_at": "明天上午"}, "review_at", "请填写有效的评审时间"),
    ({"review_at": ""}, "review_at", "请填写评审时间"),
    ({"review_place": ""}, "review_place", "请填写评审地点"),
    ({"review_place": "地" * 201}, "review_place", "不能超过200个字"),
    ({"review_place": "第5评标室\x07"}, "review_place", "控制字符或文字方向符"),
    ({"review_place": "第\u202e5评标室"}, "review_place", "控制字符或文字方向符"),
    ({"recusal_name": ["河南\x1b[31m某公司", ""], "recusal_code": ["91410400MA0000004N", ""]},
     "recusals", "控制字符或文字方向符"),
    ({"duration_hours": "半天"}, "duration_hours", "预计评审时长须为0.5至99.9"),
    ({"duration_hours": "0"}, "duration_hours", "预计评审时长须为0.5至99.9"),
    ({"duration_hours": "1.25"}, "duration_hours", "最多一位小数"),
    ({"need_speciality": [""], "need_count": [""], "need_reserve": [""]}, "needs",
     "请至少填写一行专家需求"),
    ({"need_count": ["0"]}, "needs", "人数须为1至99之间的整数"),
    ({"need_count": ["五"]}, "needs", "人数须为1至99之间的整数"),
    ({"need_reserve": ["-1"]}, "needs", "备选人数须为0至99之间的整数"),
    ({"need_speciality": ["Z9999"]}, "needs", "评审专业“Z9999”不存在"),
    ({"need_speciality": ["A0201", "A0201"], "need_count": ["3", "2"],
      "need_reserve": ["1", "1"]}, "needs", "重复"),
    ({"need_speciality": ["A0201", ""], "need_count": ["", "3"]}, "needs", "请填写人数"),
    ({"need_count": ["2"]}, "needs", "财政部令第87号）第四十七条"),  # 公开招标: ≥ 4 experts
    ({"lot_code": ""}, "lot_code", "请选择标段"),
    ({"lot_code": "JY-NOT-A-LOT"}, "lot_code", "不属于项目"),
    ({"recusal_kind": ["采购人", "其他"]}, "recusals", "类型只能是“投标人”或“其他”"),
    ({"recusal_code": ["91410400MA0000004X", ""]}, "recusals", "统一社会信用代码"),
    ({"recusal_name": ["", ""], "recusal_code": ["91410400MA00000040", ""]}, "recusals",
     "请填写单位名称"),
    ({"expert_region_code": "999999"}, "expert_region_code", "请从列表中选择专家抽取地区"),
]


@pytest.mark.parametrize("overrides,field,message", REFUSALS,
                         ids=[f"{r[1]}-{i}" for i, r in enumerate(REFUSALS)])
def test_refusals_say_why_in_chinese_and_save_nothing(site, projects, today, overrides,
                                                      field, message):
    code = projects["jingban"]
    jingban = logged_in(site, "jingban")
    before = count_requests(site)
    data = form_data(today, project_code=code, lot_code=lot(code))
    data.update(overrides)
    response = post_form(jingban, f"/expert-requests/add?project={code}", data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors and message in errors[field], errors
    assert "申请未保存" in response.get_data(as_text=True)
    assert count_requests(site) == before


TYPED_REFUSALS = [
    ({"project_name": ""}, "project_name", "请填写项目名称，或点击“选择项目”"),
    ({"project_no": ""}, "project_no", "请填写项目编号"),
    ({"project_no": "号" * 33}, "project_no", "不能超过32个字"),
    ({"procurement_method": "抓阄"}, "procurement_method", "请选择采购方式"),
    ({"budget": "三十万"}, "budget", "预算金额"),
    ({"budget": "-5"}, "budget", "预算金额"),
]


@pytest.mark.parametrize("overrides,field,message", TYPED_REFUSALS)
def test_typed_project_refusals(site, today, overrides, field, message):
    jingban = logged_in(site, "jingban")
    before = count_requests(site)
    response = post_form(jingban, "/expert-requests/add",
                         {**form_data(today), **typed(**overrides)})
    assert response.status_code == 200
    assert message in errors_of(response).get(field, ""), errors_of(response)
    assert count_requests(site) == before


JUNK = ["", " ", "0", "-1", "1e309", "NaN", "99999999999999999999", "<script>x</script>",
        "' OR 1=1 --", "\x00", "字" * 600, "2026-02-30T25:61", "[]", "{}"]
FIELDS = ["project_code", "project_name", "project_no", "lot_code", "lot_name",
          "procurement_method", "budget", "purchaser_unit_id", "review_at", "review_place",
          "duration_hours", "remote_review", "expert_region_code", "need_speciality",
          "need_count", "need_reserve", "recusal_name", "recusal_code", "recusal_kind",
          "version"]


@pytest.mark.parametrize("field", FIELDS)
def test_junk_in_any_field_is_never_a_500(site, projects, today, field):
    code = projects["jingban"]
    client = logged_in(site, "jingban")
    for junk in JUNK:
        data = form_data(today, project_code=code, lot_code=lot(code))
        data[field] = junk
        before = count_requests(site)
        response = post_form(client, f"/expert-requests/add?project={code}", data)
        # 303: a NUL, refused before any query (app/errors.refuse_nul) with
        # a message; PostgreSQL cannot even compare such text.
        assert response.status_code in (200, 302, 303), (field, junk)
        if response.status_code != 302:
            assert count_requests(site) == before, (field, junk)
        chosen = client.get(f"/expert-requests/choose-project?q={junk[:50]}&page={junk[:20]}")
        assert chosen.status_code == (303 if "\x00" in junk else 200), junk
        if "\x00" in junk:
            assert "提交的内容含有空字符" in client.get("/").get_data(as_text=True)


def test_more_rows_keeps_what_was_typed_and_saves_nothing(site, today):
    jingban = logged_in(site, "jingban")
    before = count_requests(site)
    response = post_form(jingban, "/expert-requests/add",
                         {**form_data(today), **typed()}, action="rows")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and count_requests(site) == before
    assert page.count('class="need-row"') >= 10 and "河南甲科技有限公司" in page


def test_the_purchaser_is_always_a_recusal_and_cannot_be_removed(site, projects, today):
    jingban = logged_in(site, "jingban")
    code = projects["jingban"]
    # Naming the purchaser again (as 其他) does not double it; no row removes it.
    response = save_interconnected(jingban, code, today,
                                   recusal_name=["平顶山市教育局", "河南乙公司"],
                                   recusal_kind=["其他", "投标人"])
    assert response.status_code == 302
    pk = newest_request(site)
    assert request_row(site, pk)["recusals"] == [("采购人", "平顶山市教育局"),
                                                 ("投标人", "河南乙公司")]
    edit = jingban.get(f"/expert-requests/edit/{pk}").get_data(as_text=True)
    assert 'id="recusal-purchaser"' in edit
    assert 'value="平顶山市教育局"' not in edit  # not an editable row
    again = post_form(jingban, f"/expert-requests/edit/{pk}",
                      form_data(today, project_code=code, lot_code=lot(code, 2),
                                recusal_name=["", ""]))
    assert again.status_code == 302, errors_of(again)
    row = request_row(site, pk)
    assert row["recusals"] == [("采购人", "平顶山市教育局")] and row["lot_code"] == lot(code, 2)


# --- the chain -------------------------------------------------------------------

@pytest.fixture
def submitted(site, projects, today):
    jingban = logged_in(site, "jingban")
    assert save_interconnected(jingban, projects["jingban"], today, action="submit"
                               ).status_code == 302
    pk = newest_request(site)
    assert request_row(site, pk)["state"] == "待监管初审"
    return pk


def test_the_regions_first_reviewer_approves_and_the_draw_is_linked(site, submitted):
    pk = submitted
    chushen = logged_in(site, "chushen")
    todo = chushen.get("/todo/").get_data(as_text=True)
    assert "专家抽取申请" in todo and f"/expert-requests/review/{pk}" in todo
    page = review(chushen, pk, "通过", "同意").get_data(as_text=True)
    assert "当前状态：已通过" in page
    row = request_row(site, pk)
    assert row["state"] == "已通过" and row["approved_at"] is not None
    assert approval_records(site, pk) == [("申请人提交", "提交", None, "采购单位经办岗"),
                                          ("监管初审", "通过", "同意", "监管初审岗")]
    show = logged_in(site, "jingban").get(f"/expert-requests/show/{pk}").get_data(as_text=True)
    assert f'href="/expert-draw/{pk}"' in show and "抽取" in show
    assert show.count('class="timeline-step"') == 2
    assert f"/expert-requests/review/{pk}" not in chushen.get("/todo/").get_data(as_text=True)


def test_return_needs_an_opinion_and_goes_back_to_the_applicant(site, submitted, today):
    pk = submitted
    chushen = logged_in(site, "chushen")
    page = review(chushen, pk, "退回", "").get_data(as_text=True)
    assert "退回时必须填写审批意见" in page and request_row(site, pk)["state"] == "待监管初审"
    review(chushen, pk, "退回", "评审地点请写明具体评标室")
    row = request_row(site, pk)
    assert row["state"] == "已退回" and row["last_opinion"] == "评审地点请写明具体评标室"
    jingban = logged_in(site, "jingban")
    todo = jingban.get("/todo/").get_data(as_text=True)
    assert "评审地点请写明具体评标室" in todo and f"/expert-requests/edit/{pk}" in todo
    edit = jingban.get(f"/expert-requests/edit/{pk}").get_data(as_text=True)
    assert "评审地点请写明具体评标室" in edit
    code = row["project_code"]
    response = post_form(jingban, f"/expert-requests/edit/{pk}",
                         form_data(today, project_code=code, lot_code=lot(code),
                                   review_place="平顶山市公共资源交易中心第5评标室"),
                         action="submit")
    assert response.status_code == 302
    assert request_row(site, pk)["state"] == "待监管初审"
    assert [r[:2] for r in approval_records(site, pk)] == [
        ("申请人提交", "提交"), ("监管初审", "退回"), ("申请人重新提交", "提交")]


@pytest.mark.parametrize("username,seen,reviews", [
    ("chushen_b", 200, True),   # another 监管初审岗 of the same 财政局
    ("sheng", 200, False),      # the province sees its regions, the city reviews
    ("chushen2", 404, False),   # 方城县: another region
    ("fuhe", 403, False),       # 监管复核岗 reads, does not review this chain
    ("jingban", 403, False),
])
def test_who_may_review(site, submitted, username, seen, reviews):
    client = logged_in(site, username)
    page = client.get(f"/expert-requests/review/{submitted}")
    assert page.status_code == seen
    in_todo = f"/expert-requests/review/{submitted}" in client.get("/todo/").get_data(
        as_text=True)
    assert in_todo == reviews
    if seen == 200 and reviews:
        review(client, submitted, "通过", "同意")
        assert request_row(site, submitted)["state"] == "已通过"
    elif seen == 200:
        assert "该事项当前不在您的待办环节" in page.get_data(as_text=True)
        from tests.helpers import form_token

        refused = client.post(f"/expert-requests/review/{submitted}", data={
            "csrf_token": form_token(client), "result": "通过", "opinion": "同意"},
            follow_redirects=True).get_data(as_text=True)
        assert "本级监管部门办理" in refused
        assert request_row(site, submitted)["state"] == "待监管初审"


def test_submit_is_refused_once_the_review_time_has_passed(site, projects, today):
    jingban = logged_in(site, "jingban")
    save_interconnected(jingban, projects["jingban"], today,
                        review_at=review_at(today, days=1))
    pk = newest_request(site)
    later = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(10))
    with time_machine.travel(later, tick=False):
        page = submit_from_list(jingban, pk).get_data(as_text=True)
    assert "须晚于当前时间" in page and request_row(site, pk)["state"] == "草稿"


def test_a_draft_may_be_deleted_a_submitted_one_not(site, projects, today, submitted):
    from tests.helpers import form_token

    jingban = logged_in(site, "jingban")
    save_interconnected(jingban, projects["jingban"], today)
    draft = newest_request(site)
    before = count_requests(site)
    jingban.post(f"/expert-requests/delete/{submitted}",
                 data={"csrf_token": form_token(jingban)})
    assert count_requests(site) == before
    jingban.post(f"/expert-requests/delete/{draft}", data={"csrf_token": form_token(jingban)})
    assert count_requests(site) == before - 1


# --- who may open what ----------------------------------------------------------

GPS_USERS = ["admin", "jingban", "shenhe", "jingban2", "daili", "chushen", "fuhe",
             "jianguan", "shenhe2", "chushen2", "fuhe2", "chushen_b", "sheng"]
READERS = {"admin", "jingban", "jingban2", "daili", "chushen", "fuhe", "jianguan",
           "chushen2", "fuhe2", "chushen_b", "sheng"}
FILERS = {"jingban", "jingban2", "daili"}
# jingban's interconnected request: its unit, its agency, 平顶山市财政局 and the province.
SEES_PDS = {"admin", "jingban", "daili", "chushen", "fuhe", "jianguan", "chushen_b", "sheng"}


@pytest.fixture(scope="module")
def pds_request(site, projects):
    today = dt.date.today()
    client = logged_in(site, "jingban")
    assert save_interconnected(client, projects["jingban"], today).status_code == 302
    return newest_request(site)


def _expected(username, allowed_set, hidden=404):
    if username in allowed_set:
        return 200
    return hidden if username in READERS else 403


@pytest.mark.parametrize("username", GPS_USERS)
def test_role_by_url_matrix(site, pds_request, username):
    client = logged_in(site, username)
    pk = pds_request
    assert client.get("/expert-requests/list/").status_code == (
        200 if username in READERS else 403)
    add = client.get("/expert-requests/add").status_code
    if username in FILERS:
        assert add == 200
    elif username == "admin":
        assert add == 302  # no organisation to apply for: sent back with the reason
    else:
        assert add == 403
    assert client.get("/expert-requests/choose-project").status_code == (
        200 if username in FILERS | {"admin"} else 403)
    assert client.get(f"/expert-requests/show/{pk}").status_code == _expected(username,
                                                                               SEES_PDS)
    edit = client.get(f"/expert-requests/edit/{pk}").status_code
    if username in FILERS | {"admin"}:
        assert edit == (200 if username in SEES_PDS - {"admin"} else
                        302 if username == "admin" else 404)
    else:
        assert edit == 403
    listing = client.get("/expert-requests/list/").get_data(as_text=True)
    if username in READERS:
        assert (f"/expert-requests/show/{pk}" in listing) == (username in SEES_PDS)


@pytest.mark.parametrize("username", GPS_USERS)
def test_rest_is_scoped(site, pds_request, username):
    client = site.test_client()
    token = api_token(client, username)
    listing = client.get("/api/v1/expert_request/", headers=bearer(token))
    one = client.get(f"/api/v1/expert_request/{pds_request}", headers=bearer(token))
    if username not in READERS:
        assert listing.status_code == 403 and one.status_code == 403
        return
    assert listing.status_code == 200
    ids = {row for row in listing.json["ids"]}
    assert (pds_request in ids) == (username in SEES_PDS)
    assert one.status_code == (200 if username in SEES_PDS else 404)
    if one.status_code == 200:
        assert one.json["result"]["recusal_units"][0]["kind"] == "采购人"
    assert client.post("/api/v1/expert_request/", json={},
                       headers=bearer(token)).status_code in (404, 405)


def test_irreversible_steps_ask(site, submitted, pds_request):
    """提交 on the form and in the list, 审核 and 删除 ask in the one dialog;
    保存 and 增加行 are harmless (docs/confirmations.md)."""
    from tests.test_confirmations import check, forms_on

    for user, path, offered in [
            ("jingban", "/expert-requests/add", r"提交$"),
            ("jingban", f"/expert-requests/edit/{pds_request}", r"提交$"),
            ("jingban", "/expert-requests/list/", r"^submit$|/delete/"),
            ("chushen", f"/expert-requests/review/{submitted}", r"/review/")]:
        client = logged_in(site, user)
        assert check(client, path) == []
        assert forms_on(client, path, offered), f"{path} offers no {offered}"


def test_the_agency_submits_what_it_filed_and_its_role_is_recorded(site, projects, today):
    daili = logged_in(site, "daili")
    assert save_interconnected(daili, projects["jingban"], today).status_code == 302
    pk = newest_request(site)
    # Another unit's clerk cannot even see it; the agency submits it.
    assert logged_in(site, "jingban2").get(f"/expert-requests/edit/{pk}").status_code == 404
    assert "已提交，等待监管初审岗审核" in submit_from_list(daili, pk).get_data(as_text=True)
    assert approval_records(site, pk) == [("申请人提交", "提交", None, "代理机构")]
    # Returned, it waits in the agency's own 【待办任务】 (it had none on GPS).
    review(logged_in(site, "chushen"), pk, "退回", "请补充回避单位")
    todo = daili.get("/todo/")
    assert todo.status_code == 200 and f"/expert-requests/edit/{pk}" in todo.get_data(as_text=True)


def test_a_chosen_project_can_be_switched_to_typing_by_hand(site, projects, today):
    jingban = logged_in(site, "jingban")
    save_interconnected(jingban, projects["jingban"], today)
    pk = newest_request(site)
    form = jingban.get(f"/expert-requests/edit/{pk}?manual=1").get_data(as_text=True)
    assert 'name="procurement_method"' in form and 'name="lot_code"' not in form
    saved = post_form(jingban, f"/expert-requests/edit/{pk}", {**form_data(today), **typed()})
    assert saved.status_code == 302, errors_of(saved)
    row = request_row(site, pk)
    assert row["project_code"] is None and row["lot_code"] is None
    # and back: 选择项目 on the edit page returns to it with the project
    chooser = jingban.get(f"/expert-requests/choose-project?pk={pk}").get_data(as_text=True)
    assert f'action="/expert-requests/edit/{pk}"' in chooser
    assert jingban.get("/expert-requests/choose-project?pk=abc").status_code == 404


# --- the rules, pure ----------------------------------------------------------------

@pytest.mark.parametrize("method,budget,complex_,fewest", [
    ("公开招标", "1500000", False, 4),
    ("邀请招标", "9999999.99", False, 4),
    ("公开招标", "10000000", False, 5),   # ≥ 1000万元: a committee of 7
    ("公开招标", "100000", True, 5),      # technically complex or of wide impact
    ("竞争性谈判", "50000000", False, 2),
    ("竞争性磋商", None, False, 2),
    ("询价", "80000", False, 2),
])
def test_fewest_experts_by_method(method, budget, complex_, fewest):
    from app.rules.expert_needs import expert_count_error, minimum_experts

    assert minimum_experts(method, budget, complex_)[0] == fewest
    assert expert_count_error(method, budget, fewest, complex_) is None
    message = expert_count_error(method, budget, fewest - 1, complex_)
    assert f"即至少{fewest}名专家" in message and "财政部令第" in message


@pytest.mark.parametrize("method", ["单一来源", "框架协议采购", "抓阄", ""])
def test_no_committee_size_for_other_methods(method):
    from app.rules.expert_needs import expert_count_error

    assert expert_count_error(method, "1", 1) is None


def test_review_time_must_lie_ahead():
    from app.rules.expert_needs import review_time_error

    now = dt.datetime(2026, 12, 24, 9, 30)
    assert review_time_error(now + dt.timedelta(minutes=1), now) is None
    assert "须晚于当前时间（2026-12-24 09:30）" in review_time_error(now, now)
    assert review_time_error(None, now) == "请填写评审时间"
    assert review_time_error(dt.datetime(2099, 12, 31, 23, 59), now) is None
    assert "须在2099年12月31日以前" in review_time_error(dt.datetime(2100, 1, 5, 9, 30), now)


def test_an_agency_acts_only_for_units_that_entrusted_it(site, today):
    """Another region's hospital never entrusted daili with a plan: not offered,
    and a tampered form is refused with nothing saved."""
    from app.extensions import db
    from app.models import Organisation

    with site.app_context():
        stranger = db.session.query(Organisation.id).filter_by(name="方城县人民医院").scalar()
    daili = logged_in(site, "daili")
    assert "方城县人民医院" not in daili.get("/expert-requests/add").get_data(as_text=True)
    before = count_requests(site)
    refused = post_form(daili, "/expert-requests/add",
                        {**form_data(today), **typed(purchaser_unit_id=str(stranger))})
    assert errors_of(refused)["purchaser_unit_id"] == "代理机构手工填写项目时，请选择采购单位"
    assert count_requests(site) == before


@pytest.mark.parametrize("junk", ["²", "9" * 5000, "٣"])
def test_digits_that_are_not_ascii_are_refused_not_a_500(site, projects, today, junk):
    jingban = logged_in(site, "jingban")
    before = count_requests(site)
    page = save_interconnected(jingban, projects["jingban"], today, need_count=[junk, ""])
    assert page.status_code == 200 and "人数须为" in page.get_data(as_text=True)
    assert count_requests(site) == before


def test_approval_is_refused_once_the_review_time_has_passed(site, submitted, today):
    later = dt.datetime.combine(today + dt.timedelta(days=30), dt.time(10))
    with time_machine.travel(later, tick=False):
        page = review(logged_in(site, "chushen"), submitted, "通过", "同意")
        assert "已过，不能审核通过" in page.get_data(as_text=True)
    assert request_row(site, submitted)["state"] == "待监管初审"


def test_approval_is_refused_when_the_library_cannot_serve_it(site, submitted):
    """已通过 is final: approved with too few eligible experts, it could be
    neither drawn for nor returned (a browser walk's stuck application)."""
    from app.extensions import db
    from app.models import Expert

    def set_state(ids, state):
        with site.app_context():
            db.session.query(Expert).filter(Expert.id.in_(ids)).update(
                {"state": state, "changed_by_fk": Expert.changed_by_fk})
            db.session.commit()

    with site.app_context():
        serving = [pk for (pk,) in db.session.query(Expert.id).filter_by(state="正常")]
    set_state(serving, "暂停")
    try:
        page = review(logged_in(site, "chushen"), submitted, "通过", "同意").get_data(as_text=True)
    finally:
        set_state(serving, "正常")  # the site is the module's
    assert "符合条件的专家只有 0 人，不能审核通过；请退回申请人调整专家需求" in page
    assert request_row(site, submitted)["state"] == "待监管初审"


def test_the_approval_record_and_recusal_kinds_read_in_english(site, submitted):
    """The record's 角色 and the 回避单位's 类型 are stored in Chinese."""
    review(logged_in(site, "chushen"), submitted, "通过", "同意")
    with in_english(logged_in(site, "jingban")) as client:
        page = client.get(f"/expert-requests/show/{submitted}").get_data(as_text=True)
    assert "Regulator's first reviewer" in page and "Purchasing unit handler" in page
    kinds = re.findall(r'<tr class="recusal-row" data-kind="[^"]*">(?:<td>[^<]*</td>){2}<td>([^<]*)</td>',
                       page)
    assert "Purchaser" in kinds and "采购人" not in kinds, kinds
    for chinese in ("监管初审岗", "采购单位经办岗"):
        assert chinese not in page, chinese


def test_fabs_unused_download_route_is_not_there(site):
    assert logged_in(site, "jingban").get("/expert-requests/download/x").status_code == 404
    assert logged_in(site, "chushen").get("/experts/download/x.xlsx").status_code == 404


def test_an_edit_without_the_version_it_saw_is_refused(site, projects, today):
    """A POST without the version (an attack probe's, or a stale script's)
    overwrote another user's save: refused, as a contract's is."""
    jingban = logged_in(site, "jingban")
    assert save_interconnected(jingban, projects["jingban"], today).status_code == 302
    pk = newest_request(site)
    before = request_row(site, pk)
    code = projects["jingban"]
    refused = post_form(jingban, f"/expert-requests/edit/{pk}",
                        {**form_data(today, project_code=code, lot_code=lot(code),
                                     review_place="覆盖他人修改"), "version": ""})
    assert refused.status_code == 200 and "已被他人修改" in refused.get_data(as_text=True)
    assert request_row(site, pk) == before
