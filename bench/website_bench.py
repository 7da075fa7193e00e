"""公共资源交易网 under load: the trading site's /web pages with 100,000
published notices, beside a bare Flask app running the same SQL, in the
same run, under the same server and load generator.

    .venv/bin/python bench/website_bench.py [--notices 100000] [--duration 10]

Everything runs on this machine in a temp directory: its own redis-server, a
SQLite trading-site database (410400) built by the real migrations + roles +
demo data, then seeded with the notices (or, with `--database
postgresql+psycopg://…`, that PostgreSQL database, built the same way); the
real site under gunicorn (`run:app`, 4 sync workers, as deployed) and the
bare app under the same gunicorn settings. Nothing outside the temp
directory is touched except docs/benchmarks.md (the website results,
between their markers), unless --no-docs. See docs/benchmarks.md for what
is measured and how to read it.

The bare app (`bare_app()` below) is Flask + sqlite3 (or psycopg) and nothing else: for
each page it executes, on one connection per worker, the very statements the
real page executed (captured from the real app in this process with an
SQLAlchemy cursor hook, parameters and all), then writes the rows out as
escaped text. So the difference between the two is everything but the SQL:
the site's middleware, the ORM, query-string handling, Jinja, feedgen.
"""
import argparse
import datetime as dt
import html
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cpu, report  # noqa: E402
from bench import procs as p  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START = "<!-- website-bench results: start (written by bench/website_bench.py) -->"
END = "<!-- website-bench results: end -->"
PLATFORM = "410400"


# --- the baseline: a bare Flask app -------------------------------------------------

def bare_app():
    """gunicorn 'bench.website_bench:bare_app()': BARE_SPEC names a JSON file
    {"db": SQLAlchemy URL, "pages": {name: {"kind": "html"|"feed",
    "statements": [[sql, params], …]}}}."""
    from flask import Flask, Response

    spec = json.loads(Path(os.environ["BARE_SPEC"]).read_text())
    conn = _driver_connection(spec["db"])
    app = Flask("bare")

    @app.get("/health")
    def health():
        return "ok"

    @app.get("/bare/<name>")
    def page(name):
        page = spec["pages"][name]
        rows = [row for sql, params in page["statements"]
                for row in conn.execute(sql, params).fetchall()]
        if page["kind"] == "feed":
            items = "".join(f"<entry><title>{html.escape(str(row[0]))}</title><content>"
                            f"{html.escape(' '.join(map(str, row[1:])))}</content></entry>"
                            for row in rows)
            return Response(f'<?xml version="1.0" encoding="utf-8"?><feed xmlns='
                            f'"http://www.w3.org/2005/Atom">{items}</feed>',
                            mimetype="application/atom+xml")
        items = "".join(f"<li>{html.escape(' '.join(map(str, row)))}</li>" for row in rows)
        return f"<!doctype html><title>bare</title><ul>{items}</ul>"

    return app


def _driver_connection(url: str):
    """The database's own driver, nothing of SQLAlchemy's: sqlite3, or psycopg
    in autocommit (each page's SELECTs, no transaction to end), preparing
    statements from their 6th execution as the site's psycopg does, with the
    trading site's session settings (app/postgres.py)."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    import psycopg
    from sqlalchemy.engine import make_url

    conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False), autocommit=True)
    conn.execute("SET jit = off")
    conn.execute("SET max_parallel_workers_per_gather = 0")
    return conn


def database_url(database) -> str:
    """--database as a SQLAlchemy URL: a PostgreSQL URL as given, else an
    SQLite file's path."""
    text = str(database)
    return text if text.startswith("postgresql") else f"sqlite:///{text}"


