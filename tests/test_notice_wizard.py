"""【信息发布】→【采购公告发布】→【项目向导】 on GPS: waiting for lots, 【起草公告】
with lot selection, the validator report, the statutory rules, publication."""
import datetime as dt
import json

import pytest

from tests.helpers import form_token, logged_in
from tests.notice_helpers import (announcement_fields, at, award, draft_id, notice_messages,
                                  notice_row, plan_of, push_lots, result_fields, start_draft,
                                  submit)

TODAY = dt.date.today()


@pytest.fixture
def plan_id(gps):
    return plan_of(gps)


def test_the_list_offers_the_wizard_for_the_users_own_filed_plans(gps, plan_id):
    page = logged_in(gps, "jingban").get("/notice-publish/list/").get_data(as_text=True)
    assert "采购公告发布" in page and "项目向导" in page
    assert "平顶山市教育局多媒体教室设备采购" in page
    assert "方城县人民医院" not in page  # another unit's plans
    other = logged_in(gps, "jingban2").get(f"/notice-publish/wizard/{plan_id}")
    assert other.status_code == 404


def test_before_the_lots_arrive_the_wizard_waits_and_nothing_can_be_drafted(gps, plan_id):
    client = logged_in(gps, "jingban")
    page = client.get(f"/notice-publish/wizard/{plan_id}").get_data(as_text=True)
    assert "请等待交易中心推送标段" in page and 'id="btn-draft"' not in page
    for stage in ("计划备案", "标段推送", "采购公告", "变更公告", "专家抽取", "结果公告", "结果更正", "合同"):
        assert f'data-stage="{stage}"' in page
    refused = start_draft(client, plan_id, lots=["anything"])
    assert refused.status_code == 302 and refused.headers["Location"].endswith(
        f"/notice-publish/wizard/{plan_id}")
    assert "请等待交易中心推送标段" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert notice_row_count(gps) == 0

    push_lots(gps, plan_id)
    page = client.get(f"/notice-publish/wizard/{plan_id}").get_data(as_text=True)
    assert "请等待交易中心推送标段" not in page and "起草公告" in page
    assert "已推送 2 个标段" in page


def notice_row_count(app) -> int:
    from app.extensions import db
    from app.models import Notice

    with app.app_context():
        return db.session.query(Notice).count()


def test_the_chosen_lots_limit_the_notice(gps, plan_id):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "daili")  # the entrusted agency drafts too
    step_one = client.get(f"/notice-publish/wizard/{plan_id}/draft?type=采购公告")
    assert f"{code}001" in step_one.get_data(as_text=True)
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}002"]))
    form = client.get(f"/notice-publish/notice/{notice_id}/edit").get_data(as_text=True)
    assert f'data-lot="{code}002"' in form and f'data-lot="{code}001"' not in form
    # Pre-filled from the plan and the lot.
    assert "平顶山市教育局" in form and "第2标段采购内容" in form

    published = submit(client, notice_id, announcement_fields(),
                       lots={f"{code}002": {"max_price": "590000", "requirement_html":
                                            "<p>交互式一体机20台</p><script>alert(1)</script>"}})
    assert published.status_code == 302, published.get_data(as_text=True)[-2000:]
    notice = notice_row(gps, notice_id)
    assert notice.state == "已发布" and notice.sync_state == "待推送"
    [(entity, target, body)] = notice_messages(gps)
    payload = json.loads(body)["payload"]
    assert target == notice.platform_code and entity == f"notice:{notice.notice_key}"
    assert [lot["code"] for lot in payload["lots"]] == [f"{code}002"]
    assert "第2标段" in payload["body_html"] and "第1标段" not in payload["body_html"]
    assert "<script>" not in payload["body_html"] and "交互式一体机20台" in payload["body_html"]
    # Lot 1 may still get its own 采购公告; lot 2 may not get a second one.
    again = client.get(f"/notice-publish/wizard/{plan_id}/draft?type=采购公告")
    assert f"{code}001" in again.get_data(as_text=True)
    refused = start_draft(client, plan_id, lots=[f"{code}002"])
    assert refused.status_code == 200 and "只能选择列出的标段" in refused.get_data(as_text=True)


def test_a_notice_missing_fields_is_refused_naming_every_one_and_nothing_is_sent(gps, plan_id):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001", f"{code}002"]))
    fields = {k: v for k, v in announcement_fields().items()
              if k not in ("doc_place", "bid_deadline", "qualification_html")}
    refused = submit(client, notice_id, {**fields, "purchaser_phone": ""},
                     lots={f"{code}001": {"requirement_html": ""}})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "validation-report" in page
    for label in ("获取采购文件地点：必填", "提交投标文件截止时间：必填", "申请人的资格要求：必填",
                  "采购人联系方式：必填", f"标段“{code}001 第1标段”采购需求：必填"):
        assert label in page, label
    assert "未向交易平台发送任何内容" in page
    assert notice_row(gps, notice_id).state == "草稿" and notice_messages(gps) == []


