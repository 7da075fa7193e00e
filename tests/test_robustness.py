"""Issue 12, items 8–10 in-process: no 500 for odd input, REST validation in
the user's language with limits on text and dates, private SQLite files,
/health details only for those allowed, a CSP without inline scripts.
The same findings over real HTTP: tests/e2e/test_robustness_over_http.py."""
import os
import re
import stat
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Plan
from tests.helpers import HEALTH, api_token, bearer, csrf_token, logged_in

ROOT = Path(__file__).resolve().parents[1]
PLAN = {
    "project_name": "稳健性测试课桌椅采购", "procurement_method": "公开招标", "category": "货物",
    "item_name": "A05010201 课桌椅", "budget": "1000000.00", "fund_source": "财政性资金",
    "expected_date": "2026-12-15", "platform": "410400", "interconnected": True,
    "contact": "张经办", "phone": "0375-1234567",
}

# SQLite behaviour (file modes, "database is locked"): nothing to test on PostgreSQL.
SQLITE_ONLY = pytest.mark.skipif(os.environ.get("TEST_DB") == "postgres",
                                 reason="SQLite only")


def deep_pdf(depth=2000) -> bytes:
    """A PDF whose page tree nests `depth` /Pages nodes one inside the other."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    for n in range(depth):
        parent = f" /Parent {n + 1} 0 R" if n else ""
        objects.append(f"<< /Type /Pages /Kids [{n + 3} 0 R] /Count 1{parent} >>")
    objects.append(f"<< /Type /Page /Parent {depth + 1} 0 R /MediaBox [0 0 10 10] >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def nested_array_pdf(depth=5000) -> bytes:
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /X " + b"[" * depth + b"]" * depth
            + b" >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _plans_named(app, name):
    with app.app_context():
        return db.session.query(Plan).filter_by(project_name=name).count()


# --- item 8: 500s -------------------------------------------------------------

@pytest.mark.parametrize("q", ["(((((", "!", "(a:", "(" * 3000, "'"])
def test_unparsable_rison_is_a_400_on_every_list(gps_demo, pds_demo, q):
    for app, user, url in ((gps_demo, "jingban", "/api/v1/plan/"),
                           (gps_demo, "admin", "/api/v1/organisation/"),
                           (pds_demo, "keshi", "/api/v1/acceptance/"),
                           (pds_demo, "keshi", "/api/v1/acceptance/_info")):
        client = app.test_client()
        response = client.get(url, query_string={"q": q},
                              headers=bearer(api_token(client, user)))
        assert response.status_code == 400, (url, q, response.get_data(as_text=True)[:300])
        assert response.json["message"] == "查询参数q不是有效的Rison或JSON。"


def test_rison_error_in_english_when_asked(gps_demo):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/", query_string={"q": "(((((", "_l_": "en"},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert response.json["message"] == "Not a valid rison/json argument."


@pytest.mark.parametrize("make", [deep_pdf, nested_array_pdf], ids=["page tree", "arrays"])
def test_hostile_pdf_is_refused_not_a_500(gps_demo, make):
    from app import attachments

    with gps_demo.app_context():
        message = attachments.pdf_error("说明.pdf", make())
    assert "不是有效的PDF文件" in message


def test_rq_dashboard_requeue_needs_post_and_unknown_instance_is_404(gps_demo):
    admin = logged_in(gps_demo, "admin")
    assert admin.get("/rq/requeue/sync-gps-to-410400").status_code == 405
    assert admin.get("/rq/1/view/queues").status_code == 404
    assert admin.get("/rq/7/data/queues.json").status_code == 404
    assert admin.get("/rq/").status_code == 200
    # POST without a CSRF token is refused by the site's CSRF check.
    assert admin.post("/rq/requeue/sync-gps-to-410400").status_code == 400


# --- item 9: validation ----------------------------------------------------------

def test_rest_errors_are_chinese_and_english_when_asked(gps):
    client = gps.test_client()
    headers = bearer(api_token(client, "jingban"))
    body = {**PLAN, "expected_date": "2026-13-45", "contact": "张" * 201, "colour": "red"}
    response = client.post("/api/v1/plan/", json=body, headers=headers)
    assert response.status_code == 422
    message = response.json["message"]
    assert message["expected_date"] == ["不是有效的日期或时间。"]
    assert message["colour"] == ["未知字段。"]
    assert "长度不能超过" in str(message["contact"])
    english = client.post("/api/v1/plan/?_l_=en", json=body, headers=headers).json["message"]
    assert english["expected_date"] == ["Not a valid date."]
    assert english["colour"] == ["Unknown field."]
    assert "Longer than maximum length" in str(english["contact"])
    missing = client.post("/api/v1/plan/", json={}, headers=headers).json["message"]
    assert "必填项，不能为空。" in str(missing)
    assert _plans_named(gps, PLAN["project_name"]) == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"])
def test_plan_date_outside_a_sensible_range_is_refused(gps, day):
    client = gps.test_client()
    response = client.post("/api/v1/plan/", json={**PLAN, "expected_date": day},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"]["expected_date"] == ["须在2000-01-01至2099-12-31之间。"]
    form = logged_in(gps, "jingban")
    page = form.post("/plans/add", data={
        **PLAN, "interconnected": "y", "agency": "", "expected_date": day,
        "csrf_token": csrf_token(form, "/plans/add")})
    assert "日期须在2000-01-01至2099-12-31之间" in page.get_data(as_text=True)
    assert _plans_named(gps, PLAN["project_name"]) == 0


def test_huge_remark_is_refused_in_rest_and_form(gps):
    huge = "备" * 1_700_000
    client = gps.test_client()
    response = client.post("/api/v1/plan/", json={**PLAN, "remark": huge},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 422
    assert response.json["message"]["remark"] == ["长度不能超过2000个字符。"]
    form = logged_in(gps, "jingban")
    page = form.post("/plans/add", data={**PLAN, "interconnected": "y", "agency": "",
                                         "remark": huge,
                                         "csrf_token": csrf_token(form, "/plans/add")})
    assert "不能超过2000个字符" in page.get_data(as_text=True)
    assert _plans_named(gps, PLAN["project_name"]) == 0
    ok = client.post("/api/v1/plan/", json={**PLAN, "remark": "备" * 2000},
                     headers=bearer(api_token(client, "jingban")))
    assert ok.status_code == 201, ok.get_data(as_text=True)


def test_every_text_column_of_every_api_has_a_maximum(gps_demo, pds_demo):
    """A new model's Text column gets the limit without anyone remembering."""
    from marshmallow import validate
    from sqlalchemy import Text

    from app.views.common.base import ReadWriteApi
    from app.views.common.validation import both

    for app in (gps_demo, pds_demo):
        for api in app.appbuilder.baseviews:
            if not isinstance(api, ReadWriteApi) or api.add_model_schema is None:
                continue
            for name, field in api.add_model_schema.fields.items():
                column = api.datamodel.obj.__table__.columns.get(name)
                if column is None or not isinstance(column.type, Text):
                    continue
                assert field.validators, f"{type(api).__name__}.{name} has no maximum"
                checks = [inner for v in field.validators
                          for inner in (v.parts if isinstance(v, both) else [v])]
                limits = [v for v in checks if isinstance(v, validate.Length)]
                assert limits and limits[0].max, f"{type(api).__name__}.{name}"


