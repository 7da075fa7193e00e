"""Issue 13.2: the 变更公告 column against the GPS 变更公告 it came from. The
entry starts from the notice's times, the edit page and 中心业务科室's review
show them side by side, and a different time needs a reason, which the review
and the audit log show. An older message without times still opens an entry."""
import datetime as dt

import pytest

from app.rules.change_times import difference_error, differences
from tests.acceptance_helpers import accepted_project, second_agency_user
from tests.filings import VERSION_RE
from tests.helpers import csrf_token, form_token, logged_in

TIMES = {"doc_start": "2026-12-01T09:00:00", "doc_end": "2026-12-08T17:00:00",
         "bid_deadline": "2026-12-24T09:30:00", "open_time": "2026-12-24T09:30:00"}


def _publish_change(pds, code, key="GG-2026-0101", times=TIMES):
    """A 变更公告 for the project's first lot, signed and posted to the inbox
    as GPS's delivery does."""
    from app.sync import envelope, signing
    from app.sync.messages.notice import entity_key

    payload = {"notice_key": key, "notice_type": "变更公告", "title": f"{code}项目变更公告",
               "project_code": code, "plan_no": "410400-2026-96001", "region_code": "410400",
               "original_key": "GG-2026-0100", "body_html": "<p>变更内容</p>",
               "published_at": "2026-11-25T10:00:00",
               "lots": [{"code": f"{code}001", "name": "第一包", "budget": "1000000.00"}]}
    if times is not None:  # an older GPS sends no "times" key at all
        payload["times"] = times
    message_id, body = envelope.build(type="notice.published", source="gps", target="410400",
                                      entity=entity_key(key), entity_version=1,
                                      payload=payload)
    with pds.app_context():
        headers = signing.sign_headers("gps", message_id, body, "gps")
    answer = pds.test_client().post("/interop/v1/messages", data=body.encode(),
                                    headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    from app.extensions import db
    from app.models import TimeChange
    with pds.app_context():
        return db.session.query(TimeChange.id).filter_by(notice_key=key).scalar()


@pytest.fixture
def change(site_factory):
    pds = site_factory("pds")
    daili, _pk, code = accepted_project(pds, "410400-2026-96001")
    return pds, daili, code, _publish_change(pds, code)


def _row(pds, pk):
    from app.extensions import db
    from app.models import TimeChange
    with pds.app_context():
        row = db.session.get(TimeChange, pk)
        db.session.expunge(row)
        return row


def _edit(client, pk, deadline, opening, reason=""):
    token = csrf_token(client, f"/time-changes/edit/{pk}")
    return client.post(f"/time-changes/edit/{pk}", data={
        "csrf_token": token, "new_doc_issue_end": "2026-12-08 17:00:00",
        "new_bid_deadline": deadline, "new_open_time": opening,
        "deviation_reason": reason, "remark": ""}, follow_redirects=True)


def _audit(pds, action):
    from app.extensions import db
    from app.models import AuditLog
    with pds.app_context():
        return [row.detail for row in db.session.query(AuditLog).filter_by(action=action)]


def test_the_entry_starts_from_the_notice_times_and_shows_them(change):
    pds, daili, _code, pk = change
    row = _row(pds, pk)
    gps = dt.datetime(2026, 12, 24, 9, 30)
    assert (row.gps_bid_deadline, row.gps_open_time) == (gps, gps)
    assert (row.new_bid_deadline, row.new_open_time) == (gps, gps)
    assert row.new_doc_issue_end == row.gps_doc_issue_end == dt.datetime(2026, 12, 8, 17)
    page = daili.get(f"/time-changes/edit/{pk}").get_data(as_text=True)
    assert 'id="gps-times-table"' in page and "2026-12-24 09:30" in page
    assert "time-differs" not in page
    assert 'value="2026-12-24T09:30"' in page


def test_a_different_time_needs_a_reason_shown_in_review_and_audit(change):
    pds, daili, _code, pk = change
    # The case from the walk-through: 12-25 where the notice says 12-24.
    refused = _edit(daili, pk, "2026-12-25 09:30:00", "2026-12-25 09:30:00").get_data(
        as_text=True)
    # Inline, under each differing time, with what was typed kept on the form.
    assert refused.count("与政府采购系统变更公告的 2026-12-24 09:30 不一致") == 2
    assert 'value="2026-12-25T09:30"' in refused
    assert _row(pds, pk).new_bid_deadline == dt.datetime(2026, 12, 24, 9, 30)
    assert _audit(pds, "调整变更时间") == []

    saved = _edit(daili, pk, "2026-12-25 09:30:00", "2026-12-25 09:30:00",
                  reason="开标室12月24日已排满，经采购人同意顺延一日").get_data(as_text=True)
    assert "原因已记录" in saved
    row = _row(pds, pk)
    assert row.new_bid_deadline == dt.datetime(2026, 12, 25, 9, 30)
    [detail] = _audit(pds, "调整变更时间")
    assert "变更公告 2026-12-24 09:30，填写 2026-12-25 09:30" in detail
    assert "开标室12月24日已排满" in detail

    done = daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)},
        follow_redirects=True).get_data(as_text=True)
    assert "等待中心业务科室审核" in done

    keshi = logged_in(pds, "keshi")
    review = keshi.get(f"/time-changes/review/{pk}").get_data(as_text=True)
    assert 'id="gps-times-table"' in review and "time-differs" in review
    assert "2026-12-24 09:30" in review and "2026-12-25 09:30" in review
    assert "开标室12月24日已排满" in review
    result = keshi.post(f"/time-changes/review/{pk}", data={
        "csrf_token": form_token(keshi), "result": "通过", "opinion": "同意",
        "version": VERSION_RE.search(review).group(1)}, follow_redirects=True)
    assert "当前状态：已生效" in result.get_data(as_text=True)
    [applied] = _audit(pds, "变更时间生效")
    assert "开标室12月24日已排满" in applied