def test_bad_formats_change_nothing(gps, plan_id):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    before = notice_row(gps, notice_id).title
    response = submit(client, notice_id, {**announcement_fields(), "doc_start": "明天"},
                      action="save", lots={f"{code}001": {"max_price": "12.345"}})
    page = response.get_data(as_text=True)
    assert "未作任何保存" in page and "金额最多保留两位小数" in page
    assert notice_row(gps, notice_id).title == before


def test_documents_obtainable_for_fewer_than_5_working_days_is_refused_with_the_dates(gps,
                                                                                     plan_id):
    from tests.workcal import add_workdays

    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    fields = announcement_fields()
    start = dt.datetime.strptime(fields["doc_start"], "%Y-%m-%dT%H:%M").date()
    short = add_workdays(start, 3)  # the 4th working day, the first counted
    page = submit(client, notice_id, {**fields, "doc_end": at(short, 17)},
                  lots={f"{code}001": {"requirement_html": "<p>设备</p>"}}).get_data(as_text=True)
    assert "不得少于5个工作日" in page and "还差 1 个工作日" in page
    assert f"获取截止最早为 {add_workdays(start, 4)}" in page
    assert notice_row(gps, notice_id).state == "草稿"
    # Exactly 5 working days: published.
    ok = submit(client, notice_id, {**fields, "doc_end": at(add_workdays(start, 4), 17)},
                lots={f"{code}001": {"requirement_html": "<p>设备</p>"}})
    assert ok.status_code == 302 and notice_row(gps, notice_id).state == "已发布"


def test_bid_deadline_one_day_short_of_20_days_is_refused(gps, plan_id):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    fields = announcement_fields()
    start = dt.datetime.strptime(fields["doc_start"], "%Y-%m-%dT%H:%M").date()
    day = start + dt.timedelta(days=19)
    page = submit(client, notice_id, {**fields, "bid_deadline": at(day, 9, 30),
                                      "open_time": at(day, 9, 30)},
                  lots={f"{code}001": {"requirement_html": "<p>设备</p>"}}).get_data(as_text=True)
    assert "公开招标不得少于20日" in page and "还差 1 日" in page
    assert f"投标截止最早为 {start + dt.timedelta(days=20)}" in page
    assert notice_messages(gps) == []


def _published_announcement(app, plan_id, code, days_ago, deadline_in):
    """A 采购公告 published `days_ago` with its bid deadline `deadline_in`
    days from today (through app/notices.py, as on that day)."""
    from app import notices
    from app.extensions import db
    from app.models import OrgUser, Plan, ProjectReplica

    published_on = TODAY - dt.timedelta(days=days_ago)
    deadline = dt.datetime.combine(TODAY + dt.timedelta(days=deadline_in), dt.time(9, 30))
    with app.test_request_context():
        from flask import g

        user = g.user = db.session.query(OrgUser).filter_by(username="jingban").one()
        plan = db.session.get(Plan, plan_id)
        project = db.session.get(ProjectReplica, code)
        notice = notices.start_draft(plan, project, "采购公告", [f"{code}001", f"{code}002"],
                                     user)
        values = {k: v for k, v in announcement_fields(published_on).items()}
        for key in ("doc_start", "doc_end", "bid_deadline", "open_time"):
            values[key] = dt.datetime.strptime(values[key], "%Y-%m-%dT%H:%M")
        values["doc_start"] = dt.datetime.combine(published_on, dt.time(9))
        values["bid_deadline"] = values["open_time"] = deadline
        values["doc_price"] = 0
        notices.save_draft(notice, values, {lot.lot_code: {"requirement_html": "<p>设备</p>"}
                                            for lot in notice.lots}, user)
        now = dt.datetime.combine(published_on, dt.time(8))
        assert notices.publish(notice, user, now=now) == []
        db.session.commit()
        return notice.id


def _change_draft(gps, plan_id, days_ago, deadline_in):
    """jingban's draft 变更公告 (更正事项 文件) of lot 1 of a 采购公告 published
    `days_ago`, its deadline `deadline_in` days away: (client, draft id, form)."""
    code = push_lots(gps, plan_id)
    original = _published_announcement(gps, plan_id, code, days_ago=days_ago,
                                       deadline_in=deadline_in)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, kind="变更公告",
                                     lots=[f"{code}001"], original=original))
    fields = {k: v for k, v in announcement_fields().items()
              if k.startswith(("purchaser", "agency", "project"))}
    return client, notice_id, {**fields, "title": "变更公告", "change_items": ["文件"],
                               "change_html": "<p>技术参数第3项修改为……</p>"}