# --- item 10: files and information ------------------------------------------------

@SQLITE_ONLY
def test_sqlite_files_and_instance_dir_are_private(site_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_ROOT", str(tmp_path / "instance"))
    app = site_factory("gps")
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        path = Path(db.engine.url.database)
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() == 10000
        # 32 MB of page cache (negative: KiB), not SQLite's 2 MB.
        assert db.session.execute(db.text("PRAGMA cache_size")).scalar() == -32768
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(Path(app.instance_path).stat().st_mode) == 0o700

    from app.sqlite import make_private

    fresh = tmp_path / "new" / "app.db"
    old_umask = os.umask(0o022)
    try:
        make_private(fresh)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


def _key_after(barrier, keys):
    import config

    barrier.wait()
    try:
        keys.put(config.secret_key("gps"))
    except Exception as error:  # noqa: BLE001 — reported to the test
        keys.put(repr(error))


def test_processes_starting_together_agree_on_the_secret_key(tmp_path, monkeypatch):
    """gunicorn's workers build the app at once: on a fresh instance folder
    each must read the one key written there, whole (one worker failed to
    boot with FileExistsError; one could have read the file empty)."""
    import multiprocessing

    monkeypatch.delenv("SECRET_KEY", raising=False)
    context = multiprocessing.get_context("fork")
    for round_ in range(10):
        monkeypatch.setenv("INSTANCE_ROOT", str(tmp_path / str(round_)))
        barrier, keys = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_key_after, args=(barrier, keys)) for _ in range(6)]
        for worker in workers:
            worker.start()
        found = {keys.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(30)
        assert len(found) == 1, found
        key = found.pop()
        assert len(key) == 64 and int(key, 16) >= 0, key
        folder = tmp_path / str(round_) / "gps"
        assert [p.name for p in folder.iterdir()] == ["secret_key"]
        assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600


def test_health_details_only_for_admin_or_token(gps_demo):
    anonymous = gps_demo.test_client().get("/health")
    assert anonymous.status_code == 200 and anonymous.json == {"ok": True}
    wrong = gps_demo.test_client().get("/health", headers={"Authorization": "Bearer nope"})
    assert wrong.json == {"ok": True}
    clerk = logged_in(gps_demo, "jingban").get("/health")
    assert clerk.json == {"ok": True}
    for response in (gps_demo.test_client().get("/health", headers=HEALTH),
                     logged_in(gps_demo, "admin").get("/health")):
        body = response.json
        assert body["ok"] and body["site"] == "gps"
        assert {"undelivered", "dead_letters", "oldest_undelivered_age_seconds",
                "queue_depth"} <= set(body["sync"])
        assert "calendar" in body


def test_csp_has_a_nonce_and_no_unsafe_inline_script(gps_demo):
    page = logged_in(gps_demo, "jingban").get("/plans/list/")
    csp = page.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "FAB's list page has inline scripts: they must carry the nonce"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert "/static/js/confirm.js" in html
    other = logged_in(gps_demo, "jingban").get("/plans/list/").headers["Content-Security-Policy"]
    assert other != csp, "a fresh nonce per response"


def test_no_inline_script_or_handler_in_our_templates():
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    # A data block (type="application/json") is never run by a browser; the
    # page's script reads it. Its one content may be a value through `tojson`
    # (which escapes <, > and &), so nothing typed can close the block.
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                               re.I)
    data_block = re.compile(r"<script[^>]*type=\"application/json\"[^>]*>(.*?)</script>", re.S)
    for folder in (ROOT / "app/templates", ROOT / "app/public/templates"):
        for path in folder.rglob("*.html"):
            text = path.read_text()
            assert not handler.search(text), f"inline event handler in {path}"
            assert not inline_script.search(text), f"inline <script> in {path}"
            for content in data_block.findall(text):
                assert re.fullmatch(r"\{\{[^{}]*\|\s*tojson\s*\}\}", content.strip()), \
                    f"a data block in {path} holds more than one value through tojson"
            assert "javascript:" not in text, f"javascript: URL in {path}"


