"""The inbox at POST /interop/v1/messages: verify → store → apply, once.

In-process test client for the receiver; the sender's side is the real
envelope and signing code of a GPS app.
"""
import datetime as dt
import json

import pytest

from app.extensions import db
from app.models import InboxMessage, PlanReplica, SecurityEvent
from app.sync import envelope, signing

PLAN = {
    "plan_no": "410400-2026-09999", "project_name": "接口测试项目",
    "unit": {"name": "平顶山市教育局", "credit_code": "11410400MB0000001P",
             "region_code": "410400"},
    "agency": {"name": "河南中原招标代理有限公司", "credit_code": "91410400MA00000040"},
    "procurement_method": "公开招标", "category": "货物", "item_name": "电脑",
    "budget": "1500000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
    "contact": "张经办", "phone": "0375-1", "filed_at": "2026-11-21T08:00:00",
}


@pytest.fixture
def sites(site_factory):
    return site_factory("gps"), site_factory("pds")


def message(version=1, type="plan.filed", payload=None, target="410400", source="gps"):
    return envelope.build(type=type, source=source, target=target,
                          entity=f"plan:{PLAN['plan_no']}", entity_version=version,
                          payload=payload if payload is not None else PLAN)


def post(sites, built, body=None, headers=None, peer="410400"):
    gps, pds = sites
    message_id, signed_body = built
    with gps.app_context():
        signed = signing.sign_headers(peer, message_id, signed_body, "gps")
    signed.update(headers or {})
    data = (body if body is not None else signed_body)
    data = data.encode() if isinstance(data, str) else data
    return pds.test_client().post("/interop/v1/messages", data=data, headers=signed)


def to_gps(sites, built):
    """A platform's message to GPS (the other way round from `post`)."""
    gps, pds = sites
    message_id, body = built
    with pds.app_context():
        headers = signing.sign_headers("gps", message_id, body, "410400")
    return gps.test_client().post("/interop/v1/messages", data=body.encode(), headers=headers)


def replica(pds):
    with pds.app_context():
        row = db.session.get(PlanReplica, PLAN["plan_no"])
        return None if row is None else (row.version, row.project_name, row.status)


def counts(pds):
    with pds.app_context():
        return (db.session.query(InboxMessage).count(),
                db.session.query(SecurityEvent).count())


def test_valid_message_is_stored_and_applied(sites):
    response = post(sites, message())
    assert response.status_code == 200 and response.json["status"] == "applied"
    assert replica(sites[1]) == (1, "接口测试项目", "有效")


def test_duplicate_is_acknowledged_not_reapplied(sites):
    built = message()
    post(sites, built)
    inbox_before, _ = counts(sites[1])
    again = post(sites, built)
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert counts(sites[1])[0] == inbox_before


def test_out_of_order_newest_version_wins(sites):
    v2 = message(2, "plan.updated", {**PLAN, "project_name": "第二版"})
    v1 = message(1)
    assert post(sites, v2).json["status"] == "applied"
    late = post(sites, v1)
    assert late.status_code == 200 and late.json["result"] == "已忽略（旧版本）"
    assert replica(sites[1]) == (2, "第二版", "有效")


def test_withdrawal_before_filing_keeps_it_withdrawn(sites):
    withdrawn = message(2, "plan.withdrawn", {"plan_no": PLAN["plan_no"], "reason": "取消"})
    assert post(sites, withdrawn).json["status"] == "applied"
    assert post(sites, message(1)).json["result"] == "已忽略（旧版本）"
    assert replica(sites[1]) is None


def test_withdrawal_marks_the_replica(sites):
    post(sites, message(1))
    post(sites, message(2, "plan.withdrawn", {"plan_no": PLAN["plan_no"], "reason": "取消"}))
    assert replica(sites[1])[2] == "已撤回"


