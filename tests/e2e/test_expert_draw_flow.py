"""专家抽取 end to end over real HTTP (GPS manual §3, trading manual §7): a
project of 平顶山市 whose lot GPS knows (标段推送); on GPS jingban files a
专家抽取申请 for it with a 评审时间 a few minutes ahead and 【提交】s, the
region's 监管初审岗 approves it in 【待办任务】 and 【抽取】s. Until the 评审时间
the result is sealed on every site: no experts.drawn in GPS's outbox, no
member on 平顶山市, its 【组建评委会】 page says only that the result will be
pushed. At the 评审时间 the scheduled job (or the sweeper) releases it: the
experts appear on 平顶山市 once, never on 方城县; the agency adds the
采购人代表 with a PDF 授权书, names a 评审组长, 【开始评标】 passes, and
committee.formed brings the committee back to GPS.

Times are "now + a few minutes" (the draw's timing rule allows a draw on the
review's day however the calendar falls), so the date of the run does not
matter."""
import datetime as dt
import json
import re
import time

import pytest
import redis

from tests.e2e.stack import wait_for
from tests.e2e.test_notice_publish import accepted_project
from tests.filings import pdf_bytes

# Each sleeps until its 评审时间, minutes ahead: started first (tests/conftest.py).
pytestmark = pytest.mark.waits_on_the_clock

LOT = (("第一包 评审专家端到端", "1200000.00", "服务器 10 台，详见招标文件"),)
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')
WAITING = "专家抽取结果将于评审时间由政府采购系统推送"


def speciality_with_most_experts(stack) -> str:
    """A root of the library's 评审专业 tree with the most experts of 平顶山市
    and below: the demo's library, whatever it holds today."""
    rows = stack.query("gps", """
        select s.code, count(distinct e.id) from expert_speciality s
        join expert_speciality ls on ls.path like s.path || '%'
        join expert_speciality_link l on l.speciality_code = ls.code
        join expert e on e.id = l.expert_id
        where s.parent_code is null and e.region_code like '4104%'
          and e.state = '正常' and not e.is_regulator
        group by s.code order by 2 desc, 1""")
    assert rows and rows[0][1] >= 8, f"the demo library has too few experts: {rows}"
    return rows[0][0]


def review_time(minutes=4.0) -> dt.datetime:
    """A whole minute at least `minutes` ahead (the form keeps minutes only).
    Filing, approval and the draw take well under a minute on a quiet machine
    but over two on a crowded CI one; the margin keeps the sealed checks
    before the 评审时间 there too."""
    at = dt.datetime.now() + dt.timedelta(minutes=minutes)
    return at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def file_and_approve(stack, project, review_at) -> int:
    """jingban 【新增】 for the project's lot, 4 正选 + 1 备选, 【提交】;
    chushen 通过 in 【待办任务】. The application's id."""
    lot = project.lots[0]
    speciality = speciality_with_most_experts(stack)
    jingban = stack.browser("gps", "jingban")
    form = jingban.http.get(stack.url("gps") + "/expert-requests/add",
                            params={"project": project.code}, timeout=10).text
    assert project.name in form and f'value="{lot.code}"' in form, form[-2000:]
    submitted = jingban.post("/expert-requests/add", {
        "project_code": project.code, "project_name": project.name,
        "project_no": project.code, "lot_code": lot.code,
        "review_at": review_at.strftime("%Y-%m-%dT%H:%M"),
        "review_place": "平顶山市公共资源交易中心第3评标室", "duration_hours": "2",
        "expert_region_code": "410400",
        "need_speciality": [speciality, ""], "need_count": ["4", ""], "need_reserve": ["1", ""],
        "recusal_name": [""], "recusal_code": [""], "recusal_kind": ["投标人"],
        "action": "提交"})
    assert "已提交，等待监管初审岗审核" in submitted.text, \
        re.findall(r'class="[^"]*(?:danger|error)[^"]*"[^>]*>([^<]+)<', submitted.text) \
        or submitted.text[-3000:]
    [[pk, state, lot_code]] = stack.query(
        "gps", "select id, state, lot_code from expert_request "
               f"where project_code = '{project.code}'")
    assert (state, lot_code) == ("待监管初审", lot.code)

    chushen = stack.browser("gps", "chushen")
    assert f"/expert-requests/review/{pk}" in chushen.http.get(
        stack.url("gps") + "/todo/", timeout=10).text  # 【待办任务】→【进入审批】
    page = chushen.http.get(stack.url("gps") + f"/expert-requests/review/{pk}", timeout=10).text
    match = VERSION.search(page)
    chushen.post(f"/expert-requests/review/{pk}", {
        "result": "通过", "opinion": "同意抽取", "version": match.group(1) if match else ""})
    assert stack.query("gps", f"select state from expert_request where id = {pk}") == [["已通过"]]
    return pk


