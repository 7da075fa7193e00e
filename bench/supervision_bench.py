"""【项目监督】 at 100,000 projects against a bare Flask view running the
same SQL, in the same run.

    .venv/bin/python bench/supervision_bench.py [--projects 100000] [--repeat 100]
    TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/supervision_bench.py

Builds a GPS database (SQLite in a temp directory; and, when
TEST_DATABASE_URL is set, a fresh PostgreSQL database on that server, dropped
afterwards) by the real migrations + roles + demo data, then bulk-inserts
`--projects` plans with their supervision_project rows and about one in five
with 1–3 预警 (tests/supervision_helpers.random_projects: 平顶山市 and its two
counties hold ~5/6 of them, 方城县 the rest). Then, signed in as 监管处 of
平顶山市 (the city and its counties), it times interleaved, `--repeat` times
each, in this one process (Flask test clients, no network):

- real: GET /supervision/?… — the page as the regulator gets it: FAB's login
  and permission checks, the parameter parsing, the ORM, Jinja;
- bare: a bare Flask view executing, on the same engine's DBAPI connection,
  the very statements the real page ran against supervision_project,
  project_flag and region (captured with a cursor hook: COUNT, the LIMIT page,
  its flags and region names) and writing the rows out as escaped text.

for a filter + sort (first page and a deep page) and the flag filter; the aim
is real p95 ≤ 2 × bare p95. Then the 【导出】 of ~10,000 rows (real: the
streamed .xlsx; bare: the same SELECT read through to the last row); the aim
is < 5 ×. Prints Markdown for docs/benchmarks.md and the query plans.
"""
import argparse
import datetime as dt
import html
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE_AIM, EXPORT_AIM = 2.0, 5.0
USER = "jianguan"  # 监管处, 平顶山市财政局
PAGES = {
    "filter + sort, page 1": "/supervision/?stage=开标&sort=budget&order=desc",
    "filter + sort, deep page": "/supervision/?stage=开标&sort=budget&order=desc&page=400",
    "flag filter (YJ04)": "/supervision/?flag=YJ04",
    "no filter, deep page": "/supervision/?page=3000",
}
WATCHED = ("supervision_project", "project_flag", "FROM region")


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def p95(values):
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def open_app(url):
    from app import create_app

    app = create_app("gps", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": "redis://127.0.0.1:1/0",
                             "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                             "AUTH_RATE_LIMIT": "100000 per second"})
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    return app


def build_apart(url, projects) -> float:
    """Build in a child process and return its seconds. The process that
    bulk-inserts 100,000 rows keeps ~290,000 objects and a fragmented heap,
    which made every later page ~2 ms slower in Python (not in SQL): a
    server never builds its own database, so neither does the measuring
    process."""
    return in_child(_build_seconds, url, projects)


def in_child(function, *args):
    """function(*args) in a fresh (spawned) process; its result."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _build_seconds(url, projects) -> float:
    from app.extensions import db

    app, seconds = build(url, projects)
    with app.app_context():
        db.engine.dispose()
    return seconds


def migrate_with_demo(app):
    """The empty database as a site starts it: the real migrations, the
    roles, the demo data."""
    from flask_migrate import upgrade

    from app import demo
    from app.security import sync_roles

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder, app.config["SITE"])
        demo.load(app)


def build(url, projects):
    from app.extensions import db
    from tests.supervision_helpers import insert_projects, random_projects

    app = open_app(url)
    started = time.perf_counter()
    migrate_with_demo(app)
    insert_projects(app, random_projects(projects))
    with app.app_context():
        at_rest(db)
    return app, time.perf_counter() - started


def at_rest(db) -> None:
    """Statistics as a database at rest has them. On PostgreSQL, VACUUM
    ANALYZE (autovacuum's work): a bulk-loaded table has no visibility map,
    and every COUNT would read each row from the heap (bench/load found the
    website's column COUNT at 16.6 ms instead of ~1). On SQLite, what the
    sweeper gathers (app/sqlite.py refresh_statistics, until nothing is
    stale): not a bare ANALYZE, which would also give the website's tables
    the statistics a site never keeps for them."""
    from app.sqlite import refresh_statistics

    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        while refresh_statistics(clock=lambda: float("inf")):  # every call looks again
            pass


def login(app, username=USER):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"username": username, "password": "DemoPass@2026"}
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/login/", data=data).status_code == 302, "login failed"
    return client


def capture(app, client, url, watched=WATCHED):
    """The statements the real page runs against the list's tables (never
    the session user's, which a bare page does not load)."""
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if any(w in statement for w in watched) and "ab_user" not in statement:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return seen


def bare_app(engine, pages):
    """Flask and the DBAPI cursor, nothing else: run the statements, escape
    every value into a table.

    It gets a pool of its own, as a separate app would have. Sharing the
    site's pool let the bare view's rollbacks (each connection's return)
    wipe the prepared statements psycopg kept for the site's next request
    on the same connection (app/postgres.py). Like any plain view, the bare
    one ends its transaction with a rollback, so on PostgreSQL its
    statements are planned on every request."""
    from flask import Flask, Response
    from sqlalchemy import create_engine, event

    settings = []
    if engine.dialect.name == "postgresql":
        # The site's own session settings (app/postgres.py: no JIT; a
        # trading site also no parallel workers), so that both plan alike.
        with engine.connect() as conn:
            settings = [f"SET {name} = {conn.exec_driver_sql(f'SHOW {name}').scalar()}"
                        for name in ("jit", "max_parallel_workers_per_gather")]
    engine = create_engine(engine.url)
    if settings:
        @event.listens_for(engine, "connect")
        def _same_settings(dbapi_connection, record):
            for setting in settings:
                dbapi_connection.execute(setting)
            dbapi_connection.commit()

    bare = Flask("bare")

    @bare.route("/<name>")
    def page(name):
        out = ["<table>"]
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in pages[name]:
                cursor.execute(statement, parameters)
                for row in cursor.fetchall():
                    out.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                               + "</tr>")
        finally:
            connection.close()
        out.append("</table>")
        return Response("".join(out), mimetype="text/html")

    return bare


def timed(get, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = get()
        assert response.status_code == 200, response.status_code
        response.get_data()
        times.append(time.perf_counter() - started)
    return times


def explain(app, statements):
    from app.extensions import db

    plans = []
    with app.app_context():
        connection = db.engine.raw_connection()
        sqlite = db.engine.dialect.name == "sqlite"
        try:
            cursor = connection.cursor()
            ours = [s for s in statements if "supervision_project" in s[0]]
            for statement, parameters in ours[:2]:  # COUNT, then the page
                cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement,
                               parameters)
                rows = cursor.fetchall()
                plans.append("\n".join(" ".join(str(c) for c in r[-1:]) if sqlite else r[0]
                                       for r in rows))
        finally:
            connection.close()
    return plans


def export_window(app, rows):
    """The `to` day whose 计划备案 range holds about `rows` of the city's projects."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import SupervisionProject as SP
    from app.scope import region_subtree

    with app.app_context():
        at = db.session.execute(select(SP.filed_at).where(
            SP.region_code.in_(region_subtree("410000/410400/"))).order_by(SP.filed_at)
            .offset(rows - 1).limit(1)).scalar()
    return at.date().isoformat()


def run(url, args, label):
    from app.extensions import db

    build_s = build_apart(url, args.projects)
    app = open_app(url)
    client = login(app)
    statements = {name: capture(app, client, path) for name, path in PAGES.items()}
    to = export_window(app, args.export_rows)
    export_url = f"/supervision/export?to={to}&sort=filed_at&order=asc"
    export_sql = [s for s in capture(app, client, export_url)
                  if s[0].lstrip().upper().startswith("SELECT") and "count(" not in s[0]
                  and "supervision_project" in s[0]][:1]
    statements["export"] = export_sql
    with app.app_context():
        engine = db.engine
    bare = bare_app(engine, statements).test_client()
    results = {}
    for name, path in PAGES.items():
        real_t, bare_t = [], []
        for _ in range(args.repeat):  # interleaved, so load on the machine hits both
            real_t += timed(lambda: client.get(path), 1)
            bare_t += timed(lambda: bare.get("/" + name), 1)
        results[name] = (p95(real_t), p95(bare_t), median(real_t) / median(bare_t))
    # The floor: a FAB page of ours that reads none of these tables (login,
    # permissions, menu, template), to show what every page pays before SQL.
    floor = timed(lambda: client.get("/resetmypassword/form"), args.repeat)
    results["floor"] = (p95(floor), None, None)
    real_t, bare_t = [], []
    for _ in range(args.export_repeat):
        real_t += timed(lambda: client.get(export_url), 1)
        bare_t += timed(lambda: bare.get("/export"), 1)
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get(export_url).data), read_only=True).active
    exported = sum(1 for _ in sheet.iter_rows()) - 1
    results["export"] = (sorted(real_t)[len(real_t) // 2], sorted(bare_t)[len(bare_t) // 2])
    plans = {name: explain(app, statements[name]) for name in PAGES}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {"label": label, "build_s": build_s, "results": results, "exported": exported,
            "export_url": export_url, "plans": plans}


def render(runs, args, elapsed):
    lines = [f"Run of {dt.date.today().isoformat()}, {elapsed / 60:.1f} min in all; "
             f"{args.projects:,} projects, {args.repeat} requests per page (p95), "
             f"{args.export_repeat} exports (median).", "",
             f"- Command: `.venv/bin/python bench/supervision_bench.py --projects {args.projects}"
             f" --repeat {args.repeat}`", ""]
    for run_ in runs:
        lines += [f"**{run_['label']}** (build {run_['build_s']:.0f} s)", "",
                  "| page (监管处, 平顶山市) | real p95 | bare p95 | ratio | (p50 ratio) | aim |",
                  "|---|---:|---:|---:|---:|---|"]
        for name, measured in run_["results"].items():
            if name in ("export", "floor"):
                continue
            real, bare, middle = measured
            ratio = real / bare
            lines.append(f"| {name} | {real * 1000:.1f} ms | {bare * 1000:.1f} ms | "
                         f"{ratio:.2f}× | {middle:.2f}× | "
                         f"≤ {PAGE_AIM:g}× {'✓' if ratio <= PAGE_AIM else '✗'} |")
        lines.append(f"| (floor: a FAB form page reading none of these tables) | "
                     f"{run_['results']['floor'][0] * 1000:.1f} ms | | | | |")
        real, bare = run_["results"]["export"]
        ratio = real / bare
        lines += [f"| 【导出】 {run_['exported']:,} rows (median) | {real * 1000:.0f} ms | "
                  f"{bare * 1000:.0f} ms | {ratio:.2f}× | | < {EXPORT_AIM:g}× "
                  f"{'✓' if ratio < EXPORT_AIM else '✗'} |", ""]
    return "\n".join(lines)


def each_backend(args, run, prefix) -> list:
    """run(url, args, label) on a SQLite file in a temp directory and, with
    TEST_DATABASE_URL, on a fresh PostgreSQL database of that server, dropped
    afterwards; as `args.backends` asks."""
    runs = []
    if "sqlite" in args.backends:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as workdir:
            runs.append(run(f"sqlite:///{Path(workdir) / 'gps.db'}", args, "SQLite"))
    server = os.environ.get("TEST_DATABASE_URL")
    if server and "postgres" in args.backends:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        name = f"{prefix.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            runs.append(run(make_url(server).set(database=name).render_as_string(
                hide_password=False), args, "PostgreSQL"))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--export-rows", type=int, default=10_000)
    parser.add_argument("--export-repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the query plans")
    parser.add_argument("--backends", default="sqlite,postgres",
                        help="sqlite, postgres (the latter only with TEST_DATABASE_URL)")
    args = parser.parse_args()
    os.environ.setdefault("INSTANCE_ROOT", tempfile.mkdtemp(prefix="supervision-bench-inst-"))
    started = time.perf_counter()
    runs = each_backend(args, run, "supervision-bench")
    print(render(runs, args, time.perf_counter() - started))
    if args.plans:
        for run_ in runs:
            for name, plans in run_["plans"].items():
                print(f"\n### {run_['label']}: {name}")
                for plan in plans:
                    print(plan, "\n")


if __name__ == "__main__":
    main()
