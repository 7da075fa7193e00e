"""Issue 12, items 1, 3 and 6 over real HTTP against `flask run` servers:
REST login limited like the form, login through a Redis outage, and a copied
session cookie and REST token refused after logout, a password change and a
deactivation."""

import pytest
import redis
import requests

from tests.e2e.stack import Stack, UiSession, free_port, start_redis, wait_for

PASSWORD = "DemoPass@2026"


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which the test may stop (the
    session's `redis_url` is shared by other tests)."""
    port = free_port()
    proc = start_redis(tmp_path, port)
    url = f"redis://127.0.0.1:{port}/0"
    yield url, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(5)


@pytest.fixture
def sites(templates, databases, tmp_path, own_redis):
    """GPS and 平顶山 web servers only (no workers), on the test's own Redis,
    with the production login limit."""
    urls = {key: databases.clone(templates[key], f"auth_{key}") for key in ("gps", "pds")}
    s = Stack(urls, own_redis[0], tmp_path)
    s.env["AUTH_RATE_LIMIT"] = "10 per minute"
    yield s
    s.stop_all()


def rest_login(base, username, password, **headers):
    return requests.post(base + "/api/v1/security/login", headers=headers, timeout=10, json={
        "username": username, "password": password, "provider": "db", "refresh": True})


def form_login(base, username, password):
    http = requests.Session()
    page = http.get(base + "/login/", timeout=10).text
    token = UiSession.TOKEN.search(page).group(1)
    return http.post(base + "/login/", data={"username": username, "password": password,
                                             "csrf_token": token},
                     allow_redirects=False, timeout=10)


def test_rest_login_is_limited_on_both_sites_and_the_form_too(sites, own_redis):
    for key, user in (("gps", "jingban"), ("pds", "daili")):
        sites.start_site(key)
        base = sites.url(key)
        codes = [rest_login(base, user, "wrong-Password1").status_code for _ in range(10)]
        assert codes == [401] * 10, key
        refused = rest_login(base, user, PASSWORD)  # the 11th, with the right password
        assert refused.status_code == 429, key
        assert "登录尝试过于频繁" in refused.json()["message"]
        assert int(refused.headers["Retry-After"]) > 0
        english = rest_login(base, user, PASSWORD, **{"Accept-Language": "en"})
        assert "Too many sign-in attempts" in english.json()["message"]
        # The form shares the bucket: guessing through both doors counts once.
        form = form_login(base, user, PASSWORD)
        assert form.status_code == 429 and "登录尝试过于频繁" in form.text
    # The counters live in the sites' Redis, shared by all their processes.
    keys = redis.Redis.from_url(own_redis[0]).keys("*auth-login*")
    assert {k.decode().split("/")[1] for k in keys} >= {"gps", "trading-410400"}


def test_form_login_alone_is_still_limited(sites):
    sites.start_site("gps")
    base = sites.url("gps")
    codes = [form_login(base, "shenhe", "wrong-Password1").status_code for _ in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_one_accounts_failed_sign_ins_are_limited(sites, own_redis):
    sites.env["AUTH_ACCOUNT_LIMIT"] = "3 per minute"
    sites.start_site("gps")
    base = sites.url("gps")
    assert [rest_login(base, "jingban", "wrong-Password1").status_code
            for _ in range(2)] == [401, 401]
    assert form_login(base, "jingban", "wrong-Password1").status_code == 302
    refused = rest_login(base, "jingban", PASSWORD)  # within the address's 10 a minute
    assert refused.status_code == 429 and "该账号登录失败次数过多" in refused.json()["message"]
    assert rest_login(base, "shenhe", PASSWORD).status_code == 200
    # Counted in the sites' Redis, under a hash of the name, never the name.
    keys = [k.decode() for k in redis.Redis.from_url(own_redis[0]).keys("*auth-account*")]
    assert keys and not any("jingban" in key for key in keys)


def test_login_works_while_redis_is_down(sites, own_redis):
    sites.start_site("gps")
    base = sites.url("gps")
    _, redis_proc = own_redis
    redis_proc.terminate()
    redis_proc.wait(5)

    ui = sites.browser("gps", "jingban")  # asserts the 302 of a successful login
    assert ui.http.get(base + "/plans/list/", allow_redirects=False, timeout=10).status_code == 200
    rest = rest_login(base, "jingban", PASSWORD)
    assert rest.status_code == 200 and rest.json()["access_token"]
    assert requests.get(base + "/api/v1/plan/", timeout=10, headers={
        "Authorization": "Bearer " + rest.json()["access_token"]}).status_code == 200

    log = sites.logdir / "web-gps.log"
    wait_for(lambda: "Rate limit storage unreachable" in log.read_text(errors="replace"), 10,
             what="the limiter's warning in the site's log")
    # Guessing is still limited meanwhile, in the process's memory.
    codes = [rest_login(base, "shenhe", "wrong-Password1").status_code for _ in range(12)]
    assert 429 in codes and 500 not in codes


def _thief(ui) -> requests.Session:
    """Another client holding a copy of the user's cookies."""
    other = requests.Session()
    for cookie in ui.http.cookies:
        other.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def _reaches_plans(http, base) -> bool:
    return http.get(base + "/plans/list/", allow_redirects=False, timeout=10).status_code == 200


def test_copied_cookie_is_refused_after_logout_password_change_and_deactivation(sites):
    sites.start_site("gps")
    base = sites.url("gps")

    # Logout: the copied cookie and the user's REST token both end.
    ui = sites.browser("gps", "jingban")
    thief = _thief(ui)
    token = rest_login(base, "jingban", PASSWORD).json()["access_token"]
    assert _reaches_plans(thief, base)
    ui.http.get(base + "/logout/", timeout=10)
    assert not _reaches_plans(thief, base)
    refused = requests.get(base + "/api/v1/plan/", timeout=10,
                           headers={"Authorization": "Bearer " + token})
    assert refused.status_code == 401 and "登录已失效" in refused.json()["message"]

    # The user changes their own password: this browser stays, the copy does not.
    ui = sites.browser("gps", "jingban")
    thief = _thief(ui)
    new = "NewDemoPass@2027"
    done = ui.post("/resetmypassword/form", {"password": new, "conf_password": new})
    assert done.status_code == 200
    assert _reaches_plans(ui.http, base)
    assert not _reaches_plans(thief, base)

    # The admin deactivates the user.
    ui = sites.browser("gps", "jingban", new)
    thief = _thief(ui)
    token = rest_login(base, "jingban", new).json()["access_token"]
    user_id, first, last, email, org = sites.query(
        "gps", "select id, first_name, last_name, email, organisation_id from ab_user "
               "where username = 'jingban'")[0]
    roles = [r[0] for r in sites.query("gps", f"select role_id from ab_user_role "
                                              f"where user_id = {user_id}")]
    admin = sites.browser("gps", "admin")
    done = admin.post(f"/users/edit/{user_id}", {
        "first_name": first, "last_name": last, "username": "jingban", "email": email,
        "roles": [str(r) for r in roles], "organisation": str(org)})
    assert done.status_code == 200
    assert sites.query("gps", f"select active from ab_user where id = {user_id}")[0][0] in (0, False)
    assert not _reaches_plans(thief, base)
    assert not _reaches_plans(ui.http, base)
    assert requests.get(base + "/api/v1/plan/", timeout=10,
                        headers={"Authorization": "Bearer " + token}).status_code == 401