def _refused(sites, response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == code and response.json["message"]
    assert replica(sites[1]) is None
    inbox_rows, refusals = counts(sites[1])
    assert inbox_rows == 0 and refusals >= 1


def test_tampered_body_is_refused(sites):
    built = message()
    tampered = built[1].replace("1500000.00", "9500000.00")
    _refused(sites, post(sites, built, body=tampered), 401, "bad_signature")


def test_wrong_secret_is_refused(sites):
    gps, pds = sites
    built = message()
    from standardwebhooks.webhooks import Webhook

    now = dt.datetime.now(dt.timezone.utc)
    forged = Webhook("whsec_" + "B" * 43 + "=").sign(built[0], now, built[1])
    _refused(sites, post(sites, built, headers={"webhook-signature": forged}), 401,
             "bad_signature")


def test_expired_timestamp_is_refused(sites):
    gps, pds = sites
    built = message()
    from standardwebhooks.webhooks import Webhook

    with gps.app_context():
        key = signing.active_keys("410400")[0]
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=301)
    headers = {"webhook-timestamp": str(int(old.timestamp())),
               "webhook-signature": Webhook(key).sign(built[0], old, built[1])}
    _refused(sites, post(sites, built, headers=headers), 401, "bad_signature")


def test_replayed_id_with_a_different_body_is_refused(sites):
    built = message()
    post(sites, built)
    other = json.loads(built[1])
    other["payload"]["project_name"] = "偷换内容"
    other_body = json.dumps(other, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    response = post(sites, (built[0], other_body))
    assert response.status_code == 409 and response.json["error"] == "id_reused"
    assert replica(sites[1])[1] == "接口测试项目"


def test_oversized_body_is_refused(sites):
    huge = {**PLAN, "item_name": "x" * (envelope.MAX_BODY_BYTES + 10)}
    _refused(sites, post(sites, message(payload=huge)), 413, "too_large")


def test_malformed_json_is_refused(sites):
    _refused(sites, post(sites, ("id-1", "{not json")), 400, "malformed")


def test_unknown_peer_is_refused(sites):
    _refused(sites, post(sites, message(), headers={"interop-source": "evil"}), 401,
             "unknown_peer")


def test_unknown_type_is_refused(sites):
    _refused(sites, post(sites, message(type="plan.exploded")), 422, "unknown_type")


def test_payload_failing_its_schema_is_refused(sites):
    bad = {**PLAN, "budget": "-1", "category": "食品"}
    response = post(sites, message(payload=bad))
    _refused(sites, response, 422, "bad_payload")
    assert "budget" in response.json["message"] and "category" in response.json["message"]


def test_message_for_another_site_is_refused(sites):
    _refused(sites, post(sites, message(target="411322")), 422, "wrong_route")


def test_refusals_show_in_the_monitor(sites):
    gps, pds = sites
    post(sites, ("id-1", "{not json"))
    from tests.helpers import logged_in

    page = logged_in(pds, "admin").get("/sync/refused/list/").get_data(as_text=True)
    assert "malformed" in page


@pytest.mark.parametrize("version", [2**31, 2**63])
def test_a_version_beyond_the_columns_is_refused(sites, version):
    """A version no INTEGER column holds would freeze the replica (every
    real message after it “older”) or overflow: refused, nothing stored."""
    _refused(sites, post(sites, message(version)), 422, "bad_envelope")
    assert counts(sites[1])[0] == 0


# A value the trading platform's columns cannot hold, or one 项目进场受理
# could not copy into the project's choices, is the sender's error: refused
# with a Chinese reason, nothing stored. SQLite keeps any length and any
# NUMERIC, so without these checks it applied them (and PostgreSQL failed on
# apply, a 500 the sender retried for ever).
@pytest.mark.parametrize("change, field", [
    ({"procurement_method": "拍卖"}, "procurement_method"),
    ({"fund_source": "捐赠资金"}, "fund_source"),
    ({"phone": "1" * 3000}, "phone"),
    ({"contact": "张" * 65}, "contact"),
    ({"budget": "100000000000000.00"}, "budget"),  # past NUMERIC(16, 2)
    ({"budget": "１２３"}, "budget"),  # full-width digits
    ({"budget": "1e5"}, "budget"),
    ({"budget": 1500000}, "budget"),  # a JSON number, not the amount's text
    ({"budget": "NaN"}, "budget"),
    ({"category": "食品"}, "category"),
    ({"unit": {"name": "平顶山市教育局", "credit_code": "1", "region_code": "4104"}},
     "unit.credit_code"),
])
def test_a_value_no_column_or_choice_holds_is_refused_in_chinese(sites, change, field):
    response = post(sites, message(payload={**PLAN, **change}))
    _refused(sites, response, 422, "bad_payload")
    text = response.json["message"]
    assert f"{field}：" in text
    assert not any(english in text for english in ("Must be", "Not a valid", "Longer than",
                                                   "Length must", "String does not"))
    with sites[1].app_context():
        reason = db.session.query(SecurityEvent.reason).order_by(SecurityEvent.id.desc()).first()
    assert reason[0].startswith("bad_payload: 消息内容不合规：") and f"{field}：" in reason[0]


def test_the_largest_amount_a_column_holds_is_applied(sites):
    response = post(sites, message(payload={**PLAN, "budget": "99999999999999.99"}))
    assert response.json["status"] == "applied"
    with sites[1].app_context():
        # SQLite keeps NUMERIC as a double: the last cent may differ there.
        assert db.session.get(PlanReplica, PLAN["plan_no"]).budget > 99999999999999


@pytest.mark.parametrize("payload", [
    {**PLAN, "project_name": "接口\x00测试"},
    {**PLAN, "unit": {**PLAN["unit"], "name": "\x00"}},
    {**PLAN, "extra\x00key": "1"},  # an unknown key is left out, but not with a NUL
])
def test_a_nul_anywhere_in_a_message_is_refused(sites, payload):
    response = post(sites, message(payload=payload))
    _refused(sites, response, 422, "bad_payload")
    assert "空字符" in response.json["message"]


@pytest.mark.parametrize("value, words", [
    ("a\u202eb\x07c", "控制字符"),  # a direction override and a bell, which the forms refuse
    ("\u202e张三", "控制字符"),
    ("\x01\x02", "控制字符"),
])
def test_text_the_forms_refuse_is_refused_in_a_message(sites, value, words):
    response = post(sites, message(payload={**PLAN, "project_name": value}))
    _refused(sites, response, 422, "bad_payload")
    assert words in response.json["message"]


def test_a_lone_surrogate_is_refused_not_a_500(sites):
    """JSON may escape half a UTF-16 pair ("\\ud800"), which no database can
    store: the apply's flush failed, a 500 the sender retried for 72 h."""
    message_id, body = message(payload={**PLAN, "project_name": "SURROGATE"})
    body = body.replace('"SURROGATE"', '"\\ud800x"')
    response = post(sites, (message_id, body))
    _refused(sites, response, 422, "bad_payload")
    assert "代理项" in response.json["message"]


def test_a_nul_in_the_envelope_is_refused(sites):
    built = envelope.build(type="plan.filed", source="gps", target="410400",
                           entity=f"plan:{PLAN['plan_no']}\x00", entity_version=1, payload=PLAN)
    response = post(sites, built)
    _refused(sites, response, 422, "bad_envelope")
    assert "空字符" in response.json["message"]


def test_a_value_the_database_refuses_on_apply_is_a_refusal_not_a_retry(sites):
    """The inbox's own net under the schemas: a type whose schema lets through
    what its column cannot hold (here a 40-character 计划编号 into String(32))
    is refused, not a 500 that the sender would retry for ever."""
    from marshmallow import Schema, fields

    from app.sync import registry

    gps, pds = sites
    with pds.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite stores any length: only PostgreSQL refuses it")

    class Loose(Schema):
        plan_no = fields.String(required=True)

    def apply(envelope_, payload):
        db.session.add(PlanReplica(**{**_replica_values(), "plan_no": payload["plan_no"]}))

    registry.register("test.too_long", Loose, apply, entity=lambda p: f"plan:{p['plan_no']}",
                      receiver="trading")
    try:
        long_no = "9" * 40
        built = envelope.build(type="test.too_long", source="gps", target="410400",
                               entity=f"plan:{long_no}", entity_version=1,
                               payload={"plan_no": long_no})
        response = post(sites, built)
    finally:
        registry._TYPES.pop("test.too_long", None)
    assert response.status_code == 422 and response.json["error"] == "unstorable"
    assert counts(pds)[0] == 0


def _replica_values():
    return {"version": 1, "project_name": "x", "unit_name": "x",
            "unit_credit_code": "1" * 18, "region_code": "410400",
            "procurement_method": "公开招标", "category": "货物", "item_name": "x",
            "budget": 1, "fund_source": "财政性资金", "expected_date": dt.date(2026, 12, 31),
            "received_at": dt.datetime(2026, 12, 1)}


# --- each type only where it belongs; numbers an address can hold ---------------------

def test_a_type_sent_to_the_wrong_kind_of_site_is_refused(sites):
    """A plan.filed from a platform to GPS was applied there (a PlanReplica on
    GPS); a lot.status to a platform waited with 425s for three days."""
    gps, pds = sites
    built = envelope.build(type="plan.filed", source="410400", target="gps",
                           entity=f"plan:{PLAN['plan_no']}", entity_version=1, payload=PLAN)
    response = to_gps(sites, built)
    assert response.status_code == 422 and response.json["error"] == "wrong_site"
    assert "本站不接收“plan.filed”消息" in response.json["message"]
    with gps.app_context():
        assert db.session.get(PlanReplica, PLAN["plan_no"]) is None
    lot_status = envelope.build(type="lot.status", source="gps", target="410400",
                                entity="lot_status:L1", entity_version=1,
                                payload={"project_code": "P1", "lot_code": "L1",
                                         "objections": [], "bids": []})
    assert post(sites, lot_status).json["error"] == "wrong_site"


@pytest.mark.parametrize("plan_no", ["A/a/b", "..", "410400-2026-0001?x", "计划一"])
def test_a_plan_number_no_address_can_hold_is_refused(sites, plan_no):
    payload = {**PLAN, "plan_no": plan_no}
    built = envelope.build(type="plan.filed", source="gps", target="410400",
                           entity=f"plan:{plan_no}", entity_version=1, payload=payload)
    response = post(sites, built)
    assert response.status_code == 422 and response.json["error"] == "bad_payload"
    assert "编号只能由字母、数字、连字符和下划线组成" in response.json["message"]


@pytest.mark.parametrize("change", [{"expected_date": "0001-01-01"},
                                    {"filed_at": "9999-12-31T23:00:00-12:00"}])
def test_a_plan_date_outside_the_years_is_refused(sites, change):
    response = post(sites, message(payload={**PLAN, **change}))
    _refused(sites, response, 422, "bad_payload")
    assert "时间须在 2000 年至 2099 年之间" in response.json["message"]


def test_a_time_with_a_zone_where_local_is_wanted_is_told_in_chinese(sites):
    gps, pds = sites
    payload = {"project_code": "P1", "lot_code": "L1", "objections": [], "bids": [],
               "open_time": "2026-05-10T09:00:00+08:00"}
    built = envelope.build(type="lot.status", source="410400", target="gps",
                           entity="lot_status:L1", entity_version=1, payload=payload)
    response = to_gps(sites, built)
    assert response.status_code == 422
    assert "open_time：须为不带时区的本地时间" in response.json["message"]
    assert "naive" not in response.json["message"]


@pytest.mark.parametrize("seq", [2**31, 2**63])
def test_a_correction_number_past_integer_is_refused(sites, seq):
    """SQLite kept 2**31 (every later real correction then “older”) and
    failed on 2**63 with a 500; PostgreSQL refused both on apply."""
    gps, pds = sites
    payload = {"project_code": "P1", "seq": seq, "encrypted": False, "remote_opening": False,
               "changes": [{"field": "encrypted", "label": "是否加密", "old": "是", "new": "否"}],
               "reason": "调整", "user_name": "u", "organisation_name": "o",
               "changed_at": "2026-05-01T09:00:00"}
    built = envelope.build(type="project.info_changed", source="410400", target="gps",
                           entity=f"project-info:P1:{seq}", entity_version=1, payload=payload)
    response = to_gps(sites, built)
    assert response.status_code == 422 and response.json["error"] == "bad_payload"
    assert "seq：" in response.json["message"]


@pytest.mark.parametrize("web_path", ["/web/../../admin?x=1#y", "/web/\r\n<script>",
                                      "/web/\\\\evil.example/x", "/web/notices/1/../2"])
def test_a_website_address_gps_would_link_to_is_only_a_notice_page(sites, web_path):
    gps, pds = sites
    payload = {"notice_key": "JY410400-2026-0001-01", "version": 1, "web_path": web_path,
               "online_at": "2026-05-01T09:00:00"}
    built = envelope.build(type="notice.online", source="410400", target="gps",
                           entity="notice:JY410400-2026-0001-01", entity_version=1,
                           payload=payload)
    response = to_gps(sites, built)
    assert response.status_code == 422 and "网站地址须为" in response.json["message"]


def _lot_status(**change):
    payload = {"project_code": "P1", "lot_code": "L1", "objections": [], "bids": [],
               "doc_issue_start": "2026-12-01T09:00:00", "doc_issue_end": "2026-12-08T17:00:00",
               "bid_deadline": "2026-12-22T09:30:00", "open_time": "2026-12-22T09:30:00",
               **change}
    return envelope.build(type="lot.status", source="410400", target="gps",
                          entity="lot_status:L1", entity_version=1, payload=payload)


BID = {"bidder": "河南某科技有限公司", "price": "100.00", "opened_at": "2026-12-22T09:30:00",
       "over_ceiling": False}


@pytest.mark.parametrize("change, said", [
    ({"doc_issue_end": "2026-11-30T09:00:00"}, "doc_issue_end：文件获取截止时间应晚于文件获取开始时间"),
    ({"bid_deadline": "2026-11-30T09:00:00", "open_time": None},
     "bid_deadline：投标截止时间应晚于文件获取开始时间"),
    ({"open_time": "2026-12-21T09:30:00"}, "open_time：开标时间不能早于投标截止时间"),
    ({"bids": [BID, {**BID, "price": "90.00"}]}, "bids：bidder 不能重复"),
])
def test_a_lot_status_the_platform_could_not_have_saved_is_refused(sites, change, said):
    """Times out of order, one bidder opened twice: the trading site's own
    checks refuse both, so a message carrying them is not its own."""
    response = to_gps(sites, _lot_status(**change))
    assert response.status_code == 422 and response.json["error"] == "bad_payload"
    assert said in response.json["message"]


def test_a_lot_status_in_order_passes_the_schema(sites):
    # Applied only once the project is known here: the schema let it through.
    response = to_gps(sites, _lot_status(bids=[BID]))
    assert response.json.get("error") != "bad_payload", response.json


def test_a_committee_with_two_chairs_is_refused(sites):
    member = {"name": "专家甲", "source": "抽取专家", "speciality": None, "work_unit": None,
              "is_chair": True, "state": "在册"}
    payload = {"project_code": "P1", "lot_code": "L1",
               "members": [member, {**member, "name": "专家乙"}]}
    built = envelope.build(type="committee.formed", source="410400", target="gps",
                           entity="committee:L1", entity_version=1, payload=payload)
    response = to_gps(sites, built)
    assert response.status_code == 422 and response.json["error"] == "bad_payload"
    assert "评审组长只能有一人，现为 专家甲、专家乙" in response.json["message"]


@pytest.mark.parametrize("chair, said", [("true", "须为 true 或 false"), (1, "须为 true 或 false"),
                                         ("yes", "须为 true 或 false"), (None, "不能为空值")])
def test_a_chair_flag_is_true_or_false_nothing_that_reads_as_one(sites, chair, said):
    """marshmallow's Boolean took "true", 1 and "yes" (an attack probe's
    committee.formed was applied with them)."""
    member = {"name": "专家甲", "source": "抽取专家", "speciality": None, "work_unit": None,
              "is_chair": chair, "state": "在册"}
    built = envelope.build(type="committee.formed", source="410400", target="gps",
                           entity="committee:L1", entity_version=1,
                           payload={"project_code": "P1", "lot_code": "L1", "members": [member]})
    response = to_gps(sites, built)
    assert response.status_code == 422 and response.json["error"] == "bad_payload"
    assert said in response.json["message"], response.json


def test_an_html_body_may_hold_what_its_editor_pasted():
    """As the forms: a *_html text goes to the sanitiser, not refused; a NUL
    or a lone surrogate is refused in it too."""
    assert envelope.text_refusal({"body_html": "<p>a\x0bb\u202ec</p>"}) is None
    assert envelope.text_refusal({"title": "a\x0bb"}) == envelope.CONTROL_REFUSED
    assert envelope.text_refusal({"body_html": "a\x00"}) == envelope.NUL_REFUSED
    assert envelope.text_refusal({"body_html": "\ud800"}) == envelope.UNENCODABLE_REFUSED
    assert envelope.text_refusal({"lots": [{"name": "\u202e"}]}) == envelope.CONTROL_REFUSED
    assert envelope.text_refusal({"a\x07": 1}) == envelope.CONTROL_REFUSED