def test_a_change_to_the_documents_within_15_days_is_refused_until_postponed(gps, plan_id):
    client, notice_id, change = _change_draft(gps, plan_id, days_ago=10, deadline_in=14)
    page = submit(client, notice_id, change).get_data(as_text=True)
    earliest = dt.datetime.combine(TODAY + dt.timedelta(days=15), dt.time(9, 30))
    assert "至少 15 日前发布" in page and "仅相隔 14 日，还差 1 日" in page
    assert f"最早为 {earliest:%Y-%m-%d %H:%M}" in page and 'id="btn-postpone"' in page
    assert notice_row(gps, notice_id).state == "草稿"

    # 顺延: the deadline and opening move to the earliest lawful time, on a
    # working day (the documents' 20 days from TODAY-10 end sooner).
    proposal = _first_workday(gps, earliest)
    postponed = submit(client, notice_id, change, action="postpone")
    assert postponed.status_code == 302
    form = client.get(postponed.headers["Location"]).get_data(as_text=True)
    assert f'value="{proposal:%Y-%m-%dT%H:%M}"' in form  # what the user now sees
    notice = notice_row(gps, notice_id)
    assert notice.bid_deadline == proposal and notice.open_time == proposal
    assert notice.change_items == ["文件", "时间"]
    page = submit(client, notice_id, {**change, "change_items": ["文件", "时间"],
                                      "bid_deadline": at(proposal.date(), 9, 30),
                                      "open_time": at(proposal.date(), 9, 30)})
    assert page.status_code == 302, page.get_data(as_text=True)[-3000:]
    assert notice_row(gps, notice_id).state == "已发布"


def _first_workday(app, when: dt.datetime) -> dt.datetime:
    from app import holidays

    with app.app_context():
        cal = holidays.current()
        while not cal.is_workday(when.date()):
            when += dt.timedelta(days=1)
    return when


def test_postponing_keeps_the_bid_period_from_the_documents_first_day(gps, plan_id):
    """A 公开招标 whose documents were issued 2 days ago: 15 days from today
    for the change are not enough, the 20 from the documents' first day are
    (the walk found 顺延 offering a date the next check refused, a Sunday)."""
    client, notice_id, change = _change_draft(gps, plan_id, days_ago=2, deadline_in=19)
    change.update(change_items=["文件", "时间"],
                  bid_deadline=at(TODAY + dt.timedelta(days=10), 9, 30),
                  open_time=at(TODAY + dt.timedelta(days=10), 9, 30))
    assert 'id="btn-postpone"' in submit(client, notice_id, change).get_data(as_text=True)
    postponed = submit(client, notice_id, change, action="postpone")
    assert postponed.status_code == 302
    proposal = _first_workday(gps, dt.datetime.combine(TODAY + dt.timedelta(days=18),
                                                       dt.time(9, 30)))
    notice = notice_row(gps, notice_id)
    assert notice.bid_deadline == proposal and notice.open_time == proposal
    page = submit(client, notice_id, {**change, "bid_deadline": at(proposal.date(), 9, 30),
                                      "open_time": at(proposal.date(), 9, 30)})
    assert page.status_code == 302, page.get_data(as_text=True)[-3000:]
    assert notice_row(gps, notice_id).state == "已发布"


def test_a_change_exactly_15_days_before_the_deadline_is_lawful(gps, plan_id):
    client, notice_id, change = _change_draft(gps, plan_id, days_ago=10, deadline_in=15)
    response = submit(client, notice_id, change)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def test_a_late_result_notice_is_warned_and_needs_its_reason(gps, plan_id):
    from tests.workcal import add_workdays, workdays_between

    code = push_lots(gps, plan_id)
    _published_announcement(gps, plan_id, code, days_ago=30, deadline_in=-5)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, kind="结果公告", lots=[f"{code}001"]))
    # Confirmed 3 working days ago: one working day late (if today is one).
    confirmed = add_workdays(TODAY, -3)
    page = submit(client, notice_id, result_fields(confirmed), lots=award(code))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "逾期发布原因" in text
    assert f"截至 {add_workdays(confirmed, 2)}" in text and "请填写逾期原因" in text
    ok = submit(client, notice_id, {**result_fields(confirmed), "late_reason": "供应商资格复核"},
                lots=award(code))
    assert ok.status_code == 302 and notice_row(gps, notice_id).state == "已发布"
    assert workdays_between(confirmed, TODAY) >= 2
    from app.extensions import db
    from app.models import AuditLog

    with gps.app_context():
        detail = db.session.query(AuditLog.detail).filter_by(action="发布结果公告").scalar()
    assert "供应商资格复核" in detail and "逾期" in detail


