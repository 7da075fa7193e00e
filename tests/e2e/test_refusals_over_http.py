"""Forged and replayed messages sent over real HTTP to a running trading site."""
import json

import requests

from app.sync import envelope, signing

PAYLOAD = {
    "plan_no": "410400-2026-08888", "project_name": "真实HTTP拒收测试",
    "unit": {"name": "平顶山市教育局", "credit_code": "11410400MB0000001P", "region_code": "410400"},
    "agency": None, "procurement_method": "询价", "category": "货物", "item_name": "纸",
    "budget": "1000000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
}


def test_tampered_and_replayed_messages_are_refused(stack, site_factory):
    signer = site_factory("gps")  # same demo keys as the running sites
    message_id, body = envelope.build(type="plan.filed", source="gps", target="410400",
                                      entity="plan:410400-2026-08888", entity_version=1,
                                      payload=PAYLOAD)
    with signer.app_context():
        headers = signing.sign_headers("410400", message_id, body, "gps")
    url = stack.url("pds") + "/interop/v1/messages"

    tampered = requests.post(url, data=body.replace("1000000.00", "1.00").encode(),
                             headers=headers, timeout=10)
    assert tampered.status_code == 401 and tampered.json()["error"] == "bad_signature"

    ok = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert ok.status_code == 200 and ok.json()["status"] == "applied"
    again = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert again.json()["status"] == "duplicate"

    other = json.loads(body)
    other["payload"]["project_name"] = "偷换"
    other_body = json.dumps(other, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with signer.app_context():
        resigned = signing.sign_headers("410400", message_id, other_body, "gps")
    replay = requests.post(url, data=other_body.encode(), headers=resigned, timeout=10)
    assert replay.status_code == 409

    rows = stack.query("pds", "select project_name from plan_replica "
                              "where plan_no = '410400-2026-08888'")
    assert rows == [["真实HTTP拒收测试"]]
    refused = stack.query("pds", "select count(*) from security_event")[0][0]
    assert refused >= 2
