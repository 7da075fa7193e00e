"""Issue 12, items 1, 3 and 6 in-process: every login door is limited, a
Redis outage does not stop people signing in, and ending a session (logout,
password change, deactivation) works server-side. The same over real HTTP:
tests/e2e/test_auth_over_http.py."""
import logging

from app.extensions import db
from tests.helpers import DEMO_PASSWORD, bearer, csrf_token, form_token, logged_in, login

NEW_PASSWORD = "NewDemoPass@2027"


def rest_login(client, username, password, **headers):
    return client.post("/api/v1/security/login", headers=headers, json={
        "username": username, "password": password, "provider": "db", "refresh": True})


# --- item 1: REST login and token refresh are limited --------------------

def test_rest_login_is_limited_and_shares_the_forms_bucket(site_factory):
    app = site_factory("gps", AUTH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [rest_login(client, "jingban", "wrong-Password1").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    refused = rest_login(client, "jingban", DEMO_PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert "登录尝试过于频繁" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 0
    english = rest_login(client, "jingban", DEMO_PASSWORD, **{"Accept-Language": "en-GB,en"})
    assert english.status_code == 429 and "Too many sign-in attempts" in english.json["message"]
    # One bucket for both doors: the form is refused too, in Chinese.
    form = login(client, "jingban")
    assert form.status_code == 429 and "登录尝试过于频繁" in form.get_data(as_text=True)


def test_form_attempts_count_against_rest_login(site_factory):
    app = site_factory("gps", AUTH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [login(client, "jingban", "wrong-Password1").status_code for _ in range(2)] == [302, 302]
    assert rest_login(client, "jingban", DEMO_PASSWORD).status_code == 429


def test_token_refresh_is_limited_in_its_own_bucket(site_factory):
    app = site_factory("gps", AUTH_RATE_LIMIT="2 per minute")
    client = app.test_client()
    refresh = rest_login(client, "jingban", DEMO_PASSWORD).json["refresh_token"]
    codes = [client.post("/api/v1/security/refresh", headers=bearer(refresh)).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "刷新令牌" in client.post("/api/v1/security/refresh",
                                  headers=bearer(refresh)).json["message"]


def test_limits_apply_on_trading_sites(site_factory):
    app = site_factory("pds", AUTH_RATE_LIMIT="1 per minute")
    client = app.test_client()
    assert rest_login(client, "daili", "wrong-Password1").status_code == 401
    assert rest_login(client, "daili", DEMO_PASSWORD).status_code == 429


# --- failed sign-ins of one account, from any address ------------------

def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_accounts_failures_are_limited_across_addresses(site_factory):
    app = site_factory("gps", AUTH_RATE_LIMIT="2 per minute", AUTH_ACCOUNT_LIMIT="3 per minute")
    # Three addresses, one wrong password each: within each address's limit.
    codes = [rest_login(from_address(app, f"10.0.0.{n}"), "jingban", "wrong-Password1")
             .status_code for n in (1, 2, 3)]
    assert codes == [401, 401, 401]
    # A fourth address, the right password, the name in other letters' case:
    # the account is locked for now.
    refused = rest_login(from_address(app, "10.0.0.4"), "JingBan", DEMO_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "该账号登录失败次数过多" in refused.json["message"]
    english = rest_login(from_address(app, "10.0.0.5"), "jingban", DEMO_PASSWORD,
                         **{"Accept-Language": "en"})
    assert english.status_code == 429 and "this account" in english.json["message"]
    form = login(from_address(app, "10.0.0.6"), "jingban")
    assert form.status_code == 429 and "该账号登录失败次数过多" in form.get_data(as_text=True)
    # Another account signs in as usual, from any of those addresses.
    assert rest_login(from_address(app, "10.0.0.4"), "shenhe", DEMO_PASSWORD).status_code == 200
    assert login(from_address(app, "10.0.0.7"), "shenhe").status_code == 302


def test_only_refused_sign_ins_count_against_an_account(site_factory):
    app = site_factory("gps", AUTH_ACCOUNT_LIMIT="2 per minute")
    client = app.test_client()
    assert [rest_login(client, "jingban", DEMO_PASSWORD).status_code
            for _ in range(4)] == [200] * 4
    assert [login(app.test_client(), "jingban").status_code for _ in range(3)] == [302] * 3
    # A refresh names no account; a login without a name is left to the
    # address's limit.
    refresh = rest_login(client, "jingban", DEMO_PASSWORD).json["refresh_token"]
    assert [client.post("/api/v1/security/refresh", headers=bearer(refresh)).status_code
            for _ in range(3)] == [200] * 3
    assert client.post("/api/v1/security/login", json={"password": "x", "provider": "db"}
                       ).status_code in (400, 401, 422)
    # Form and REST failures add up: one each, then even the right password waits.
    assert login(app.test_client(), "jingban", "wrong-Password1").status_code == 302
    assert rest_login(client, "jingban", "wrong-Password1").status_code == 401
    assert rest_login(client, "jingban", DEMO_PASSWORD).status_code == 429


def test_an_administrator_unlocks_an_account(site_factory):
    app = site_factory("gps", AUTH_ACCOUNT_LIMIT="2 per minute")
    client = app.test_client()
    for name in ("jingban", "shenhe"):
        assert [rest_login(client, name, "wrong-Password1").status_code
                for _ in range(2)] == [401, 401]
    assert rest_login(client, "jingban", DEMO_PASSWORD).status_code == 429
    runner = app.test_cli_runner()
    done = runner.invoke(args=["users", "unlock", "JingBan"])
    assert done.exit_code == 0 and "已解除账号" in done.output
    assert rest_login(client, "jingban", DEMO_PASSWORD).status_code == 200
    # Only that account: the other is still locked.
    assert rest_login(client, "shenhe", DEMO_PASSWORD).status_code == 429
    unknown = runner.invoke(args=["users", "unlock", "nobody"])
    assert unknown.exit_code != 0 and "没有用户名为" in unknown.output
    down = site_factory("gps", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    refused = down.test_cli_runner().invoke(args=["users", "unlock", "jingban"])
    assert refused.exit_code == 1 and "无法清除登录失败计数" in refused.output


def test_the_account_limit_on_trading_sites(site_factory):
    app = site_factory("pds", AUTH_ACCOUNT_LIMIT="1 per minute")
    assert rest_login(from_address(app, "10.0.1.1"), "daili", "wrong-Password1").status_code == 401
    assert rest_login(from_address(app, "10.0.1.2"), "daili", DEMO_PASSWORD).status_code == 429


# --- item 3: Redis down -------------------------------------------------

def test_login_works_while_the_limiters_redis_is_down(site_factory, caplog):
    # Port 1 on loopback: connection refused, as with a stopped Redis.
    app = site_factory("gps", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                       AUTH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="security.auth"):
        assert login(client, "jingban").status_code == 302
        assert client.get("/plans/list/").status_code == 200
        assert rest_login(app.test_client(), "jingban", DEMO_PASSWORD).status_code == 200
    assert any(r.name == "security.auth" and r.levelno == logging.WARNING
               and "unreachable" in r.getMessage() for r in caplog.records)
    # Still limited meanwhile, in this process's memory.
    other = app.test_client()
    codes = [rest_login(other, "jingban", "wrong-Password1").status_code for _ in range(3)]
    assert 429 in codes


# --- item 6: ending sessions --------------------------------------------

def _copy_session(app, client):
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _reaches_plans(client) -> bool:
    return client.get("/plans/list/").status_code == 200


def test_a_copied_cookie_dies_at_logout(gps):
    client = logged_in(gps, "jingban")
    thief = _copy_session(gps, client)
    assert _reaches_plans(thief)
    client.get("/logout/")
    assert not _reaches_plans(thief)
    assert not _reaches_plans(client)
    assert _reaches_plans(logged_in(gps, "jingban"))  # signing in again works


def test_logout_revokes_the_users_rest_tokens(gps):
    """退出 ends every session of the user, a script's token included: a
    copied token must not outlive it. Signing in again gives one that works."""
    tokens = rest_login(gps.test_client(), "jingban", DEMO_PASSWORD).json
    api = gps.test_client()
    assert api.get("/api/v1/plan/", headers=bearer(tokens["access_token"])).status_code == 200
    other = rest_login(gps.test_client(), "chushen", DEMO_PASSWORD).json["access_token"]

    logged_in(gps, "jingban").get("/logout/")
    revoked = api.get("/api/v1/plan/", headers=bearer(tokens["access_token"]))
    assert revoked.status_code == 401 and "登录已失效" in revoked.json["message"]
    assert api.post("/api/v1/security/refresh",
                    headers=bearer(tokens["refresh_token"])).status_code == 401
    # Another user's token is not touched.
    assert api.get("/api/v1/plan/", headers=bearer(other)).status_code == 200
    fresh = rest_login(gps.test_client(), "jingban", DEMO_PASSWORD).json["access_token"]
    assert api.get("/api/v1/plan/", headers=bearer(fresh)).status_code == 200


def test_own_password_change_keeps_this_browser_and_ends_the_others(gps):
    client = logged_in(gps, "jingban")
    thief = _copy_session(gps, client)
    done = client.post("/resetmypassword/form", data={
        "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
        "csrf_token": form_token(client)})
    assert done.status_code == 302
    assert _reaches_plans(client)
    assert not _reaches_plans(thief)


def test_admin_password_reset_and_deactivation_end_sessions_and_tokens(gps):
    admin = logged_in(gps, "admin")
    victim = logged_in(gps, "jingban")
    tokens = rest_login(gps.test_client(), "jingban", DEMO_PASSWORD).json
    api = gps.test_client()
    assert api.get("/api/v1/plan/", headers=bearer(tokens["access_token"])).status_code == 200
    with gps.app_context():
        user_id = gps.appbuilder.sm.find_user(username="jingban").id
        db.session.remove()
    done = admin.post(f"/resetpassword/form?pk={user_id}", data={
        "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD,
        "csrf_token": csrf_token(admin, f"/resetpassword/form?pk={user_id}")})
    assert done.status_code == 302
    assert not _reaches_plans(victim)
    revoked = api.get("/api/v1/plan/", headers=bearer(tokens["access_token"]))
    assert revoked.status_code == 401 and "登录已失效" in revoked.json["message"]
    assert api.post("/api/v1/security/refresh",
                    headers=bearer(tokens["refresh_token"])).status_code == 401

    # New password, new session and token; then the admin deactivates the user.
    victim = logged_in_with(gps, "jingban", NEW_PASSWORD)
    token = rest_login(gps.test_client(), "jingban", NEW_PASSWORD).json["access_token"]
    assert _reaches_plans(victim)
    deactivate(gps, admin, user_id)
    assert not _reaches_plans(victim)
    assert api.get("/api/v1/plan/", headers=bearer(token)).status_code == 401
    with gps.app_context():
        user = gps.appbuilder.sm.find_user(username="jingban")
        assert user.active is False and user.session_version >= 2
        # Reactivated: the old cookie stays dead.
        user.active = True
        db.session.commit()
        db.session.remove()
    assert not _reaches_plans(victim)


def logged_in_with(app, username, password):
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def deactivate(app, admin, user_id):
    """Untick 活动 in the admin's user form, keeping every other field."""
    with app.app_context():
        user = app.appbuilder.sm.get_user_by_id(user_id)
        data = {"first_name": user.first_name, "last_name": user.last_name,
                "username": user.username, "email": user.email,
                "roles": [str(r.id) for r in user.roles],
                "organisation": str(user.organisation_id or "")}
        db.session.remove()
    data["csrf_token"] = csrf_token(admin, f"/users/edit/{user_id}")
    done = admin.post(f"/users/edit/{user_id}", data=data)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
