"""Dates and times in every form on both sites: one native widget
(app/views/common/widgets.py) that reads what people and browsers type, keeps
times to the minute, says in Chinese what is wrong, and changes nothing then.
The browser side is tests/e2e/test_date_fields_browser.py."""
import datetime as dt
import json
import re

import pytest

from app.views.common.widgets import (
    INVALID_DATE,
    INVALID_DATETIME,
    DateTimeMinuteField,
    DayField,
    parse_date,
    parse_datetime,
)
from tests.acceptance_helpers import accepted_project
from tests.helpers import csrf_token, logged_in

WHEN = dt.datetime(2026, 12, 24, 9, 30)


@pytest.mark.parametrize("text", [
    "2026-12-24T09:30",        # what datetime-local sends
    "2026-12-24 09:30",
    "2026-12-24 09:30:00",     # what people type, and FAB's old format
    "2026-12-24T09:30:00",
    " 2026-12-24 09:30:59 ",   # seconds are dropped: times are kept to the minute
    "2026-12-24 9:30",
])
def test_a_datetime_is_read_as_written(text):
    assert parse_datetime(text) == WHEN


@pytest.mark.parametrize("text", [
    "", "2026-12-24", "09:30", "2026-13-01 09:30", "2026-12-32 09:30", "2026-12-24 24:00",
    "24/12/2026 09:30", "2026年12月24日", "明天上午", "20266-12-24T09:30", "2026-12-24 09:30 x",
])
def test_anything_else_is_not_a_datetime(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text, day", [("2026-12-24", dt.date(2026, 12, 24)),
                                       (" 2027-02-28 ", dt.date(2027, 2, 28)),
                                       ("2027-02-29", None), ("2026-12-24 09:30", None),
                                       ("12/24/2026", None), ("", None)])
def test_a_date_is_read_as_written(text, day):
    assert parse_date(text) == day


# --- every form of every view has the one widget ------------------------------------

def _date_fields(form_class):
    """(name, field class) of each date or datetime field of a form class."""
    from wtforms import DateField, DateTimeField

    if form_class is None:
        return []
    kinds = ((name, getattr(getattr(form_class, name), "field_class", None))
             for name in dir(form_class))
    return [(name, kind) for name, kind in kinds
            if isinstance(kind, type) and issubclass(kind, (DateField, DateTimeField))]


@pytest.mark.parametrize("key", ["gps", "pds"])
def test_every_declared_date_field_is_the_native_one(key, site_factory):
    app = site_factory(key)
    seen = []
    for view in app.appbuilder.baseviews:
        for which in ("add_form", "edit_form", "search_form"):
            for name, kind in _date_fields(getattr(view, which, None)):
                seen.append((type(view).__name__, which, name))
                assert issubclass(kind, (DateTimeMinuteField, DayField)), \
                    f"{type(view).__name__}.{which}.{name} is FAB's {kind.__name__}"
    # The forms the issue names are among them, so the check above saw them.
    for expected in [("TimeChangeView", "edit_form", "new_bid_deadline"),
                     ("LotSettingView", "edit_form", "open_time"),
                     ("OpeningBidView", "add_form", "opened_at"),
                     ("ObjectionView", "add_form", "received_on"),
                     ("AuditLogView", "search_form", "at")] if key == "pds" else [
                    ("PlanView", "add_form", "expected_date"),
                    ("PushThresholdView", "edit_form", "effective_from")]:
        assert expected in seen, seen


# --- 变更公告: edit, invalid, the saved value shown back --------------------------------

@pytest.fixture
def change(site_factory):
    """平顶山市: an accepted project and a 变更公告 waiting for its new times."""
    pds = site_factory("pds")
    daili, _pk, code = accepted_project(pds, "410400-2026-97001")
    from app import time_changes
    from app.extensions import db
    with pds.app_context():
        entry = time_changes.notice_arrived(code, "notice-dates-1", "关于日期测试项目的变更公告",
                                            [f"{code}001"])
        db.session.commit()
        return pds, daili, entry.id


def _times(pds, pk):
    from app.extensions import db
    from app.models import TimeChange
    with pds.app_context():
        row = db.session.get(TimeChange, pk)
        return row.new_doc_issue_end, row.new_bid_deadline, row.new_open_time


