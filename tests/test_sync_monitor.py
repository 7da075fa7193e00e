"""【同步监控】 for Admin: lists, the full envelope, 【重新推送】, rq-dashboard."""
import pytest

from app.extensions import db
from app.models import OutboxMessage
from app.sync import delivery, outbox
from tests.helpers import HEALTH, form_token, logged_in


def _dead_message(app):
    with app.test_request_context():
        row = outbox.send("plan.filed", "410400", "plan:M-1", 1, {"plan_no": "M-1"})
        db.session.commit()
        delivery.record_outcome(row, 422, '{"error":"bad_payload"}')
        return row.id, row.message_id


def test_admin_sees_the_outbox_and_a_messages_envelope(gps):
    pk, message_id = _dead_message(gps)
    client = logged_in(gps, "admin")
    listing = client.get("/sync/outbox/list/").get_data(as_text=True)
    assert "plan:M-1" in listing and "死信" in listing and "bad_payload" in listing
    shown = client.get(f"/sync/outbox/show/{pk}").get_data(as_text=True)
    assert message_id in shown and "&#34;entity_version&#34;:1" in shown.replace('"', "&#34;")


def test_replay_action_requeues_a_dead_message(gps):
    pk, message_id = _dead_message(gps)
    client = logged_in(gps, "admin")
    client.post("/sync/outbox/action_post", data={
        "action": "replay", "rowid": [str(pk)], "csrf_token": form_token(client)})
    with gps.app_context():
        assert db.session.get(OutboxMessage, pk).state == "待推送"


@pytest.mark.parametrize("user", ["jingban", "chushen", "jianguan"])
@pytest.mark.parametrize("url", ["/sync/outbox/list/", "/sync/inbox/list/",
                                 "/sync/refused/list/", "/sync/peers/list/", "/rq/"])
def test_only_admin_may_monitor(gps_demo, user, url):
    assert logged_in(gps_demo, user).get(url).status_code == 403


def test_rq_dashboard_for_admin_only(gps_demo):
    assert gps_demo.test_client().get("/rq/").status_code == 401
    assert logged_in(gps_demo, "admin").get("/rq/").status_code == 200


def test_health_reports_the_backlog(gps):
    _dead_message(gps)
    with gps.test_request_context():
        outbox.send("plan.filed", "410400", "plan:M-2", 1, {"plan_no": "M-2"})
        db.session.commit()
    sync = gps.test_client().get("/health", headers=HEALTH).json["sync"]
    assert sync["dead_letters"] >= 1 and sync["undelivered"] >= 1
    assert sync["oldest_undelivered_age_seconds"] is not None
    assert sync["queue_depth"]["410400"] >= 1
