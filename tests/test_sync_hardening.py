"""The inbox and the feed against what a stranger (or a confused peer) sends:
every refusal is a JSON 4xx in Chinese with a 拒收记录 row and nothing else
changed; a push signature opens nothing but its own push; a signed feed
request is good once (issue 12, items 4, 5 and 9)."""
import datetime as dt
import hashlib
import json
import re
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SecurityEvent
from app.sync import envelope, signing
from app.sync.feed import FEED_PATH

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PLAN = {
    "plan_no": "410400-2026-07777", "project_name": "加固测试项目",
    "unit": {"name": "平顶山市教育局", "credit_code": "11410400MB0000001P",
             "region_code": "410400"},
    "agency": None, "procurement_method": "询价", "category": "货物", "item_name": "纸",
    "budget": "1000000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
}


@pytest.fixture
def sites(site_factory):
    return site_factory("gps"), site_factory("pds")


def snapshot(app) -> str:
    """A digest of every row of every table but the refusal log."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "security_event":
                continue
            for row in db.session.execute(select(table)).all():
                digest.update(repr((table.name, tuple(row))).encode())
        db.session.rollback()
    return digest.hexdigest()


def refusals(app) -> int:
    with app.app_context():
        return db.session.query(SecurityEvent).count()


def signed(gps, body: str, message_id: str, peer="410400") -> dict:
    with gps.app_context():
        return signing.sign_headers(peer, message_id, body, "gps")


def plan_message(**changes):
    fields = dict(type="plan.filed", source="gps", target="410400",
                  entity=f"plan:{PLAN['plan_no']}", entity_version=1, payload=PLAN)
    fields.update(changes)
    return envelope.build(**fields)


def assert_refused(app, response, status=None, before=None, refused_before=None):
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    if status:
        assert response.status_code == status, response.get_data(as_text=True)
    data = response.get_json()
    assert data and data["error"] and CHINESE.search(data["message"]), data
    if before is not None:
        assert snapshot(app) == before
    if refused_before is not None:
        assert refusals(app) == refused_before + 1
    return data


@pytest.mark.parametrize("signature", [
    "garbage", "v1,a,b", "v1,", "v1", ",", "v2,abc", "v1,!!!!", "v1,é", " ", "v1,a v1,b,c"])
def test_junk_signatures_are_refused_not_500(sites, signature):
    gps, pds = sites
    message_id, body = plan_message()
    headers = {**signed(gps, body, message_id), "webhook-signature": signature}
    before, refused = snapshot(pds), refusals(pds)
    response = pds.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)
    data = assert_refused(pds, response, 401, before, refused)
    assert data["error"] == "bad_signature"


@pytest.mark.parametrize("body", [b"\xff\xfe\x00garbage", "签名".encode("gbk"), b"\x80" * 100, b""])
def test_body_that_is_not_utf8_is_refused_not_500(sites, body):
    gps, pds = sites
    message_id, good = plan_message()
    headers = signed(gps, good, message_id)
    before, refused = snapshot(pds), refusals(pds)
    response = pds.test_client().post("/interop/v1/messages", data=body, headers=headers)
    assert_refused(pds, response, 401, before, refused)


@pytest.mark.parametrize("timestamp", ["1.5", "{now}.0", "{now}.9", "-{now}", "1e9", "0x10",
                                       "", "  ", "٣٤٥", "{now}{now}{now}"])
def test_non_integer_timestamp_is_refused(sites, timestamp):
    gps, pds = sites
    message_id, body = plan_message()
    headers = signed(gps, body, message_id)
    headers["webhook-timestamp"] = timestamp.format(now=headers["webhook-timestamp"])
    before, refused = snapshot(pds), refusals(pds)
    response = pds.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)
    assert_refused(pds, response, 401, before, refused)


def test_fractional_timestamp_signed_as_such_is_refused(sites):
    """The signature itself covers the fractional timestamp: still refused."""
    gps, pds = sites
    message_id, body = plan_message()
    with gps.app_context():
        key = signing.active_keys("410400")[0]
    stamp = f"{int(dt.datetime.now().timestamp())}.5"
    headers = {"webhook-id": message_id, "webhook-timestamp": stamp, "interop-source": "gps",
               "webhook-signature": "v1," + signing._digest(key, f"{message_id}.{stamp}.{body}"
                                                             .encode()).decode(),
               "content-type": "application/json"}
    response = pds.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)
    data = assert_refused(pds, response, 401)
    assert "整数" in data["message"]


def test_entity_that_differs_from_the_payload_is_refused(sites):
    gps, pds = sites
    message_id, body = plan_message(entity="plan:410400-2026-00001")
    before, refused = snapshot(pds), refusals(pds)
    response = pds.test_client().post("/interop/v1/messages", data=body.encode(),
                                      headers=signed(gps, body, message_id))
    data = assert_refused(pds, response, 422, before, refused)
    assert data["error"] == "entity_mismatch"


def test_matching_entity_is_still_applied(sites):
    gps, pds = sites
    message_id, body = plan_message()
    response = pds.test_client().post("/interop/v1/messages", data=body.encode(),
                                      headers=signed(gps, body, message_id))
    assert response.status_code == 200 and response.json["status"] == "applied"


def test_own_verification_matches_the_standard_webhooks_library(sites):
    """Signing stays the library's; verifying is ours: they must agree."""
    from standardwebhooks.webhooks import Webhook

    gps, _ = sites
    with gps.app_context():
        key = signing.active_keys("410400")[0]
    stamp = dt.datetime.fromtimestamp(1614265330, tz=dt.timezone.utc)
    library = Webhook(key).sign("msg_1", stamp, '{"a":"世界"}')
    ours = signing._digest(key, 'msg_1.1614265330.{"a":"世界"}'.encode()).decode()
    assert library == "v1," + ours


