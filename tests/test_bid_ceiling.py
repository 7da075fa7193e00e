"""Issue 13.3: a 开标记录 above the lot's 最高限价 (or, without one, its budget)
is recorded, warned about with the legal basis, and flagged on the list,
the detail page and for 中心业务科室 (87号令第六十三条第（四）项)."""
import datetime as dt
from decimal import Decimal

import pytest

from app.rules.bid_ceiling import ceiling_warning
from tests.acceptance_helpers import accepted_project, second_agency_user
from tests.helpers import api_token, bearer, csrf_token, form_token, logged_in

DT = "%Y-%m-%d %H:%M:%S"
ARTICLE = "财政部令第87号）第六十三条第（四）项"


@pytest.mark.parametrize("price, budget, max_price, method, flagged, quoted", [
    ("950000.00", "1000000.00", "960000.00", "公开招标", False, None),
    ("960000.00", "1000000.00", "960000.00", "公开招标", False, None),  # at the limit: valid
    ("960000.01", "1000000.00", "960000.00", "公开招标", True, "最高限价 960,000.00 元"),
    ("1000000.01", "1000000.00", None, "公开招标", True, "预算金额 1,000,000.00 元"),
    ("990000.00", "1000000.00", None, "公开招标", False, None),
    ("970000.00", "1000000.00", "960000.00", "竞争性磋商", True, "评审小组"),
    ("abc", "1000000.00", "960000.00", "公开招标", False, None),  # the amount rule speaks
])
def test_the_rule(price, budget, max_price, method, flagged, quoted):
    warning = ceiling_warning(price, Decimal(budget), max_price and Decimal(max_price), method)
    assert (warning is not None) is flagged
    if flagged:
        assert quoted in warning and ARTICLE in warning and "无效投标" in warning


@pytest.fixture
def opened_lot(site_factory):
    """An accepted project whose first lot's 采购公告 arrived with a 最高限价
    of 960,000.00 and whose 评分标准 is complete. Returns (pds, daili, lot id)."""
    pds = site_factory("pds")
    daili, pk, _code = accepted_project(pds, "410400-2026-94001")
    from app.extensions import db
    from app.models import Lot, ScoringItem
    with pds.app_context():
        lot = db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq).first()
        lot.notice_received_at = dt.datetime.now()
        lot.max_price = Decimal("960000.00")
        db.session.add(ScoringItem(lot=lot, category="价格", name="价格分", weight=100))
        db.session.commit()
        return pds, daili, lot.id