def _edit_change(client, pk, doc_end, deadline, opening):
    token = csrf_token(client, f"/time-changes/edit/{pk}")
    return client.post(f"/time-changes/edit/{pk}", data={
        "csrf_token": token, "new_doc_issue_end": doc_end, "new_bid_deadline": deadline,
        "new_open_time": opening, "remark": "依变更公告顺延"})


@pytest.mark.parametrize("written", ["2026-12-24T09:30", "2026-12-24 09:30",
                                     "2026-12-24 09:30:00"])
def test_new_times_are_saved_as_written_and_shown_back(change, written):
    pds, daili, pk = change
    saved = _edit_change(daili, pk, "2026-12-20T17:00", written, written)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert _times(pds, pk) == (dt.datetime(2026, 12, 20, 17, 0), WHEN, WHEN)

    form = daili.get(f"/time-changes/edit/{pk}").get_data(as_text=True)
    assert 'type="datetime-local"' in form and "appbuilder_datetime" not in form
    assert re.search(r'name="new_bid_deadline"[^>]*value="2026-12-24T09:30"|'
                     r'value="2026-12-24T09:30"[^>]*name="new_bid_deadline"', form), form
    shown = daili.get(f"/time-changes/show/{pk}").get_data(as_text=True)
    assert "2026-12-24 09:30" in shown


@pytest.mark.parametrize("bad", ["2026-12-24", "24/12/2026 09:30", "2026-12-24 25:00",
                                 "下周一上午", "2026-12-24T09:30'--"])
def test_an_invalid_time_says_so_in_chinese_and_changes_nothing(change, bad):
    pds, daili, pk = change
    assert _edit_change(daili, pk, "", "2026-12-24T09:30", "2026-12-24T09:30").status_code == 302
    before = _times(pds, pk)
    answer = _edit_change(daili, pk, "", bad, "2026-12-28T09:30")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert str(INVALID_DATETIME) in page
    assert "Not a valid" not in page and "不是有效的日期与时间值" not in page
    assert _times(pds, pk) == before


def test_a_year_out_of_range_is_refused(change):
    pds, daili, pk = change
    page = _edit_change(daili, pk, "", "0001-12-24T09:30", "2026-12-28T09:30").get_data(
        as_text=True)
    assert "日期须在2000-01-01至2099-12-31之间" in page
    assert _times(pds, pk) == (None, None, None)


def test_the_english_interface_says_it_in_english(change):
    pds, daili, pk = change
    daili.get("/lang/en")
    page = _edit_change(daili, pk, "", "tomorrow", "2026-12-28T09:30").get_data(as_text=True)
    assert "Enter a valid date and time as year-month-day hour:minute" in page


# --- the other forms: 招标文件规划, 开标记录, 项目质疑, and GPS's 预计采购时间 --------------------

@pytest.fixture
def lots(site_factory):
    """平顶山市: an accepted 公开招标 project whose lots have their 采购公告."""
    pds = site_factory("pds")
    daili, pk, _code = accepted_project(pds, "410400-2026-97002")
    from app.extensions import db
    from app.models import Lot
    with pds.app_context():
        rows = db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq).all()
        for lot in rows:
            lot.notice_received_at = dt.datetime.now()
        db.session.commit()
        return pds, daili, [lot.id for lot in rows]


def _lot_times(pds, lot_id):
    from app.extensions import db
    from app.models import Lot
    with pds.app_context():
        lot = db.session.get(Lot, lot_id)
        return lot.doc_issue_start, lot.doc_issue_end, lot.bid_deadline, lot.open_time