# --- the feed -------------------------------------------------------------

def feed_headers(gps, query, nonce=None, method="GET", path=FEED_PATH):
    with gps.app_context():
        return signing.sign_request("410400", nonce or f"feed-{uuid.uuid4()}", method, path,
                                    query, "gps")


def test_push_headers_do_not_open_the_feed(sites):
    """Issue 12 item 5: GET /interop/v1/feed?<raw push body> with the push's
    captured headers. The query string is the body byte for byte."""
    gps, pds = sites
    message_id, body = plan_message()
    headers = signed(gps, body, message_id)
    before, refused = snapshot(pds), refusals(pds)
    # WSGI hands the raw query over as latin-1 text: byte for byte the body.
    response = pds.test_client().get(FEED_PATH, headers=headers, environ_overrides={
        "QUERY_STRING": body.encode().decode("latin-1")})
    data = assert_refused(pds, response, 401, before, refused)
    assert "messages" not in data


def test_signed_feed_request_works_once(sites):
    gps, pds = sites
    headers = feed_headers(gps, "since=0")
    first = pds.test_client().get(FEED_PATH + "?since=0", headers=headers)
    assert first.status_code == 200 and "messages" in first.json
    refused = refusals(pds)
    again = pds.test_client().get(FEED_PATH + "?since=0", headers=headers)
    data = assert_refused(pds, again, 401, refused_before=refused)
    assert data["error"] == "replayed"


def test_feed_signature_is_bound_to_its_query_method_and_path(sites):
    gps, pds = sites
    client = pds.test_client()
    other_query = client.get(FEED_PATH + "?since=5", headers=feed_headers(gps, "since=0"))
    assert_refused(pds, other_query, 401)
    as_post = client.get(FEED_PATH + "?since=0",
                         headers=feed_headers(gps, "since=0", method="POST"))
    assert_refused(pds, as_post, 401)
    other_path = client.get(FEED_PATH + "?since=0",
                            headers=feed_headers(gps, "since=0", path="/interop/v1/messages"))
    assert_refused(pds, other_path, 401)


def test_feed_headers_do_not_make_a_push(sites):
    gps, pds = sites
    headers = feed_headers(gps, "since=0")
    content = signing.request_content("GET", FEED_PATH, "since=0")
    before = snapshot(pds)
    response = pds.test_client().post("/interop/v1/messages", data=content, headers=headers)
    assert_refused(pds, response, before=before)


def test_feed_works_through_a_key_rotation(sites):
    gps, pds = sites
    new_secret = "whsec_" + "D" * 43 + "="
    gps.test_cli_runner().invoke(args=["sync", "add-key", "--peer", "410400",
                                       "--secret", new_secret])
    assert pds.test_client().get(FEED_PATH + "?since=0",
                                 headers=feed_headers(gps, "since=0")).status_code == 200
    pds.test_cli_runner().invoke(args=["sync", "add-key", "--peer", "gps", "--secret", new_secret])
    gps.test_cli_runner().invoke(args=["sync", "retire-keys", "--peer", "410400"])
    pds.test_cli_runner().invoke(args=["sync", "retire-keys", "--peer", "gps"])
    assert pds.test_client().get(FEED_PATH + "?since=0",
                                 headers=feed_headers(gps, "since=0")).status_code == 200


@pytest.mark.parametrize("since", ["-1", "1.5", "abc", "²", str(2 ** 70)])
def test_bad_watermark_is_a_4xx(sites, since):
    gps, pds = sites
    from urllib.parse import quote

    query = f"since={quote(since)}"
    response = pds.test_client().get(FEED_PATH + "?" + query, headers=feed_headers(gps, query))
    assert_refused(pds, response, 400)


def test_refusal_log_keeps_unprintable_input_readable(sites):
    gps, pds = sites
    response = pds.test_client().post("/interop/v1/messages", data=b"{}",
                                      headers={"interop-source": "gps\x7f\x01",
                                               "webhook-id": "x\x00y"})
    assert_refused(pds, response, 401)
    with pds.app_context():
        row = db.session.query(SecurityEvent).order_by(SecurityEvent.id.desc()).first()
        assert "\x00" not in (row.message_id or "") and "\x01" not in (row.claimed_source or "")
        assert json.dumps(row.reason)