@SQLITE_ONLY
def test_database_locked_is_a_503_in_chinese(site_factory):
    import sqlite3

    app = site_factory("gps", SQLITE_BUSY_TIMEOUT_MS=200)
    client = app.test_client()
    token = api_token(client, "jingban")
    with app.app_context():
        path = db.engine.url.database
    blocker = sqlite3.connect(path, timeout=5)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long sync job would
    try:
        response = client.post("/api/v1/plan/", json=PLAN, headers=bearer(token))
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.json["message"].startswith("系统繁忙")
    assert response.headers["Retry-After"]
    assert _plans_named(app, PLAN["project_name"]) == 0


def test_unknown_related_key_or_unstorable_text_is_422(site_factory):
    """Found by tests/test_fuzz_api.py: marshmallow-sqlalchemy made a new
    related row for a key it did not find (a 500 from the insert)."""
    from app.models import Region

    app = site_factory("pds")
    client = app.test_client()
    headers = bearer(api_token(client, "daili"))
    with app.app_context():
        regions = db.session.query(Region).count()
    for body, field in (({"project_name": "x", "region": 3.05}, "region"),
                        ({"project_name": "x", "region": {"nope": 1}}, "region")):
        response = client.post("/api/v1/acceptance/", json=body, headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert field in response.json["message"]
    response = client.post("/api/v1/acceptance/", json={"project_name": "\ud800"},
                           headers=headers)
    assert response.status_code == 400 and "无法保存的字符" in response.json["message"]
    with app.app_context():
        assert db.session.query(Region).count() == regions


# --- keys no record can have, and list actions that do not exist: 404, not 500 ---------

HUGE = "9" * 30


@pytest.mark.parametrize("path", [
    f"/contracts/show/{HUGE}", f"/contracts/edit/{HUGE}", f"/contracts/review/{HUGE}",
    f"/winner-changes/show/{HUGE}", f"/winner-changes/review/{HUGE}",
    f"/expert-requests/show/{HUGE}", f"/plans/show/{HUGE}", f"/plans/edit/{HUGE}",
    f"/plans/show/-{HUGE}",
    # Past PostgreSQL's INTEGER, within SQLite's: "integer out of range" (500) there.
    "/plans/show/2147483648", "/plans/edit/3000000000", "/plans/show/-2147483649",
    "/contracts/review/9223372036854775807", "/notice-publish/wizard/3000000000",
    "/expert-draw/3000000000", "/history/plan/3000000000", "/supervision/project/3000000000",
    "/holidays/3000000000",
])
def test_a_key_no_record_can_have_is_not_found(gps, path):
    from tests.helpers import logged_in

    assert logged_in(gps, "jingban").get(path).status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_rest_key_no_record_can_have_is_not_found(gps, method):
    from tests.helpers import api_token, bearer

    client = gps.test_client()
    headers = bearer(api_token(client, "jingban"))
    for key in ("2147483648", "3000000000", HUGE):
        response = getattr(client, method)(f"/api/v1/plan/{key}", headers=headers,
                                           **({"json": {"remark": "x"}} if method == "put" else {}))
        assert response.status_code == 404, (key, response.get_data(as_text=True))


def test_the_largest_key_is_looked_up():
    from app.errors import _impossible_key

    assert not _impossible_key("2147483647") and not _impossible_key("-2147483648")
    assert not _impossible_key("abc") and not _impossible_key("") and not _impossible_key(True)
    assert not _impossible_key("0" * 40 + "1")
    assert _impossible_key(2 ** 31) and _impossible_key("-" + "9" * 5000)


@pytest.mark.parametrize("data", [
    {"action": "delete", "rowid": "1"}, {"action": "approve", "rowid": "1"},
    {"action": "submit", "rowid": HUGE}, {"action": "submit", "rowid": "2147483648"},
])
def test_a_list_action_that_cannot_be_is_not_found(gps, data):
    from tests.helpers import form_token, logged_in

    jingban = logged_in(gps, "jingban")
    for path in ("/contracts/action_post", "/winner-changes/action_post"):
        response = jingban.post(path, data={**data, "csrf_token": form_token(jingban)})
        assert response.status_code == 404, path


def test_the_entry_point_freezes_what_start_up_made(tmp_path):
    """run.py (gunicorn's run:app, flask run, the workers) freezes the objects
    start-up made, so Python's full collections no longer walk them every
    dozen pages (70–110 ms each); create_app itself freezes nothing."""
    import gc
    import subprocess
    import sys

    env = {**os.environ, "SITE": "gps", "DATABASE_URL_GPS": f"sqlite:///{tmp_path}/gps.db"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "import gc, run; print(gc.get_freeze_count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 50_000
    assert gc.get_freeze_count() == 0  # this test process: its apps are freed


@pytest.mark.parametrize("name, junk", [
    *[(name, junk) for name in ("page_PlanView", "psize_PlanView")
      for junk in ("abc", "1.5", "", "9" * 30, "١", " 2", "-1")],
    ("page_PlanView", "-999999999"),  # a negative OFFSET: PostgreSQL's error
    ("psize_PlanView", "0"),
    ("psize_PlanView", "101"),  # past the page-size menu: a whole table at once
    ("psize_PlanView", "999999999"),
    ("xpage_PlanView", "abc"),  # FAB reads any name holding page_ or psize_
    ("page_a-b", "abc"),
    ("psize_page_PlanView", "101"),  # read as a page number and as a page size
])
def test_an_unreadable_page_or_page_size_opens_the_lists_first_page(gps, name, junk):
    """FAB reads page_<View> and psize_<View> with int(): such a value was a
    500, or a query the database refused or that read a whole table. It is
    left out, the other arguments kept, and the list opens."""
    from tests.helpers import logged_in

    jingban = logged_in(gps, "jingban")
    response = jingban.get("/plans/list/", query_string=[
        ("_flt_0_project_name", "课桌椅"), (name, junk), ("_oc_PlanView", "budget")])
    assert response.status_code == 303, (name, junk)
    assert response.headers["Location"] == \
        "/plans/list/?_flt_0_project_name=%E8%AF%BE%E6%A1%8C%E6%A4%85&_oc_PlanView=budget"
    assert jingban.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("page, size", [("0", "25"), ("3", "1"), ("999999999", "100"),
                                        ("007", "050")])
def test_a_readable_page_and_page_size_are_served(gps, page, size):
    from tests.helpers import logged_in

    jingban = logged_in(gps, "jingban")
    response = jingban.get("/plans/list/", query_string={"page_PlanView": page,
                                                         "psize_PlanView": size})
    assert response.status_code == 200


@pytest.mark.parametrize("q", ["(page:-1)", "(page:-5,page_size:10)", '{"page":-1}',
                               "(page:1000000000)", "(page:1000000000000000000000)"])
def test_an_api_page_outside_the_list_is_a_400(gps, q):
    """FAB's REST lists check only that page is an integer: a negative one
    was an OFFSET PostgreSQL refused, a huge one past any integer (500s)."""
    from tests.helpers import api_token, bearer

    client = gps.test_client()
    response = client.get("/api/v1/plan/", query_string={"q": q},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert response.json["message"] == "查询参数q的页码（page）须为0至999999999的整数。"
    assert client.get("/api/v1/plan/", query_string={"q": "(page:0,page_size:-1)"},
                      headers=bearer(api_token(client, "jingban"))).status_code == 200


# What FAB's schema for ?q= refuses, said in the user's language: FAB put
# jsonschema's English inside its 400 ("'abc' is not of type 'integer'").
QUERY_SCHEMA_REFUSALS = [
    ("/api/v1/plan/", "(page:abc)", "查询参数q中的page应为整数。"),
    ("/api/v1/plan/", '{"page_size": "x"}', "查询参数q中的page_size应为整数。"),
    ("/api/v1/plan/", "(order_direction:up)", "查询参数q中的order_direction应为以下之一：asc、desc。"),
    ("/api/v1/plan/", "(filters:!((col:status)))", "查询参数q中的filters[0]缺少opr、value。"),
    ("/api/v1/plan/", "(filters:!((col:status,opr:eq,value:(a:1))))",
     "查询参数q中的filters[0].value应为数字、文本、是/否值，或由它们组成的列表。"),
    ("/api/v1/plan/", "(filters:!(1))", "查询参数q中的filters[0]应为对象。"),
    ("/api/v1/plan/", "(columns:x)", "查询参数q中的columns应为列表。"),
    ("/api/v1/plan/", "!(1,2)", "查询参数q应为对象。"),
    ("/api/v1/plan/_info", "abc", "查询参数q应为对象。"),
    ("/api/v1/plan/_info", "(keys:!(foo))", "查询参数q中的keys[0]应为以下之一："
     "add_columns、edit_columns、filters、permissions、add_title、edit_title、none。"),
    ("/api/v1/plan/{pk}", "(columns:!(1))", "查询参数q中的columns[0]应为文本。"),
    ("/api/v1/plan/{pk}", "1", "查询参数q应为对象。"),
]


@pytest.mark.parametrize("url, q, message", QUERY_SCHEMA_REFUSALS)
def test_a_query_outside_fabs_schema_is_refused_in_chinese(gps_demo, url, q, message):
    client = gps_demo.test_client()
    with gps_demo.app_context():
        pk = db.session.query(Plan.id).order_by(Plan.id).first()[0]
        before = db.session.query(Plan).count()
    response = client.get(url.format(pk=pk), query_string={"q": q},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert response.json["message"] == message
    with gps_demo.app_context():
        assert db.session.query(Plan).count() == before


def test_a_query_schema_refusal_in_english_when_asked(gps_demo):
    client = gps_demo.test_client()
    token = api_token(client, "jingban")
    for q, message in (("(order_direction:up)",
                        "order_direction in q must be one of: asc, desc."),
                       ("(filters:!((col:status)))", "filters[0] in q lacks opr, value."),
                       ("1", "q must be an object.")):
        response = client.get("/api/v1/plan/", query_string={"q": q, "_l_": "en"},
                              headers=bearer(token))
        assert (response.status_code, response.json["message"]) == (400, message)


@pytest.mark.parametrize("q", ["(page:0,page_size:5)", "(order_column:id,order_direction:desc)",
                               "(filters:!((col:project_name,opr:ct,value:'x')))",
                               "(keys:!(list_columns),columns:!(id))"])
def test_a_query_within_fabs_schema_still_lists(gps_demo, q):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/", query_string={"q": q},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


# FAB's own refusals, which it answers in English whatever the language.
FAB_REFUSALS = [
    ("jingban", "get", "/api/v1/plan/999999", None, 404, "记录不存在，或不在您可查看的范围内。"),
    ("jingban", "delete", "/api/v1/plan/999999", None, 404, "记录不存在，或不在您可查看的范围内。"),
    ("jingban", "get", "/api/v1/plan/?q=(order_column:nope)", None, 400,
     "查询参数q中的order_column不能为nope：请按可排序的列排序。"),
    ("jingban", "get", "/api/v1/plan/?q=(filters:!((col:nope,opr:eq,value:1)))", None, 400,
     "查询参数q中的筛选列nope不可用于筛选。"),
    ("jingban", "post", "/api/v1/plan/", "{not json", 400, "请求内容不是有效的JSON。"),
    ("jingban", "get", "/api/v1/holiday/2026", None, 403, "无权执行此操作。"),
    (None, "post", "/api/v1/security/login", {"username": "jingban", "password": "wrong",
                                              "provider": "db"}, 401,
     "用户名或密码错误，或账号已停用。"),
    (None, "post", "/api/v1/security/login", {"username": "jingban"}, 400,
     {"password": ["必填项，不能为空。"]}),
    (None, "post", "/api/v1/security/login", "{not json", 400, "请求内容不是有效的JSON。"),
]


@pytest.mark.parametrize("user, method, url, body, status, message", FAB_REFUSALS)
def test_fabs_own_refusals_are_in_chinese(gps, user, method, url, body, status, message):
    client = gps.test_client()
    kwargs = {"headers": bearer(api_token(client, user))} if user else {}
    if isinstance(body, str):
        kwargs.update(data=body, content_type="application/json")
    elif body is not None:
        kwargs["json"] = body
    response = getattr(client, method)(url, **kwargs)
    assert (response.status_code, response.json["message"]) == (status, message)


def test_fabs_own_refusals_in_english_when_asked(gps):
    client = gps.test_client()
    headers = bearer(api_token(client, "jingban"))
    assert client.get("/api/v1/plan/999999?_l_=en", headers=headers).json["message"] == \
        "No such record, or it is outside what you may see."
    response = client.post("/api/v1/security/login?_l_=en",
                           json={"username": "jingban", "password": "wrong", "provider": "db"})
    assert response.json["message"] == "Wrong username or password, or the account is disabled."
