"""项目向导 of 项目监督 end to end over real HTTP: a project of 平顶山市 with a
published 结果公告 (test_contract_flow's published_result); on 平顶山市 daili
plans its lot (招标文件规划/开评标配置), records a 质疑 and the 开标记录 on the
pages; lot.status carries each change to GPS through the real sync workers.
周监管 (监管处 of 平顶山市) opens the 项目向导 and finds every stage, the
trading side's filled in, and the platform's events in the timeline; an
agency gets 404.

Dates: the lot's plan is put in the past (bids opened yesterday), so the
opening may be recorded now, whatever the day."""
import datetime as dt
import json
import re

from tests.e2e.stack import wait_for
from tests.e2e.test_contract_flow import published_result
from tests.workcal import add_workdays

PLATFORM = "平顶山市公共资源交易中心"
STAGES = ["计划备案/推送", "进场受理", "标段推送", "采购公告", "变更公告", "招标文件/开评标配置",
          "质疑", "开标", "专家抽取", "组建评委会", "评标", "结果公告", "结果更正公告",
          "合同公告及备案", "中标结果变更备案", "终止"]
FMT = "%Y-%m-%d %H:%M:%S"


def _states(page: str) -> dict:
    return dict(re.findall(r'data-stage="([^"]+)" data-state="([^"]+)"', page))


def _replica(stack, lot_code):
    """(评委会人数, bids) of the lot as GPS holds it; None until it arrives."""
    rows = stack.query("gps", "select committee_size, bids "
                              f"from lot_status_replica where lot_code = '{lot_code}'")
    if not rows:
        return None
    size, bids = rows[0]
    # Read with plain SQL, a JSON column comes back as its text on SQLite.
    return size, json.loads(bids) if isinstance(bids, str) else bids


def test_the_guide_shows_every_stage_with_the_trading_side_filled_in(stack):
    jingban = stack.browser("gps", "jingban")
    project, lot = published_result(stack, jingban, "项目向导端到端项目")
    wait_for(lambda: stack.query("pds", "select notice_received_at from lot "
                                        f"where code = '{lot.code}'")[0][0], 30,
             what="the 采购公告 on 平顶山市")
    [[lot_id]] = stack.query("pds", f"select id from lot where code = '{lot.code}'")

    # 平顶山市, daili: 招标文件规划/开评标配置 (in the past: opened yesterday).
    today = dt.date.today()
    start = add_workdays(today - dt.timedelta(days=45), 1)
    deadline = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(9, 30))
    daili = stack.browser("pds", "daili")
    planned = daili.post(f"/lot-settings/edit/{lot_id}", {
        "doc_issue_start": dt.datetime.combine(start, dt.time(9)).strftime(FMT),
        "doc_issue_end": dt.datetime.combine(add_workdays(start, 6), dt.time(17)).strftime(FMT),
        "bid_deadline": deadline.strftime(FMT), "open_time": deadline.strftime(FMT),
        "evaluation_method": "综合评分法", "committee_size": "5"})
    assert planned.status_code == 200 and "记录已更新" in planned.text, \
        re.findall(r'class="help-block"[^>]*>([^<]+)<', planned.text) or planned.text[-2000:]
    wait_for(lambda: (_replica(stack, lot.code) or [None])[0] == 5, 30,
             what="lot.status (planning) on GPS")

    # 项目质疑, received yesterday, not yet answered.
    objection = daili.post("/objections/add", {
        "lot": str(lot_id), "objector": "某某科技有限公司", "known_on": str(today - dt.timedelta(days=2)),
        "received_on": str(today - dt.timedelta(days=1)), "content": "对评分标准提出质疑"})
    assert objection.status_code == 200 and "/objections/add" not in objection.url, \
        objection.text[-2000:]

    # 评分标准 complete, then three bids opened at the deadline.
    for category in ("价格", "技术", "商务"):
        added = daili.post("/scoring-items/add", {"lot": str(lot_id), "category": category,
                                                  "name": f"{category}分", "weight": "100"})
        assert "/scoring-items/add" not in added.url, added.text[-2000:]
    for bidder, price in (("河南甲科技有限公司", "880000.00"), ("河南乙科技有限公司", "920000.00"),
                          ("河南丙科技有限公司", "1200000.00")):
        opened = daili.post("/opening-bids/add", {"lot": str(lot_id), "bidder": bidder,
                                                  "price": price,
                                                  "opened_at": deadline.strftime(FMT)})
        assert "/opening-bids/add" not in opened.url, opened.text[-2000:]
    wait_for(lambda: len((_replica(stack, lot.code) or (None, []))[1] or []) == 3, 30,
             what="lot.status (bids) on GPS")

    # GPS, 周监管 (监管处, 平顶山市): the 项目向导.
    jianguan = stack.browser("gps", "jianguan")
    url = stack.url("gps") + f"/supervision/project/{project.plan_id}"
    page = jianguan.http.get(url, timeout=10)
    assert page.status_code == 200
    states = _states(page.text)
    assert list(states) == STAGES
    assert {name: states[name] for name in (
        "计划备案/推送", "进场受理", "标段推送", "采购公告", "招标文件/开评标配置", "质疑", "开标",
        "结果公告")} == {
        "计划备案/推送": "已完成", "进场受理": "已完成", "标段推送": "已完成", "采购公告": "已完成",
        "招标文件/开评标配置": "已完成", "质疑": "进行中", "开标": "已完成", "结果公告": "已完成"}
    assert f"投标截止 {deadline:%Y-%m-%d %H:%M}" in page.text and "评委会 5 人" in page.text
    assert "尚未答复" in page.text and "3 家投标" in page.text
    assert "河南丙科技有限公司 1,200,000.00 元（超过最高限价）" in page.text
    assert "某某科技有限公司" not in page.text  # the objector stays on the platform
    assert f"{PLATFORM}：开标记录已更新（标段" in page.text
    assert f"{PLATFORM}：项目质疑已更新（标段" in page.text
    assert f"{PLATFORM}：项目阶段变为“已开标”" in page.text

    # The same over REST; an agency gets 404 on the page and the REST paths.
    api = stack.api("gps", "jianguan")
    stages = api.get(stack.url("gps") + f"/api/v1/supervision/{project.plan_id}/stages",
                     timeout=10).json()["result"]
    assert [s["name"] for s in stages] == STAGES
    daili_gps = stack.browser("gps", "daili")
    assert daili_gps.http.get(url, timeout=10).status_code == 404
    agency_api = stack.api("gps", "daili")
    for path in ("stages", "timeline", "flags"):
        assert agency_api.get(stack.url("gps") + f"/api/v1/supervision/{project.plan_id}/{path}",
                              timeout=10).status_code == 404