def is_built(url: str) -> bool:
    """Whether --database already holds a seeded website (used as it is)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("published_notice") and bool(
                conn.execute(text("SELECT 1 FROM published_notice LIMIT 1")).first())
    finally:
        engine.dispose()


def database_about(url: str) -> tuple[str, float]:
    """(the database and its version, its size in MB)."""
    if url.startswith("sqlite:///"):
        return (f"SQLite {sqlite3.sqlite_version}",
                Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar().split()[0]
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            return f"PostgreSQL {version}", size / 1e6
    finally:
        engine.dispose()


# --- building the database ------------------------------------------------------------

def build_database(url: str, notices: int, unpublished: int) -> tuple[float, dict]:
    """Migrations, roles, demo data (as tests/conftest.py builds its templates),
    then the seeded notices; returns (seconds spent seeding, facts for the pages)."""
    import logging

    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db
    from app.public.seed import seed_notices
    from app.security import sync_roles

    app = create_app("trading", {"SQLALCHEMY_DATABASE_URI": url}, platform=PLATFORM)
    with app.app_context():
        upgrade()
        logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
        sync_roles(app.appbuilder, "trading")
        demo.load(app)
        started = time.perf_counter()
        seed_notices(notices, unpublished=unpublished, rng=random.Random(2026), batch=5000)
        seeding = time.perf_counter() - started
        if url.startswith("postgresql"):
            # As an operator would after a bulk load: the planner's statistics.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE")
        db.session.remove()
        db.engine.dispose()
    return seeding, database_facts(url)


def database_facts(url: str) -> dict:
    """What the pages are built from: the 采购公告 count, the newest date, and
    a notice in the middle (its id and 项目编号)."""
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import PublishedNotice

    app = create_app("trading", {"SQLALCHEMY_DATABASE_URI": url}, platform=PLATFORM)
    with app.app_context():
        shown = PublishedNotice.published.is_(True)
        per_column = db.session.execute(
            select(func.count()).select_from(PublishedNotice)
            .where(PublishedNotice.column == "采购公告", shown)).scalar_one()
        newest = db.session.execute(select(func.max(PublishedNotice.published_at))).scalar_one()
        total = db.session.execute(
            select(func.count()).select_from(PublishedNotice).where(shown)).scalar_one()
        some = db.session.execute(
            select(PublishedNotice.id, PublishedNotice.project_code, PublishedNotice.column)
            .where(shown)
            .order_by(PublishedNotice.id).offset(total // 2).limit(1)).one()
        db.session.remove()
        db.engine.dispose()
    return {"per_column": per_column, "newest": newest, "detail_id": some.id,
            "detail_code": some.project_code, "detail_column": some.column}


def pages(facts: dict) -> dict[str, tuple[str, str, str]]:
    """name → (label, real path, kind)."""
    from app.models import NOTICE_COLUMNS
    from app.public.columns import SLUG_OF
    from app.public.website import HOME_SIZE

    last = math.ceil(facts["per_column"] / 20)
    deep = max(1, last - 3)
    month_end = facts["newest"].date().replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    return {
        "home": (f"Home /web/ ({len(NOTICE_COLUMNS)} columns × {HOME_SIZE})", "/web/", "html"),
        "column": ("Column 采购公告, page 1", "/web/caigou/", "html"),
        "deep": (f"Column 采购公告, page {deep} of {last}", f"/web/caigou/?page={deep}", "html"),
        "dates": (f"Search 发布日期 {month_start:%Y-%m-%d}…{month_end:%Y-%m-%d}",
                  f"/web/caigou/?start={month_start}&end={month_end}", "html"),
        "title": ("Search 标题 “教育局”", "/web/caigou/?title=" + quote("教育局"), "html"),
        "title2": ("Search 标题 “教育” (2 characters)", "/web/caigou/?title=" + quote("教育"),
                   "html"),
        "title1": ("Search 标题 “教” (1 character: a scan)", "/web/caigou/?title=" + quote("教"),
                   "html"),
        "title-long": ("Search 标题 “教育局台式计算机”",
                       "/web/caigou/?title=" + quote("教育局台式计算机"), "html"),
        "code": ("Search 项目编号 “-2025-00”", "/web/caigou/?code=-2025-00", "html"),
        # A text in a third of the column's codes, all of them its oldest
        # notices' (the seeds span three years): walked by date to the newest
        # SEARCH_LIMIT + 1 matches.
        "code-common": (f"Search 项目编号 “-{facts['newest'].year - 2}-” (the oldest year's codes)",
                        f"/web/caigou/?code=-{facts['newest'].year - 2}-", "html"),
        # One notice's whole 项目编号 (its column's page): found through
        # notice_code_suffix, the site's own indexed lookup.
        "code-exact": (f"Search 项目编号 “{facts['detail_code']}” (one notice)",
                       f"/web/{SLUG_OF[facts['detail_column']]}/?code={quote(facts['detail_code'])}",
                       "html"),
        # The strictest baseline of #17's search aim: the same notice found
        # by the project_code index (`project_code = ?`), in the bare app only
        # (the site's 项目编号 search is a contains search, `code-exact`).
        "code-index": (f"Bare only: 项目编号 “{facts['detail_code']}” by the index (= ?)",
                       None, "html"),
        "feed": ("Atom feed 采购公告 (20, with bodies)", "/web/caigou/feed.atom", "feed"),
        "detail": ("Notice detail", f"/web/notices/{facts['detail_id']}", "html"),
    }


def capture(url: str, page_list: dict, facts: dict) -> dict:
    """Run each real page in this process and record the SQL it executes
    (the second request, once the site name is cached)."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    # Without kept pages: the bare twin runs what rendering a page runs.
    app = create_app("trading", {"SQLALCHEMY_DATABASE_URI": url,
                                 "WEBSITE_PAGE_CACHE": 0}, platform=PLATFORM)
    client = app.test_client()
    captured: list = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        # sqlite3's are a tuple, psycopg's a dict (pyformat).
        captured.append([statement, parameters if isinstance(parameters, dict)
                         else list(parameters)])

    spec = {"db": url, "pages": {}}
    for name, (_label, path, kind) in page_list.items():
        if path is None:
            spec["pages"][name] = {"kind": kind, "statements": [indexed_lookup(facts, url)]}
            continue
        client.get(path)
        captured.clear()
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        spec["pages"][name] = {"kind": kind, "statements": list(captured)}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return spec


