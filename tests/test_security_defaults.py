"""Secure defaults: headers, cookies, CSRF, login throttling, passwords, /health."""
import redis
from werkzeug.security import check_password_hash

from app.extensions import db
from tests.helpers import DEMO_PASSWORD, HEALTH, csrf_token, logged_in, login


def test_security_headers(gps_demo):
    response = gps_demo.test_client().get("/login/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(gps_demo):
    client = gps_demo.test_client()
    response = login(client, "jingban")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("session_gps="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_behind_https(site_factory):
    app = site_factory("gps", SESSION_COOKIE_SECURE=True)
    response = login(app.test_client(), "jingban")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session_gps="))
    assert "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_login_without_csrf_token_does_not_log_in(gps_demo):
    client = gps_demo.test_client()
    client.get("/login/")
    response = client.post("/login/", data={"username": "jingban", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert client.get("/plans/list/").status_code == 302


def test_login_is_rate_limited_in_redis(site_factory, redis_url):
    app = site_factory("gps", AUTH_RATE_LIMIT="3 per minute",
                       RATELIMIT_KEY_PREFIX="throttle-test")
    client = app.test_client()
    codes = [login(client, "jingban", "wrong-Password1").status_code for _ in range(4)]
    assert codes[:3] == [302, 302, 302] and codes[3] == 429
    keys = redis.Redis.from_url(redis_url).keys("*throttle-test*")
    assert keys, "the limiter's counters live in Redis, shared by every process"


def test_weak_password_is_refused(gps):
    client = logged_in(gps, "admin")
    with gps.app_context():
        role_id = gps.appbuilder.sm.find_role("采购单位经办岗").id
    response = client.post("/users/add", data={
        "first_name": "弱", "last_name": "密码", "username": "weakling",
        "email": "weak@demo.invalid", "roles": [str(role_id)], "active": "y",
        "password": "password", "conf_password": "password",
        "csrf_token": csrf_token(client, "/users/add")})
    assert response.status_code == 200
    with gps.app_context():
        assert gps.appbuilder.sm.find_user(username="weakling") is None


def test_health_reports_database_and_redis(gps_demo, pds_demo):
    for app, site in ((gps_demo, "gps"), (pds_demo, "trading")):
        body = app.test_client().get("/health", headers=HEALTH).json
        assert body["ok"] and body["site"] == site
        assert body["database"]["ok"] and body["redis"]["ok"]


def test_health_is_503_when_redis_is_down(site_factory):
    app = site_factory("gps", REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/health", headers=HEALTH)
    assert response.status_code == 503
    assert response.json["redis"]["ok"] is False and response.json["database"]["ok"]


def test_open_redirect_after_login_is_refused(gps_demo):
    client = gps_demo.test_client()
    token = csrf_token(client, "/login/")
    response = client.post("/login/?next=https://evil.example/steal", data={
        "username": "jingban", "password": DEMO_PASSWORD, "csrf_token": token})
    assert "evil.example" not in response.headers.get("Location", "")


def test_password_hashes_are_not_plain(gps_demo):
    with gps_demo.app_context():
        user = gps_demo.appbuilder.sm.find_user(username="jingban")
        assert DEMO_PASSWORD not in user.password
        db.session.remove()


def test_a_password_the_site_sets_gets_scrypts_full_cost(gps):
    """The templates' demo users carry cheaper hashes (tests/conftest.py,
    TEMPLATE_HASH); a password set through the site keeps werkzeug's default."""
    from tests.conftest import TEMPLATE_HASH

    with gps.test_request_context(), gps.app_context():
        sm = gps.appbuilder.sm
        assert sm.find_user(username="jingban").password.startswith(TEMPLATE_HASH + "$")
        sm.reset_password(sm.find_user(username="jingban").id, "Another@Pass2026")
        stored = sm.find_user(username="jingban").password
        assert stored.startswith("scrypt:32768:8:1$")
        assert check_password_hash(stored, "Another@Pass2026")
        db.session.remove()
