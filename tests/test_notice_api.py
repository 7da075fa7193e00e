"""REST for notices (/api/v1/notice/): the validator report as data, and
【发布】 refused with it (422) before anything is sent; scope and roles."""
from tests.helpers import api_token, bearer, logged_in
from tests.notice_helpers import (announcement_fields, draft_id, notice_messages, notice_row,
                                  plan_of, push_lots, start_draft, submit)


def _draft(app, client, plan_id, code, **fields):
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    submit(client, notice_id, fields, action="save")
    return notice_id


def test_check_lists_every_missing_field_and_publish_refuses_with_it(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    notice_id = _draft(gps, logged_in(gps, "jingban"), plan_id, code,
                       title="只有标题的公告")
    api = gps.test_client()
    headers = bearer(api_token(api, "jingban"))
    check = api.get(f"/api/v1/notice/{notice_id}/check", headers=headers)
    assert check.status_code == 200
    fields = {problem["field"] for problem in check.json["problems"]}
    assert {"doc_start", "doc_end", "bid_deadline", "open_time", "doc_place",
            f"lot:{code}001:requirement_html"} <= fields
    assert all(problem["message"] for problem in check.json["problems"])

    refused = api.post(f"/api/v1/notice/{notice_id}/publish", headers=headers)
    assert refused.status_code == 422
    assert refused.json["message"]["problems"] == check.json["problems"]
    assert notice_row(gps, notice_id).state == "草稿" and notice_messages(gps) == []


def test_publish_over_rest_sends_the_notice(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    notice_id = _draft(gps, logged_in(gps, "jingban"), plan_id, code)
    client = logged_in(gps, "jingban")
    submit(client, notice_id, announcement_fields(), action="save",
           lots={f"{code}001": {"requirement_html": "<p>设备</p>"}})
    api = gps.test_client()
    headers = bearer(api_token(api, "daili"))
    assert api.get(f"/api/v1/notice/{notice_id}/check", headers=headers).json["problems"] == []
    published = api.post(f"/api/v1/notice/{notice_id}/publish", headers=headers)
    assert published.status_code == 200 and published.json["state"] == "已发布"
    assert len(notice_messages(gps)) == 1
    again = api.post(f"/api/v1/notice/{notice_id}/publish", headers=headers)
    assert again.status_code == 409 and "已发布" in again.json["message"]
    listed = api.get("/api/v1/notice/", headers=headers).json
    assert [row["notice_key"] for row in listed["result"]] == [
        notice_row(gps, notice_id).notice_key]
    assert listed["result"][0]["sync_state"] == "待推送"


def test_other_organisations_and_readers_cannot_publish(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    notice_id = _draft(gps, logged_in(gps, "jingban"), plan_id, code)
    api = gps.test_client()
    other = bearer(api_token(api, "jingban2"))
    assert api.get(f"/api/v1/notice/{notice_id}", headers=other).status_code == 404
    assert api.get(f"/api/v1/notice/{notice_id}/check", headers=other).status_code == 404
    assert api.post(f"/api/v1/notice/{notice_id}/publish", headers=other).status_code == 404
    assert api.get("/api/v1/notice/", headers=other).json["count"] == 0
    reader = bearer(api_token(api, "jianguan"))  # 监管处 of the region: reads only,
    # and a draft is the unit's own until it is published (test_notice_drafts).
    assert api.get(f"/api/v1/notice/{notice_id}", headers=reader).status_code == 404
    assert api.post(f"/api/v1/notice/{notice_id}/publish", headers=reader).status_code == 403
    assert notice_row(gps, notice_id).state == "草稿"
