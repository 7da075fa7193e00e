"""标段推送 end to end over real HTTP: a plan GPS pushed to 平顶山市 is accepted
there by daili with two lots, approved by keshi, and GPS lists both lots
under the project; a later lot change follows."""
import re

from tests.e2e.stack import wait_for
from tests.e2e.test_plan_push import file_plan, received

VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')


def _lots_on_gps(stack, project_code):
    return stack.query("gps", "select l.code, l.name, l.budget from lot_replica l "
                              f"where l.project_code = '{project_code}' order by l.seq")


def test_accepted_project_lots_reach_gps(stack):
    [[agency]] = stack.query("gps", "select id from organisation "
                                    "where name = '河南中原招标代理有限公司'")
    plan_id, plan_no = file_plan(stack, "标段推送端到端项目", agency=agency)
    wait_for(lambda: received(stack, "pds", plan_no), 20, what="plan on 平顶山市")

    daili = stack.browser("pds", "daili")
    chooser = daili.http.get(stack.url("pds") + "/acceptance/plans?q=" + plan_no).text
    assert plan_no in chooser  # 选择计划 offers it
    taken = daili.post(f"/acceptance/plans/{plan_no}", {})
    assert "请完善开标地点等受理信息" in taken.text
    project_id, project_code = stack.query(
        "pds", f"select id, project_code from trading_project where plan_no = '{plan_no}'")[0]
    form = {"open_place": "平顶山市公共资源交易中心第三开标室", "contact": "赵代理",
            "phone": "0375-7654321", "encrypted": "y"}
    assert daili.post(f"/acceptance/edit/{project_id}", form).status_code == 200
    for name, budget in (("第一包 服务器", "1200000.00"), ("第二包 存储", "800000.00")):
        added = daili.post("/lots/add", {"project": str(project_id), "name": name,
                                         "budget": budget, "content": "详见招标文件"})
        assert added.status_code == 200 and name in added.text
    submitted = daili.post("/acceptance/action_post", {"action": "submit",
                                                       "rowid": str(project_id)})
    assert "等待中心业务科室审核" in submitted.text

    keshi = stack.browser("pds", "keshi")
    assert f"/acceptance/review/{project_id}" in keshi.http.get(stack.url("pds") + "/todo/").text
    review = keshi.http.get(stack.url("pds") + f"/acceptance/review/{project_id}").text
    approved = keshi.post(f"/acceptance/review/{project_id}", {
        "result": "通过", "opinion": "同意受理", "version": VERSION.search(review).group(1)})
    assert "当前状态：受理通过" in approved.text

    wait_for(lambda: len(_lots_on_gps(stack, project_code)) == 2, 30,
             what=lambda: "lots on GPS; 平顶山市 outbox: " + str(stack.query(
                 "pds", "select type, state, attempts, last_status, last_error "
                        "from outbox_message")) + "; GPS refusals: " + str(stack.query(
                 "gps", "select status, reason from security_event")))
    assert [(c, n) for c, n, _ in _lots_on_gps(stack, project_code)] == [
        (f"{project_code}001", "第一包 服务器"), (f"{project_code}002", "第二包 存储")]
    # The unit sees them on GPS, over its REST API, under the project.
    jingban = stack.api("gps", "jingban")
    shown = jingban.get(stack.url("gps") + f"/api/v1/trading_project/code/{project_code}").json()
    assert shown["result"]["plan_no"] == plan_no
    assert shown["result"]["stage"] == "受理通过"
    assert [lot["name"] for lot in shown["result"]["lots"]] == ["第一包 服务器", "第二包 存储"]

    lot_id = stack.query("pds", f"select id from lot where code = '{project_code}002'")[0][0]
    changed = daili.post(f"/lots/edit/{lot_id}", {"name": "第二包 存储（调整）",
                                                  "budget": "700000.00", "content": "调整"})
    assert changed.status_code == 200
    wait_for(lambda: _lots_on_gps(stack, project_code)[1][1] == "第二包 存储（调整）", 30,
             what="lot update on GPS")

    # 更正立项信息 after 受理通过: keshi corrects it with a reason; the real
    # sync worker takes it to GPS, which shows it on the project.
    page = keshi.http.get(stack.url("pds") + f"/acceptance/correct/{project_id}").text
    corrected = keshi.post(f"/acceptance/correct/{project_id}", {
        "encrypted": "y", "remote_opening": "y", "reason": "改为不见面开标",
        "version": VERSION.search(page).group(1)})
    assert "立项信息已更正" in corrected.text
    wait_for(lambda: stack.query("gps", "select remote_opening from project_replica "
                                        f"where project_code = '{project_code}'") == [[1]],
             30, what="立项信息 correction on GPS")
    shown = stack.browser("gps", "jingban").http.get(
        stack.url("gps") + f"/trading-projects/show/{project_code}").text
    assert "是否为不见面开标项目：否 → 是" in shown and "改为不见面开标" in shown