def _open_bid(client, lot, bidder, price):
    opened_at = (dt.datetime.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    token = csrf_token(client, "/opening-bids/add")
    return client.post("/opening-bids/add", data={
        "csrf_token": token, "lot": str(lot), "bidder": bidder, "price": price,
        "opened_at": opened_at.strftime(DT)}, follow_redirects=True)


def _bids(pds):
    from app.extensions import db
    from app.models import OpeningBid
    with pds.app_context():
        return {b.bidder: (b.price, b.ceiling_warning, b.id)
                for b in db.session.query(OpeningBid)}


def test_a_bid_above_the_ceiling_is_recorded_warned_and_flagged(opened_lot):
    pds, daili, lot = opened_lot
    from app.extensions import db
    from app.models import Lot
    with pds.app_context():
        project = db.session.get(Lot, lot).project_id
    page = _open_bid(daili, lot, "甲公司", "950000.00").get_data(as_text=True)
    assert "超过该标段" not in page
    page = _open_bid(daili, lot, "乙公司", "980000.00").get_data(as_text=True)
    assert "开标记录已保存，但投标报价 980,000.00 元超过该标段最高限价 960,000.00 元" in page
    assert ARTICLE in page and "该投标应由评标委员会按无效投标处理" in page

    bids = _bids(pds)
    assert bids["甲公司"][1] is None
    price, warning, bid_id = bids["乙公司"]
    assert price == Decimal("980000.00") and "最高限价 960,000.00 元" in warning
    from app.extensions import db
    from app.models import AuditLog
    with pds.app_context():
        [audit] = db.session.query(AuditLog).filter_by(
            action="录入开标记录").filter(AuditLog.detail.like("乙公司%")).all()
        assert ARTICLE in audit.detail

    for who in ("daili", "keshi"):
        client = daili if who == "daili" else logged_in(pds, "keshi")
        listed = client.get("/opening-bids/list/").get_data(as_text=True)
        assert 'id="ceiling-bids"' in listed and listed.count('class="ceiling-bid"') == 1, who
        assert listed.count("ceiling-flag") == 1 and "乙公司" in listed, who
        shown = client.get(f"/opening-bids/show/{bid_id}").get_data(as_text=True)
        assert "最高限价 960,000.00 元" in shown and ARTICLE in shown, who
        # 项目阶段, where 开始评标 is taken, lists it for the committee.
        stage = client.get(f"/project-stages/show/{project}").get_data(as_text=True)
        assert 'class="ceiling-bid"' in stage and "乙公司" in stage, who

    # A correction below the ceiling clears the flag; above it sets it again.
    token = csrf_token(daili, f"/opening-bids/edit/{bid_id}")
    daili.post(f"/opening-bids/edit/{bid_id}", data={
        "csrf_token": token, "bidder": "乙公司", "price": "955000.00",
        "opened_at": (dt.datetime.now() - dt.timedelta(hours=1)).strftime(DT)})
    assert _bids(pds)["乙公司"][1] is None
    assert 'id="ceiling-bids"' not in daili.get("/opening-bids/list/").get_data(as_text=True)


def test_rest_records_the_bid_and_answers_the_warning(opened_lot):
    pds, _daili, lot = opened_lot
    client = pds.test_client()
    auth = bearer(api_token(client, "daili"))
    bid = {"lot": lot, "bidder": "丙公司", "price": "1200000.00",
           "opened_at": (dt.datetime.now() - dt.timedelta(hours=1)).replace(microsecond=0)
           .isoformat()}
    # The flag is the rule's, never the client's.
    tampered = client.post("/api/v1/opening_bid/", headers=auth,
                           json={**bid, "ceiling_warning": None})
    assert tampered.status_code == 422 and "ceiling_warning" in tampered.json["message"]
    answer = client.post("/api/v1/opening_bid/", headers=auth, json=bid)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert "最高限价 960,000.00 元" in answer.json["ceiling_warning"]
    shown = client.get(f"/api/v1/opening_bid/{answer.json['id']}", headers=auth)
    assert ARTICLE in shown.json["result"]["ceiling_warning"]
    tampered = client.put(f"/api/v1/opening_bid/{answer.json['id']}", headers=auth,
                          json={"ceiling_warning": None})
    assert tampered.status_code in (400, 422)
    assert _bids(pds)["丙公司"][1] is not None


def test_who_may_record_and_who_sees_the_flag(opened_lot):
    pds, daili, lot = opened_lot
    _open_bid(daili, lot, "乙公司", "980000.00")
    bid_id = _bids(pds)["乙公司"][2]
    second_agency_user(pds)
    other = logged_in(pds, "daili2")
    assert other.get(f"/opening-bids/show/{bid_id}").status_code == 404
    listed = other.get("/opening-bids/list/").get_data(as_text=True)
    assert "乙公司" not in listed and 'id="ceiling-bids"' not in listed
    refused = _open_bid(other, lot, "丁公司", "990000.00")
    assert "丁公司" not in _bids(pds)
    keshi = logged_in(pds, "keshi")
    assert keshi.get("/opening-bids/add").status_code == 403
    assert keshi.post("/opening-bids/add", data={
        "csrf_token": form_token(keshi), "lot": str(lot), "bidder": "戊公司",
        "price": "990000.00"}).status_code == 403
    assert set(_bids(pds)) == {"乙公司"}
    assert refused.status_code in (200, 404)


@pytest.mark.parametrize("max_price, kept", [("960000.00", Decimal("960000.00")),
                                             (None, None), ("absent", None)])
def test_the_ceiling_arrives_with_the_procurement_notice(site_factory, max_price, kept):
    """notice.published carries each lot's 最高限价; an older message has no
    such key, and a lot without one is judged against its budget."""
    pds = site_factory("pds")
    _daili, pk, code = accepted_project(pds, "410400-2026-94002")
    from app.extensions import db
    from app.models import Lot
    from app.sync import envelope, signing
    from app.sync.messages.notice import entity_key

    lot = {"code": f"{code}001", "name": "第一包", "budget": "1000000.00"}
    if max_price != "absent":
        lot["max_price"] = max_price
    payload = {"notice_key": "GG-2026-0201", "notice_type": "采购公告",
               "title": f"{code}项目采购公告", "project_code": code,
               "plan_no": "410400-2026-94002", "region_code": "410400", "original_key": None,
               "body_html": "<p>公告</p>", "published_at": "2026-11-25T10:00:00",
               "lots": [lot], "times": None}
    message_id, body = envelope.build(type="notice.published", source="gps", target="410400",
                                      entity=entity_key("GG-2026-0201"), entity_version=1,
                                      payload=payload)
    with pds.app_context():
        headers = signing.sign_headers("gps", message_id, body, "gps")
    answer = pds.test_client().post("/interop/v1/messages", data=body.encode(),
                                    headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with pds.app_context():
        assert db.session.query(Lot.max_price).filter_by(code=f"{code}001").scalar() == kept
