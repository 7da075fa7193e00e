"""Issue 12, items 8–10 over real HTTP, as they were found: `flask run`
servers (and gunicorn for the Server header) on SQLite files."""
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.stack import HEALTH_TOKEN, ROOT, SITE_ENV, Stack, free_port, wait_for
from tests.test_robustness import PLAN, deep_pdf

PASSWORD = "DemoPass@2026"

# SQLite behaviour (file modes, "database is locked"): nothing to test on PostgreSQL.
SQLITE_ONLY = pytest.mark.skipif(os.environ.get("TEST_DB") == "postgres",
                                 reason="SQLite only")


@pytest.fixture(scope="module")
def sites(templates, databases, redis_url, tmp_path_factory):
    """GPS and 平顶山 web servers only (no sync processes); a short busy
    timeout so that a held SQLite lock is answered quickly."""
    urls = {key: databases.clone(templates[key], f"robust_{key}") for key in ("gps", "pds")}
    from tests.filings import with_published_result

    with_published_result(urls["gps"], redis_url)  # a winner change needs one
    stack = Stack(urls, redis_url, tmp_path_factory.mktemp("robust-logs"))
    stack.env["SQLITE_BUSY_TIMEOUT_MS"] = "300"
    stack.point_peers_at_ports()
    for key in urls:
        stack.start_site(key)
    yield stack
    stack.stop_all()


def sqlite_path(stack, key) -> str:
    return stack.db_urls[key].removeprefix("sqlite:///")


# --- item 8 ---------------------------------------------------------------------

def test_unparsable_rison_on_rest_lists_is_400(sites):
    for key, user, path in (("gps", "jingban", "/api/v1/plan/"),
                            ("pds", "keshi", "/api/v1/acceptance/"),
                            ("pds", "keshi", "/api/v1/lot/")):
        api = sites.api(key, user)
        response = api.get(sites.url(key) + path, params={"q": "((((("}, timeout=10)
        assert response.status_code == 400, (path, response.text[:300])
        assert response.json()["message"] == "查询参数q不是有效的Rison或JSON。"


def test_huge_feed_watermark_is_400(sites, site_factory):
    """平顶山 reads GPS's feed with a signed request whose `since` no database
    integer can hold (it was a 500 from the SQLite driver's overflow)."""
    from app.extensions import db
    from app.models import Peer
    from app.sync import feed

    reader = site_factory("pds")
    with reader.app_context():
        db.session.get(Peer, "gps").base_url = sites.url("gps")
        db.session.commit()
        with pytest.raises(requests.HTTPError) as refused:
            feed.reconcile("gps", since=99999999999999999999999)
        db.session.remove()
    assert refused.value.response.status_code == 400
    assert refused.value.response.json()["error"] == "bad_since"


def test_rq_dashboard_refuses_get_requeue_and_unknown_instance(sites):
    admin = sites.browser("gps", "admin")
    base = sites.url("gps")
    assert admin.http.get(base + "/rq/requeue/sync-gps-to-410400", timeout=10).status_code == 405
    assert admin.http.get(base + "/rq/1/view/queues", timeout=10).status_code == 404
    assert admin.http.get(base + "/rq/1/data/queues.json", timeout=10).status_code == 404
    assert admin.http.get(base + "/rq/", timeout=10).status_code == 200


def test_deeply_nested_pdf_upload_is_refused_with_a_message(sites):
    [[plan_id]] = sites.query("gps", "select p.id from plan p join ab_user u "
                                     "on u.organisation_id = p.unit_id where "
                                     "u.username = 'jingban' and p.state = '已备案' "
                                     "order by p.id limit 1")
    before = sites.query("gps", "select count(*) from winner_change")
    from tests.filings import FIELDS

    [[lot]] = sites.query("gps", "select l.code from lot_replica l join project_replica p "
                                 f"on p.project_code = l.project_code where p.plan_id = {plan_id} "
                                 "and l.seq = 1")
    jingban = sites.browser("gps", "jingban")
    response = jingban.http.post(sites.url("gps") + f"/winner-changes/add?plan={plan_id}", data={
        "csrf_token": jingban.token(), "lot_codes": lot, **FIELDS},
        files={"statement_file": ("情况说明.pdf", deep_pdf(), "application/pdf")}, timeout=30)
    assert response.status_code == 200
    assert "内容不是有效的PDF文件" in response.text
    assert sites.query("gps", "select count(*) from winner_change") == before


# --- item 9 ---------------------------------------------------------------------

def test_rest_validation_in_chinese_with_limits(sites):
    api = sites.api("gps", "jingban")
    url = sites.url("gps") + "/api/v1/plan/"
    for changes, field, message in (
            ({"expected_date": "0001-01-01"}, "expected_date", "须在2000-01-01至2099-12-31之间。"),
            ({"expected_date": "9999-12-31"}, "expected_date", "须在2000-01-01至2099-12-31之间。"),
            ({"expected_date": "not a day"}, "expected_date", "不是有效的日期或时间。"),
            ({"remark": "备" * 1_700_000}, "remark", "长度不能超过2000个字符。"),
            ({"contact": "张" * 65}, "contact", "长度不能超过64个字符。"),
            ({"surprise": 1}, "surprise", "未知字段。")):
        response = api.post(url, json={**PLAN, **changes}, timeout=30)
        assert response.status_code == 422, (changes.keys(), response.text[:300])
        assert response.json()["message"][field] == [message]
    english = api.post(url + "?_l_=en", json={**PLAN, "surprise": 1}, timeout=10)
    assert english.json()["message"]["surprise"] == ["Unknown field."]
    assert sites.query("gps", f"select count(*) from plan where project_name = "
                              f"'{PLAN['project_name']}'") == [[0]]