def test_lot_planning_times_are_saved_and_shown_back(lots):
    pds, daili, (lot, _other) = lots
    url = f"/lot-settings/edit/{lot}"
    answer = daili.post(url, data={
        "csrf_token": csrf_token(daili, url), "doc_issue_start": "2026-12-01T09:00",
        "doc_issue_end": "2026-12-08 17:00", "bid_deadline": "2026-12-24T09:30",
        "open_time": "2026-12-24 09:30:00", "evaluation_method": "", "committee_size": ""})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert _lot_times(pds, lot) == (dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 8, 17),
                                    WHEN, WHEN)
    form = daili.get(url).get_data(as_text=True)
    for value in ("2026-12-01T09:00", "2026-12-08T17:00", "2026-12-24T09:30"):
        assert f'value="{value}"' in form

    refused = daili.post(url, data={
        "csrf_token": csrf_token(daili, url), "doc_issue_start": "2026-12-01T09:00",
        "doc_issue_end": "2026-12-08T17:00", "bid_deadline": "12月24日",
        "open_time": "2026-12-24T09:30"}).get_data(as_text=True)
    assert str(INVALID_DATETIME) in refused
    assert _lot_times(pds, lot)[2] == WHEN


def test_an_opening_record_takes_a_typed_time(lots):
    pds, daili, (lot, _other) = lots
    from app.extensions import db
    from app.models import OpeningBid, ScoringItem
    with pds.app_context():
        db.session.add(ScoringItem(lot_id=lot, category="价格", name="价格分", weight=100))
        db.session.commit()
    opened = (dt.datetime.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    bad = daili.post("/opening-bids/add", data={
        "csrf_token": csrf_token(daili, "/opening-bids/add"), "lot": str(lot),
        "bidder": "甲公司", "price": "950000.00", "opened_at": "刚才"}).get_data(as_text=True)
    assert str(INVALID_DATETIME) in bad
    answer = daili.post("/opening-bids/add", data={
        "csrf_token": csrf_token(daili, "/opening-bids/add"), "lot": str(lot),
        "bidder": "甲公司", "price": "950000.00", "opened_at": opened.strftime("%Y-%m-%dT%H:%M")})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with pds.app_context():
        [(pk, saved)] = db.session.query(OpeningBid.id, OpeningBid.opened_at).all()
    assert saved == opened
    form = daili.get(f"/opening-bids/edit/{pk}").get_data(as_text=True)
    assert f'value="{opened:%Y-%m-%dT%H:%M}"' in form


def test_objection_dates_take_a_typed_date_and_refuse_nonsense(lots, today):
    pds, daili, (lot, _other) = lots
    data = {"lot": str(lot), "objector": "乙公司", "content": "对评分标准有异议",
            "known_on": str(today), "received_on": "2026/11/30", "reply": "", "reply_date": ""}
    bad = daili.post("/objections/add", data={
        "csrf_token": csrf_token(daili, "/objections/add"), **data}).get_data(as_text=True)
    assert str(INVALID_DATE) in bad
    from app.extensions import db
    from app.models import Objection
    with pds.app_context():
        assert db.session.query(Objection).count() == 0
    data["received_on"] = str(today)
    answer = daili.post("/objections/add", data={
        "csrf_token": csrf_token(daili, "/objections/add"), **data})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with pds.app_context():
        [(pk, received)] = db.session.query(Objection.id, Objection.received_on).all()
    assert received == today
    assert f'value="{today}"' in daili.get(f"/objections/edit/{pk}").get_data(as_text=True)


def test_search_filters_on_dates_use_the_native_input_too(pds_demo):
    admin = logged_in(pds_demo, "admin")
    page = admin.get("/audit/list/").get_data(as_text=True)
    fields = _search_fields(page)
    assert 'type="datetime-local"' in fields["at"] and "appbuilder_datetime" not in fields["at"]
    # A filter typed the browser's way finds the rows it should.
    filtered = admin.get("/audit/list/?_flt_1_at=2000-01-01T00:00")
    assert filtered.status_code == 200


def _search_fields(page) -> dict:
    """FAB's search form fields, as the JSON its script turns into inputs."""
    match = re.search(r"new AdminFilters\(\s*'#filter_form',\s*(\{.*?\}),\s*(\{.*?\}),",
                      page, re.S)
    assert match, "no search form on the page"
    return json.loads(match.group(2))


def test_gps_plan_date_is_the_native_date(gps_demo):
    jingban = logged_in(gps_demo, "jingban")
    form = jingban.get("/plans/add").get_data(as_text=True)
    [field] = re.findall(r'<input[^>]*name="expected_date"[^>]*>', form)
    assert 'type="date"' in field and 'class="form-control"' in field
    assert "appbuilder_date" not in form