def drawn_names(stack, pk, role="正选") -> list[str]:
    return [name for (name,) in stack.query(
        "gps", "select e.name from drawn_expert d join expert e on e.id = d.expert_id "
               f"where d.request_id = {pk} and d.role = '{role}' order by d.need_id, d.position")]


def draw(stack, pk) -> list[str]:
    """chushen 【抽取】 on the application's page; the 正选 names, which only
    the drawer sees now."""
    chushen = stack.browser("gps", "chushen")
    done = chushen.post(f"/expert-draw/{pk}/draw", {})
    assert "抽取完成，结果已记录" in done.text, done.text[-3000:]
    names = drawn_names(stack, pk)
    assert len(names) == 4 and len(drawn_names(stack, pk, "备选")) == 1
    for name in names:
        assert name in done.text  # the regulator who drew sees them
    return names


def pds_lot_id(stack, lot_code) -> int:
    return stack.query("pds", f"select id from lot where code = '{lot_code}'")[0][0]


def members(stack, key, lot_id) -> list:
    return stack.query(key, "select name, source, state, is_chair from committee_member "
                            f"where lot_id = {lot_id} order by id")


def applied(stack, key, request_no) -> int:
    return stack.query(key, "select count(*) from inbox_message where entity_key = "
                            f"'expert_request:{request_no}' and result = '已应用'")[0][0]


def gps_outbox(stack, request_no) -> list:
    return stack.query("gps", "select type, target, state, entity_version from outbox_message "
                              f"where entity_key = 'expert_request:{request_no}'")


def assert_sealed(stack, pk, request_no, lot_id, names):
    """Before the 评审时间: nothing carrying names has left GPS, nobody but
    the drawer sees them."""
    assert gps_outbox(stack, request_no) == []
    assert members(stack, "pds", lot_id) == []
    assert stack.query("gps", f"select release_state from expert_request where id = {pk}") \
        == [["已抽取"]]
    page = stack.browser("pds", "daili").http.get(
        stack.url("pds") + f"/committee/show/{lot_id}", timeout=10).text
    assert WAITING in page
    for name in names:
        assert name not in page
    applicant = stack.browser("gps", "jingban").http.get(
        stack.url("gps") + f"/expert-draw/{pk}", timeout=10).text
    assert "已抽取 4 人，结果将于评审时间推送" in applicant
    for name in names:
        assert name not in applicant


def wait_for_release(stack, review_at, lot_id, request_no, timeout=120):
    time.sleep(max(0.0, (review_at - dt.datetime.now()).total_seconds()))
    wait_for(lambda: len(members(stack, "pds", lot_id)) == 5, timeout,
             what=lambda: f"experts on 平顶山市; GPS outbox: {gps_outbox(stack, request_no)}; "
                          f"{stack.log_tails('worker-gps', 'cron-gps')}")


def assert_released_once(stack, pk, request_no, lot_id, names, fc_members_before):
    sitting = members(stack, "pds", lot_id)
    assert [n for n, source, state, _ in sitting if state == "在册"] == names
    assert all(source == "抽取专家" for _, source, _, _ in sitting)
    assert [row[0] for row in gps_outbox(stack, request_no)] == ["experts.drawn"]
    assert gps_outbox(stack, request_no)[0][1] == "410400"
    wait_for(lambda: applied(stack, "pds", request_no) == 1, 30, what="experts.drawn applied")
    time.sleep(2)  # a second release (job and sweeper both) would show by now
    assert applied(stack, "pds", request_no) == 1
    assert len(gps_outbox(stack, request_no)) == 1
    # 方城县 never hears of it.
    assert applied(stack, "fc", request_no) == 0
    assert stack.query("fc", "select count(*) from committee_member")[0][0] == fc_members_before
    # The agency sees them on its 【组建评委会】 page now; so does the applicant on GPS.
    page = stack.browser("pds", "daili").http.get(
        stack.url("pds") + f"/committee/show/{lot_id}", timeout=10).text
    assert WAITING not in page
    for name in names:
        assert name in page
    applicant = stack.browser("gps", "jingban").http.get(
        stack.url("gps") + f"/expert-draw/{pk}", timeout=10).text
    for name in names:
        assert name in applicant


