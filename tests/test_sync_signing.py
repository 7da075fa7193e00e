"""Signing: the Standard Webhooks known answer, and key rotation."""
import datetime as dt

import pytest
from standardwebhooks.webhooks import Webhook

from app.extensions import db
from app.models import Peer, PeerKey
from app.sync import signing


def test_standard_webhooks_known_answer():
    """The example published with the Standard Webhooks specification."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    timestamp = dt.datetime.fromtimestamp(1614265330, tz=dt.timezone.utc)
    signature = Webhook(secret).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp,
                                     '{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(app, peer_code, body):
    with app.app_context():
        return signing.sign_headers(peer_code, "msg-1", body, "gps")


def _verify(app, peer_code, body, headers):
    with app.app_context():
        signing.verify(db.session.get(Peer, peer_code), body.encode(), headers)


def test_newest_key_signs_and_every_active_key_verifies(site_factory):
    gps, pds = site_factory("gps"), site_factory("pds")
    body = '{"hello": "世界"}'
    old_headers = _headers(gps, "410400", body)
    new_secret = "whsec_" + "A" * 43 + "="
    for app, peer in ((gps, "410400"), (pds, "gps")):
        with app.app_context():
            db.session.add(PeerKey(peer_code=peer, secret=new_secret, note="rotation"))
            db.session.commit()
    new_headers = _headers(gps, "410400", body)
    assert new_headers["webhook-signature"] != old_headers["webhook-signature"]
    _verify(pds, "gps", body, old_headers)  # during the overlap both are accepted
    _verify(pds, "gps", body, new_headers)
    with pds.app_context():
        pds.test_cli_runner().invoke(args=["sync", "retire-keys", "--peer", "gps"])
    _verify(pds, "gps", body, new_headers)
    with pytest.raises(signing.WebhookVerificationError):
        _verify(pds, "gps", body, old_headers)  # the retired key no longer is


def test_tampered_body_and_stale_timestamp_fail(site_factory):
    gps, pds = site_factory("gps"), site_factory("pds")
    headers = _headers(gps, "410400", '{"a":1}')
    with pytest.raises(signing.WebhookVerificationError):
        _verify(pds, "gps", '{"a":2}', headers)
    stale = dict(headers, **{"webhook-timestamp": str(int(dt.datetime.now().timestamp()) - 301)})
    with pytest.raises(signing.WebhookVerificationError, match="过旧"):
        _verify(pds, "gps", '{"a":1}', stale)


def test_rotation_in_either_order_never_refuses(site_factory):
    """GPS adds the new key first: it signs with both, so 平顶山市 (old key
    only) still accepts; then 平顶山市 adds it; then both retire the old one."""
    gps, pds = site_factory("gps"), site_factory("pds")
    new_secret = "whsec_" + "C" * 43 + "="
    body = '{"step": 1}'
    gps.test_cli_runner().invoke(args=["sync", "add-key", "--peer", "410400",
                                       "--secret", new_secret])
    _verify(pds, "gps", body, _headers(gps, "410400", body))
    pds.test_cli_runner().invoke(args=["sync", "add-key", "--peer", "gps", "--secret", new_secret])
    gps.test_cli_runner().invoke(args=["sync", "retire-keys", "--peer", "410400"])
    _verify(pds, "gps", body, _headers(gps, "410400", body))
    pds.test_cli_runner().invoke(args=["sync", "retire-keys", "--peer", "gps"])
    _verify(pds, "gps", body, _headers(gps, "410400", body))
    with gps.app_context():
        assert signing.active_keys("410400") == [new_secret]


def test_an_unusable_key_stored_before_the_rule_never_stops_a_good_one(site_factory):
    """An undecodable key (saved before keys were checked) made every check
    of the peer fail before the good key was tried."""
    gps, pds = site_factory("gps"), site_factory("pds")
    body = '{"hello": "世界"}'
    headers = _headers(gps, "410400", body)
    with pds.app_context():
        for junk in ("😀", "", "x"):
            db.session.add(PeerKey(peer_code="gps", secret=junk, note="junk"))
        db.session.commit()
    _verify(pds, "gps", body, headers)