def indexed_lookup(facts: dict, url: str) -> list:
    """The page of a 项目编号 search answered by the project_code index: the
    rows (as a column page shows them) and the total, for the code of
    `database_facts`'s notice."""
    mark, shown = ("?", "published != 0") if url.startswith("sqlite") else ("%s", "published")
    return ['SELECT id, "column", title, project_code, published_at, count(*) OVER () '
            f'FROM published_notice WHERE project_code = {mark} AND "column" = {mark} '
            f'AND {shown} ORDER BY published_at DESC, id DESC LIMIT 20',
            [facts["detail_code"], facts["detail_column"]]]


# --- the load generator ------------------------------------------------------------

def _client_process(port: int, path: str, threads: int, stop_at: float) -> tuple[list, int]:
    """`threads` threads, each one request at a time until `stop_at`
    (time.monotonic, shared by all processes on Linux)."""
    latencies, errors, lock = [], [0], threading.Lock()

    def loop():
        mine, bad, conn = [], 0, None
        while time.monotonic() < stop_at:
            conn = conn or HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
                    conn = None
            except OSError:
                ok = False
                conn.close()
                conn = None
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors[0]


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    others_cpu: float
    server_cpu_ms: float  # CPU of the server's processes per answered request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _plain_signals() -> None:
    """Load-generator processes die on SIGTERM (Pool.terminate), instead of
    running main()'s handler, inherited through fork, and hanging in exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def drive(pool, port: int, path: str, args, server_pid: int) -> Load:
    with cpu.Watch() as watch:
        server_before = server_cpu(server_pid)
        started = time.monotonic()
        stop_at = started + args.duration
        results = pool.starmap(_client_process, [(port, path, args.threads, stop_at)]
                               * args.clients)
        seconds = time.monotonic() - started
        server_used = server_cpu(server_pid) - server_before
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(err for _, err in results)
    return Load(len(latencies), errors, seconds, 1000 * _pct(latencies, 50),
                1000 * _pct(latencies, 95), watch.others,
                1000 * server_used / max(len(latencies), 1))


def server_cpu(master: int) -> float:
    """CPU-seconds of a gunicorn master and its workers (Linux /proc): robust
    where requests/s is not, on a machine shared with other people's work."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _pct(values: list[float], pct: float) -> float:
    """report.percentile, and NaN (not an error) when no request completed."""
    return report.percentile(values, pct) if values else float("nan")


def warm(port: int, path: str, count: int = 20) -> None:
    for _ in range(count):
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")


# --- the run ------------------------------------------------------------------------