def form_committee_and_start(stack, project, lot_id, names):
    """The agency on 平顶山市: 采购人代表 with a PDF 授权书, 评审组长, an 开标记录,
    【开始评标】."""
    daili = stack.browser("pds", "daili")
    pdf = pdf_bytes()
    added = daili.http.post(stack.url("pds") + f"/committee/add_owner_rep/{lot_id}", data={
        "csrf_token": daili.token(), "name": "王代表", "work_unit": "平顶山市教育局"},
        files={"authorization": ("授权书.pdf", pdf, "application/pdf")}, timeout=10)
    assert "已添加采购人代表王代表" in added.text, added.text[-2000:]
    [[chair_id]] = stack.query("pds", "select id from committee_member where lot_id = "
                                      f"{lot_id} and name = '{names[0]}'")
    chaired = daili.post(f"/committee/set_chair/{chair_id}", {})
    assert f"已将{names[0]}设为评审组长" in chaired.text
    assert "评委会组成符合规定，可以开始评标" in chaired.text

    # The lot's 采购公告 arrived and its 评分标准 is complete (both tested on
    # their own); the agency records the opening over HTTP.
    stack.python("pds", "import datetime as dt\nfrom decimal import Decimal\n"
                        "from app.models import Lot, ScoringItem\n"
                        f"lot = db.session.get(Lot, {lot_id})\n"
                        "lot.notice_received_at = dt.datetime.now()\n"
                        f"db.session.add(ScoringItem(lot_id={lot_id}, category='价格', "
                        "name='价格分', weight=Decimal('100')))\n"
                        "db.session.commit()")
    opened_at = (dt.datetime.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    opened = daili.post("/opening-bids/add", {"lot": str(lot_id), "bidder": "甲公司",
                                              "price": "1000000.00", "opened_at": opened_at})
    assert opened.status_code == 200
    assert stack.query("pds", f"select count(*) from opening_bid where lot_id = {lot_id}") \
        == [[1]], opened.text[-2000:]
    [[project_id]] = stack.query("pds", "select id from trading_project "
                                        f"where project_code = '{project.code}'")
    started = daili.post(f"/project-stages/start_evaluation/{project_id}", {})
    assert "已开始评标，当前阶段：评标中" in started.text, started.text[-2000:]


def committee_on_gps(stack, lot_code):
    rows = stack.query("gps", "select members, version from committee_replica "
                              f"where lot_code = '{lot_code}'")
    if not rows:
        return None
    found = rows[0][0]
    return json.loads(found) if isinstance(found, str) else found


def test_drawn_experts_are_sealed_until_the_review_then_reach_only_their_platform(stack):
    project = accepted_project(stack, "专家抽取端到端项目", lots=LOT)
    lot = project.lots[0]
    lot_id = pds_lot_id(stack, lot.code)
    fc_members_before = stack.query("fc", "select count(*) from committee_member")[0][0]

    review_at = review_time()
    pk = file_and_approve(stack, project, review_at)
    [[request_no]] = stack.query("gps", f"select request_no from expert_request where id = {pk}")
    names = draw(stack, pk)
    assert dt.datetime.now() < review_at - dt.timedelta(seconds=20), "too slow to test sealing"
    assert_sealed(stack, pk, request_no, lot_id, names)

    wait_for_release(stack, review_at, lot_id, request_no)
    assert_released_once(stack, pk, request_no, lot_id, names, fc_members_before)

    form_committee_and_start(stack, project, lot_id, names)
    committee = wait_for(lambda: (c := committee_on_gps(stack, lot.code)) and len(c) == 5 and c,
                         90, what=lambda: f"committee.formed on GPS; 平顶山市 outbox: " + str(
                             stack.query("pds", "select type, state, attempts, last_error "
                                                "from outbox_message where type = "
                                                "'committee.formed'")))
    assert sorted(m["name"] for m in committee) == sorted(names + ["王代表"])
    assert [m["name"] for m in committee if m["is_chair"]] == [names[0]]
    assert [m["name"] for m in committee if m["source"] == "采购人代表"] == ["王代表"]


def test_gps_workers_lost_and_redis_flushed_before_the_review_still_release_once(
        stack, redis_url):
    """The job scheduled for the 评审时间 is lost with Redis and GPS's worker
    and sweeper are down until after it: once they are back the sweeper
    releases, exactly once."""
    project = accepted_project(stack, "专家抽取清空Redis项目", lots=LOT)
    lot = project.lots[0]
    lot_id = pds_lot_id(stack, lot.code)
    fc_members_before = stack.query("fc", "select count(*) from committee_member")[0][0]

    review_at = review_time(3.5)
    pk = file_and_approve(stack, project, review_at)
    [[request_no]] = stack.query("gps", f"select request_no from expert_request where id = {pk}")
    names = draw(stack, pk)

    stack.stop("worker-gps", sig=9)
    stack.stop("cron-gps")
    redis.Redis.from_url(redis_url).flushall()
    assert_sealed(stack, pk, request_no, lot_id, names)

    time.sleep(max(0.0, (review_at - dt.datetime.now()).total_seconds()) + 3)
    assert members(stack, "pds", lot_id) == []  # nobody left to release it
    stack.restart_sync("gps")
    wait_for_release(stack, review_at, lot_id, request_no)
    assert_released_once(stack, pk, request_no, lot_id, names, fc_members_before)