def test_a_result_notice_within_2_working_days_needs_no_reason(gps, plan_id):
    from tests.workcal import add_workdays

    code = push_lots(gps, plan_id)
    _published_announcement(gps, plan_id, code, days_ago=30, deadline_in=-5)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, kind="结果公告", lots=[f"{code}001"]))
    # Two working days back: today is the last day (on a day off, the next
    # working day is).
    confirmed = add_workdays(TODAY, -2)
    ok = submit(client, notice_id, result_fields(confirmed), lots=award(code))
    assert ok.status_code == 302, ok.get_data(as_text=True)[-3000:]
    closed = submit(client, notice_id, {}, action="save")
    assert closed.status_code == 302  # published: the form is closed


def test_a_result_before_the_bids_close_is_refused(gps, plan_id):
    code = push_lots(gps, plan_id)
    _published_announcement(gps, plan_id, code, days_ago=25, deadline_in=1)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, kind="结果公告", lots=[f"{code}001"]))
    page = submit(client, notice_id, result_fields(TODAY), lots=award(code)).get_data(as_text=True)
    assert f"{code}001 的投标截止时间" in page and "未到，不能发布结果公告" in page
    assert notice_row(gps, notice_id).state == "草稿" and len(notice_messages(gps)) == 1


def test_an_award_above_the_lot_budget_is_refused(gps, plan_id):
    code = push_lots(gps, plan_id)
    _published_announcement(gps, plan_id, code, days_ago=30, deadline_in=-5)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, kind="结果公告", lots=[f"{code}001"]))
    lots = award(code)
    lots[f"{code}001"]["award_amount"] = "900000.01"
    page = submit(client, notice_id, result_fields(TODAY), lots=lots).get_data(as_text=True)
    assert "超过标段预算 900,000.00 元" in page


def test_a_published_notice_is_not_editable_and_a_draft_can_be_deleted(gps, plan_id):
    code = push_lots(gps, plan_id)
    original = _published_announcement(gps, plan_id, code, days_ago=1, deadline_in=20)
    client = logged_in(gps, "jingban")
    response = client.get(f"/notice-publish/notice/{original}/edit")
    assert response.status_code == 302 and f"/notice-publish/notice/{original}" in \
        response.headers["Location"]
    refused = client.post(f"/notice-publish/notice/{original}/delete",
                          data={"csrf_token": form_token(client)}, follow_redirects=True)
    assert "已发布，不能修改" in refused.get_data(as_text=True)
    assert notice_row(gps, original).state == "已发布"


@pytest.mark.parametrize("user, wizard, draft", [
    ("jingban", 200, 302),    # 采购单位经办岗 of the unit
    ("daili", 200, 302),      # the entrusted agency
    ("shenhe", 200, 403),     # 单位内部审核岗: follows, does not publish
    ("jianguan", 200, 403),   # 监管处 of the region: follows
    ("jingban2", 404, 404),   # another unit
    ("chushen2", 404, 403),   # a regulator of another region
    ("shenhe2", 404, 403),    # a reviewer of another unit
])
def test_who_may_follow_and_who_may_publish(gps, plan_id, user, wizard, draft):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, user)
    assert client.get(f"/notice-publish/wizard/{plan_id}").status_code == wizard
    response = start_draft(client, plan_id, lots=[f"{code}001"])
    if draft == 403:  # FAB answers a missing permission with a redirect to login
        assert response.status_code in (302, 403) and "/notice-publish/notice/" not in \
            response.headers.get("Location", "")
    else:
        assert response.status_code == draft
    if draft != 302:
        assert notice_row_count(gps) == 0


def test_anonymous_users_are_sent_to_log_in(gps, plan_id):
    response = gps.test_client().get(f"/notice-publish/wizard/{plan_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_ocds_export_downloads_the_published_notices_in_scope_only(gps, plan_id):
    code = push_lots(gps, plan_id)
    _published_announcement(gps, plan_id, code, days_ago=1, deadline_in=20)
    client = logged_in(gps, "jingban")
    response = client.get(f"/notice-publish/wizard/{plan_id}/ocds")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    package = response.get_json()
    assert [release["tag"] for release in package["releases"]] == [["planning"], ["tender"]]
    assert {lot["id"] for lot in package["releases"][1]["tender"]["lots"]} == {
        f"{code}001", f"{code}002"}
    assert logged_in(gps, "jingban2").get(f"/notice-publish/wizard/{plan_id}/ocds") \
        .status_code == 404


def test_the_notice_states_the_budget_of_the_chosen_lots(gps, plan_id):
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}002"]))
    preview = client.get(f"/notice-publish/notice/{notice_id}/preview").get_data(as_text=True)
    assert "预算金额：600,000.00 元（本公告涉及 1 个标段）" in preview
    assert "第1标段" not in preview