def test_submit_is_refused_while_a_difference_has_no_reason(change):
    pds, daili, _code, pk = change
    from app.extensions import db
    from app.models import TimeChange
    with pds.app_context():  # as an entry saved before this rule existed
        db.session.get(TimeChange, pk).new_open_time = dt.datetime(2026, 12, 24, 10, 0)
        db.session.commit()
    page = daili.post("/time-changes/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(daili)},
        follow_redirects=True).get_data(as_text=True)
    assert "开标时间：变更公告 2026-12-24 09:30，填写 2026-12-24 10:00" in page
    assert _row(pds, pk).state == "待调整"


def test_an_older_message_without_times_opens_an_entry_to_fill(site_factory):
    pds = site_factory("pds")
    daili, _pk, code = accepted_project(pds, "410400-2026-96001")
    pk = _publish_change(pds, code, key="GG-2026-0102", times=None)
    row = _row(pds, pk)
    assert (row.gps_bid_deadline, row.new_bid_deadline) == (None, None)
    page = daili.get(f"/time-changes/edit/{pk}").get_data(as_text=True)
    assert "旧版本消息" in page
    saved = _edit(daili, pk, "2026-12-28 09:30:00", "2026-12-28 09:30:00").get_data(as_text=True)
    assert "不一致" not in saved
    assert _row(pds, pk).new_bid_deadline == dt.datetime(2026, 12, 28, 9, 30)


def test_who_sees_and_edits_the_comparison(change):
    pds, _daili, _code, pk = change
    second_agency_user(pds)
    other = logged_in(pds, "daili2")
    for url in (f"/time-changes/show/{pk}", f"/time-changes/edit/{pk}"):
        assert other.get(url).status_code == 404, url
    # An agency never reviews (no can_review), its own entries or others'.
    assert other.get(f"/time-changes/review/{pk}").status_code == 403
    assert other.post(f"/time-changes/edit/{pk}", data={
        "csrf_token": form_token(other), "new_bid_deadline": "2026-12-25 09:30:00",
        "new_open_time": "2026-12-25 09:30:00", "deviation_reason": "x"}).status_code == 404
    keshi = logged_in(pds, "keshi")
    assert keshi.get(f"/time-changes/edit/{pk}").status_code == 403
    shown = keshi.get(f"/time-changes/show/{pk}").get_data(as_text=True)
    assert 'id="gps-times-table"' in shown and "2026-12-24 09:30" in shown
    assert _row(pds, pk).new_bid_deadline == dt.datetime(2026, 12, 24, 9, 30)


@pytest.mark.parametrize("entered, reason, refused", [
    (dt.datetime(2026, 12, 24, 9, 30), "", False),
    (dt.datetime(2026, 12, 24, 9, 30, 59), "", False),  # to the minute, as shown
    (dt.datetime(2026, 12, 25, 9, 30), "", True),
    (dt.datetime(2026, 12, 25, 9, 30), "   ", True),
    (dt.datetime(2026, 12, 25, 9, 30), "场地原因", False),
    (None, "", True),
])
def test_the_rule(entered, reason, refused):
    gps = {"bid_deadline": dt.datetime(2026, 12, 24, 9, 30)}
    found = differences(gps, {"bid_deadline": entered})
    assert (difference_error(found, reason) is not None) is refused
    # A time the notice does not state is never a difference.
    assert differences({}, {"bid_deadline": entered}) == []