def gunicorn_argv(port: int, workers: int, target: str) -> list[str]:
    return [p.PYTHON, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", target]


def run(args, workdir: Path, procs: p.Processes) -> dict:
    os.environ.update({"INSTANCE_ROOT": str(workdir / "instance"), "PYTHONUNBUFFERED": "1"})
    os.environ.pop("DATABASE_URL", None)
    os.environ["REDIS_URL"] = p.start_redis(procs, workdir)
    procs.env = dict(os.environ)
    url = database_url(args.database or workdir / "trading.db")
    if args.database and is_built(url):
        say(f"using {args.database} as it is (built by an earlier run)")
        seeding, facts = None, database_facts(url)
    else:
        say(f"building the database and seeding {args.notices} notices "
            f"(+{args.unpublished} unpublished)")
        seeding, facts = build_database(url, args.notices, args.unpublished)
    page_list = pages(facts)
    if args.pages:
        unknown = set(args.pages) - set(page_list)
        if unknown:
            raise SystemExit(f"--pages: unknown {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(page_list)}")
        page_list = {name: page_list[name] for name in args.pages}
    spec = capture(url, page_list, facts)
    spec_path = workdir / "bare.json"
    spec_path.write_text(json.dumps(spec, default=str))

    real_port, bare_port = p.free_port(), p.free_port()
    site_proc = procs.start("site", gunicorn_argv(real_port, args.workers, "run:app"),
                {"SITE": "trading", "PLATFORM_CODE": PLATFORM,
                 f"DATABASE_URL_TRADING_{PLATFORM}": url,
                 "WEBSITE_PAGE_CACHE": str(args.page_cache)})
    bare_proc = procs.start("bare", gunicorn_argv(bare_port, args.workers,
                                      "bench.website_bench:bare_app()"),
                {"BARE_SPEC": str(spec_path)})
    for port in (real_port, bare_port):
        p.wait_for(lambda port=port: _up(port), 60, f"gunicorn on {port}", interval=0.2)

    results = {}
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.clients, initializer=_plain_signals) as pool:
        for name, (label, path, _kind) in page_list.items():
            bare_path = f"/bare/{name}"
            warm(bare_port, bare_path, 5 * args.workers)
            site = None
            if path:
                warm(real_port, path, 5 * args.workers)
                say(f"{label}: site")
                site = drive(pool, real_port, path, args, site_proc.pid)
                say(f"  {site.rate:.0f} req/s, p95 {site.p95_ms:.0f} ms; bare")
            else:
                say(f"{label}: bare")
            bare = drive(pool, bare_port, bare_path, args, bare_proc.pid)
            say(f"  {bare.rate:.0f} req/s, p95 {bare.p95_ms:.0f} ms")
            results[name] = (label, path, len(spec["pages"][name]["statements"]), site, bare)
    database, size = database_about(url)
    return {"results": results, "seeding": seeding, "facts": facts, "db_mb": size,
            "database": database}


def _up(port: int) -> bool:
    try:
        conn = HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# --- the report ---------------------------------------------------------------------------

