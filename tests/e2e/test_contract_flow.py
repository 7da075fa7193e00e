"""合同公告及备案 end to end over real HTTP (GPS manual §4): a project of
平顶山市 with a published 结果公告; on GPS jingban 【新增】s a contract for its
lot (关联标段 from the result), uploads the signed original and the public
version, 【保存】, 【提交】; shenhe 通过 in 【待办任务】. The 合同公告 reaches
平顶山市's 合同公告 column within seconds, with a link to the public version
only, comes back 已同步/已上网, and never appears on 方城县. The signed
original is never served to the public.

Dates: the contract is signed today, so every clock is met whatever the day."""
import datetime as dt
import re

import requests

from tests.e2e.stack import wait_for
from tests.e2e.test_notice_publish import (
    accepted_project, draft, gps_notice, listed, online, publish, web,
)
from tests.filings import pdf_bytes
from tests.notice_helpers import announcement_fields, award, result_fields

LOT = (("第一包 交互式一体机", "1000000.00", "交互式一体机 20 台，详见招标文件"),)
SHOW_PAGE = re.compile(r"/contracts/show/(\d+)$")
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
SIGNED_MARK = b"SIGNED-ORIGINAL-WITH-BANK-ACCOUNT"


def published_result(stack, jingban, name):
    """accepted_project + 采购公告 + 结果公告 for its one lot (the bids moved
    into yesterday, as test_notice_publish does)."""
    project = accepted_project(stack, name, LOT)
    [lot] = project.lots
    announcement = draft(jingban, project, "采购公告", [lot.code])
    publish(jingban, announcement, {**announcement_fields(), "title": f"{name}公开招标公告"},
            {lot.code: {"max_price": "990000.00", "requirement_html": "<p>一体机 20 台</p>"}})
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9, 30))
    stack.python("gps", "from sqlalchemy import text\n"
                        "db.session.execute(text(\"update notice set bid_deadline = :at, "
                        "open_time = :at where state = '已发布'\"), "
                        f"{{'at': '{yesterday:%Y-%m-%d %H:%M:%S}'}})\n"
                        "db.session.commit()")
    result = draft(jingban, project, "结果公告", [lot.code])
    publish(jingban, result, {**result_fields(dt.date.today()), "title": f"{name}中标结果公告"},
            award(project.code))
    online(jingban, result)
    return project, lot


def test_an_approved_contract_is_on_the_platforms_website_and_only_there(stack):
    jingban = stack.browser("gps", "jingban")
    project, lot = published_result(stack, jingban, "合同公告端到端项目")
    gps = stack.url("gps")

    # 【合同管理】→【合同公告及备案】【新增】: 选择项目 lists the project; the form
    # offers its lot from the result, with the award.
    chooser = jingban.http.get(gps + "/contracts/choose-project", timeout=10).text
    assert project.code in chooser
    form = jingban.http.get(gps + "/contracts/add", params={"project": project.code},
                            timeout=10).text
    assert f'name="lots" value="{lot.code}"' in form and "河南甲科技有限公司" in form
    assert "880,000.00" in form

    today = dt.date.today().isoformat()
    data = {"lots": [lot.code], f"part-{lot.code}": "880000.00",
            "contract_no": "PDS-HT-2026-001", "contract_name": "交互式一体机采购合同",
            "purchaser_name": "平顶山市教育局", "purchaser_address": "平顶山市新华区1号",
            "purchaser_phone": "0375-1234567", "supplier_name": "河南甲科技有限公司",
            "supplier_address": "郑州市金水区1号", "supplier_phone": "0371-7654321",
            "main_items": "交互式一体机", "spec": "86英寸，4K", "quantity": "20台",
            "unit_price": "44000.00", "amount": "880000.00", "performance_period": "签订后30日内",
            "performance_place": "平顶山市教育局", "signed_on": today, "announce_on": today,
            "other_html": "无", "action": "保存", "csrf_token": jingban.token()}
    saved = jingban.http.post(
        gps + f"/contracts/add?project={project.code}", data=data, timeout=20, files={
            "signed_file": ("合同原件.pdf", pdf_bytes() + b"%" + SIGNED_MARK, "application/pdf"),
            "redacted_file": ("合同公开版.pdf", pdf_bytes(), "application/pdf")})
    match = SHOW_PAGE.search(saved.url)
    assert match, re.findall(r'class="form-error"[^>]*>([^<]+)<', saved.text) or saved.text[-3000:]
    pk = int(match.group(1))
    assert stack.query("gps", f"select state from contract where id = {pk}") == [["草稿"]]

    submitted = jingban.post("/contracts/action_post", {"action": "submit", "rowid": str(pk)})
    assert "等待单位内部审核岗审核" in submitted.text, submitted.text[-2000:]

    shenhe = stack.browser("gps", "shenhe")
    assert f"/contracts/review/{pk}" in shenhe.http.get(gps + "/todo/", timeout=10).text
    review = shenhe.http.get(gps + f"/contracts/review/{pk}", timeout=10).text
    approved = shenhe.post(f"/contracts/review/{pk}", {
        "result": "通过", "opinion": "同意", "version": VERSION.search(review).group(1)})
    assert "当前状态：已备案" in approved.text, approved.text[-2000:]
    [[state, notice_id]] = stack.query("gps", f"select state, notice_id from contract where id = {pk}")
    assert state == "已备案" and notice_id

    # Within seconds on 平顶山市's 合同公告 column; back on GPS as 已同步 and 已上网.
    title = stack.query("gps", f"select title from notice where id = {notice_id}")[0][0]
    wait_for(lambda: listed(stack, "pds", "hetong", title), 20, what="合同公告 on /web/hetong/")
    wait_for(lambda: gps_notice(stack, notice_id)["online_at"] is not None, 20,
             what="合同公告 已上网 on GPS")
    assert gps_notice(stack, notice_id)["sync_state"] == "已同步"
    page = web(stack, "pds", gps_notice(stack, notice_id)["web_path"])
    assert title in page and "PDS-HT-2026-001" in page and "880,000.00" in page

    # The page links the public version, which GPS serves to anyone; it is the
    # redacted file, and the signed original is not reachable without a login.
    links = re.findall(r'href="(https?://[^"]+\.pdf)"', page)
    assert len(links) == 1, links
    public = requests.get(links[0], timeout=10)
    assert public.status_code == 200 and public.content == pdf_bytes()
    anonymous = requests.get(gps + f"/contracts/{pk}/signed.pdf", timeout=10,
                             allow_redirects=False)
    assert anonymous.status_code in (302, 401, 403, 404)
    assert SIGNED_MARK not in anonymous.content
    assert SIGNED_MARK not in page.encode()

    # 方城县 never shows nor holds it.
    for path in ("/web/", "/web/hetong/"):
        assert title not in web(stack, "fc", path)
    assert stack.query("fc", "select count(*) from published_notice "
                             f"where project_code = '{project.code}'") == [[0]]