# --- item 10 --------------------------------------------------------------------

def test_database_files_are_private(sites):
    for key in ("gps", "pds"):
        path = Path(sqlite_path(sites, key))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists():
                assert stat.S_IMODE(name.stat().st_mode) == 0o600, name


def test_health_gives_strangers_only_ok(sites):
    for key in ("gps", "pds"):
        anonymous = requests.get(sites.url(key) + "/health", timeout=5)
        assert anonymous.status_code == 200 and anonymous.json() == {"ok": True}
        detailed = sites.health(key)  # with the bearer token
        assert detailed["ok"] and "sync" in detailed and "calendar" in detailed
    sync = sites.health("gps")["sync"]
    assert {"undelivered", "dead_letters", "oldest_undelivered_age_seconds"} <= set(sync)
    admin = sites.browser("gps", "admin")
    assert "sync" in admin.http.get(sites.url("gps") + "/health", timeout=5).json()
    clerk = sites.browser("gps", "jingban")
    assert clerk.http.get(sites.url("gps") + "/health", timeout=5).json() == {"ok": True}
    assert HEALTH_TOKEN


@pytest.fixture
def gunicorn_gps(sites, tmp_path):
    """GPS under gunicorn, as deployed (it reads ./gunicorn.conf.py from the
    working directory), on the module's database: its base URL."""
    port = free_port()
    env = {**sites.env, **SITE_ENV["gps"]}
    log = open(tmp_path / "gunicorn.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b",
                             f"127.0.0.1:{port}", "run:app"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def answered():
        try:
            return requests.get(f"http://127.0.0.1:{port}/login/", timeout=2).ok
        except requests.RequestException:
            return None
    try:
        wait_for(answered, 60, what="gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def test_server_header_names_no_software(sites, gunicorn_gps):
    for response in (requests.get(sites.url("gps") + "/login/", timeout=5),
                     requests.get(sites.url("gps") + "/no-such-page", timeout=5)):
        server = response.headers.get("Server", "")
        assert not re.search(r"werkzeug|python", server, re.I), server
    response = requests.get(gunicorn_gps + "/login/", timeout=5)
    raw = response.raw.headers.getlist("Server") if hasattr(response.raw.headers, "getlist") \
        else [response.headers.get("Server", "")]
    assert raw and all(not re.search(r"gunicorn|werkzeug|python", s, re.I) for s in raw), raw


def _raw_request(base, request: bytes) -> bytes:
    """Send bytes no HTTP library would; the whole answer."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_requests_gunicorn_cannot_read_are_refused_in_chinese(gunicorn_gps):
    """An attack probe found gunicorn's own English page for a request line
    over 4 KB. A URL up to 8 KB (nginx's buffers) now reaches the site; one
    longer, too many headers or a malformed line is refused by gunicorn
    with a Chinese page and the status that says why."""
    long_search = gunicorn_gps + "/login/?next=%2F&q=" + "x" * 6000
    assert requests.get(long_search, timeout=10).status_code == 200  # over 4,094, read

    too_long = requests.get(gunicorn_gps + "/login/?q=" + "x" * 9000, timeout=10)
    assert too_long.status_code == 414
    assert too_long.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "网址过长" in too_long.text and "请求未被处理" in too_long.text

    many = requests.get(gunicorn_gps + "/login/", timeout=10,
                        headers={f"X-Probe-{n}": "1" for n in range(150)})
    assert many.status_code == 431 and "请求头过多或过大" in many.text

    for line in (b"GET /login/ HTTP/9.9\r\n\r\n", b"\x16\x03\x01 junk\r\n\r\n",
                 b"G@T /login/ HTTP/1.1\r\n\r\n"):
        answer = _raw_request(gunicorn_gps, line)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert "请求格式不正确" in body.decode(), answer[:300]
    # The site still serves after all of them.
    assert requests.get(gunicorn_gps + "/login/", timeout=10).status_code == 200


@SQLITE_ONLY
def test_database_locked_is_503_and_pages_still_read(sites):
    api = sites.api("gps", "jingban")
    page = sites.browser("gps", "jingban")
    blocker = sqlite3.connect(sqlite_path(sites, "gps"), timeout=5)
    blocker.execute("BEGIN IMMEDIATE")  # a writer that does not let go
    try:
        busy = api.post(sites.url("gps") + "/api/v1/plan/", json=PLAN, timeout=30)
        # WAL: reading goes on while another holds the write lock.
        listing = page.http.get(sites.url("gps") + "/plans/list/", timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
    assert busy.status_code == 503, busy.text[:300]
    assert busy.json()["message"].startswith("系统繁忙")
    assert listing.status_code == 200
    retried = api.post(sites.url("gps") + "/api/v1/plan/", json=PLAN, timeout=30)
    assert retried.status_code == 201, retried.text[:300]