def render(outcome: dict, args, elapsed: float) -> str:
    from app.models import NOTICE_COLUMNS

    command = ".venv/bin/python bench/website_bench.py" + "".join(
        f" --{k.replace('_', '-')} {','.join(v) if isinstance(v, list) else v}"
        for k, v in _given(args).items())
    lines = [
        f"Run of {dt.date.today().isoformat()}, {elapsed / 60:.1f} min in all.",
        "",
        (f"- Machine: {os.cpu_count()} CPUs ({cpu.model()}), "
         f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
         f"{outcome['database']}"),
        f"- Command: `{command}`",
        (f"- Data: {args.notices:,} published notices (+{args.unpublished} unpublished) over "
         f"{len(NOTICE_COLUMNS)} columns and 3 years, "
         f"{outcome['facts']['per_column']:,} in 采购公告; {outcome['database'].split()[0]} "
         f"database "
         f"{outcome['db_mb']:.0f} MB; " + (f"seeding took {outcome['seeding']:.0f} s"
                                           if outcome["seeding"] is not None
                                           else "built by an earlier run (`--database`)")),
        ("- Site: pages kept until a notice changes: "
         + (f"up to {args.page_cache} a process (`WEBSITE_PAGE_CACHE`); the bare twin "
            "runs the SQL of rendering the page" if args.page_cache
            else "none (`--page-cache 0`): every request renders")),
        (f"- Both servers: `gunicorn -w {args.workers}` (sync workers); load: "
         f"{args.clients} client processes × {args.threads} threads, one request at a time "
         f"each, {args.duration} s per page and server, on loopback"),
        "",
        ("| Page | SQL | Site req/s | Bare req/s | Site / bare | Site p50 / p95 | "
         "Bare p50 / p95 | Server CPU per request, site / bare | Other CPU |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, statements, site, bare in outcome["results"].values():
        if site is None:
            lines.append(f"| {label} | {statements} | — | {bare.rate:.0f} | — | — | "
                         f"{bare.p50_ms:.0f} / {bare.p95_ms:.0f} ms | "
                         f"— / {bare.server_cpu_ms:.1f} ms | — / {bare.others_cpu:.0%} |")
            continue
        errors = f" ({site.errors} errors)" if site.errors else ""
        bare_errors = f" ({bare.errors} errors)" if bare.errors else ""
        lines.append(
            f"| {label} | {statements} | {site.rate:.0f}{errors} | {bare.rate:.0f}{bare_errors} | "
            f"**{site.rate / bare.rate:.2f}** | {site.p50_ms:.0f} / {site.p95_ms:.0f} ms | "
            f"{bare.p50_ms:.0f} / {bare.p95_ms:.0f} ms | "
            f"{site.server_cpu_ms:.1f} / {bare.server_cpu_ms:.1f} ms | "
            f"{site.others_cpu:.0%} / {bare.others_cpu:.0%} |")
    lines += ["", "Pages: " + "; ".join(f"`{path}`" for _l, path, *_ in
                                        outcome["results"].values() if path)]
    lines += search_aim(outcome["results"])
    return "\n".join(lines)


SEARCHES = ("title", "title2", "title1", "title-long", "code", "code-common", "code-exact")


def search_aim(results: dict) -> list[str]:
    """#17: search p95 ≤ 3× an indexed 项目编号 lookup, in the same run: the
    bare app's `project_code = ?` and, since the site's own 项目编号 search
    finds one code through notice_code_suffix, that page too."""
    if not any(name in results for name in SEARCHES):
        return []
    lines = []
    baselines = [(name, what) for name, what in
                 (("code-index", "the bare app's `project_code = ?`"),
                  ("code-exact", "the site's 项目编号 search for one notice"))
                 if name in results]
    for baseline, what in baselines:
        base = results[baseline][3 if baseline == "code-exact" else 4].p95_ms
        lines += ["", f"Search p95 ÷ {what} ({base:.1f} ms p95), aim ≤ 3×:", ""]
        for name in SEARCHES:
            if name in results and name != baseline:
                label, _path, _n, site, _bare = results[name]
                ratio = site.p95_ms / base
                lines.append(f"- {label}: {site.p95_ms:.1f} ms, **{ratio:.2f}×** "
                             f"{'✓' if ratio <= 3 else '✗'}")
    return lines


def _given(args) -> dict:
    defaults = vars(parse_args([]))
    return {k: v for k, v in vars(args).items() if k not in ("no_docs", "keep")
            and (v != defaults[k] or k in ("notices", "duration"))}


def update_docs(text: str) -> None:
    doc = DOCS.read_text()
    if START not in doc or END not in doc:
        raise RuntimeError(f"markers for the website results not found in {DOCS}")
    head, rest = doc.split(START, 1)
    _old, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n\n{text}\n\n{END}{tail}")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--notices", type=int, default=100_000, help="published notices")
    ap.add_argument("--unpublished", type=int, default=50,
                    help="unpublished (withdrawn) notices among them, never shown")
    ap.add_argument("--duration", type=int, default=10, help="seconds per page and server")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers, both servers")
    ap.add_argument("--clients", type=int, default=2, help="load-generator processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per load-generator process")
    ap.add_argument("--pages", type=lambda v: [n for n in v.split(",") if n], default=[],
                    help="only these pages, comma-separated (home, column, deep, dates, title, "
                         "title2, title1, title-long, code, code-common, code-exact, code-index, "
                         "feed, detail); "
                         "default all")
    ap.add_argument("--page-cache", type=int, default=500,
                    help="WEBSITE_PAGE_CACHE for the site (0: render every request)")
    ap.add_argument("--database",
                    help="an SQLite file, or a postgresql+psycopg:// URL of an empty "
                         "database, to keep: built (and seeded) if it holds no notices, used "
                         "as it is if it does (it is not removed afterwards)")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (logs, DB)")
    return ap.parse_args(argv)


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    workdir = Path(tempfile.mkdtemp(prefix="website-bench-"))
    procs = p.Processes(workdir, dict(os.environ))
    started = time.perf_counter()
    try:
        outcome = run(args, workdir, procs)
    finally:
        procs.stop_all()
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = render(outcome, args, time.perf_counter() - started)
    print(text)
    if not args.no_docs:
        update_docs(text)
        say(f"results written to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
