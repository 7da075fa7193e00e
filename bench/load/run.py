"""Load test (#17 item 5): build the data, serve both sites as production
does (gunicorn, WEB_WORKERS=2 sync workers each, docs/deployment.md) on
PostgreSQL, and let locust (bench/load/locustfile.py) run many users at once.

    make load-venv     # locust in its own virtualenv, .venv-load (pinned)
    TEST_DATABASE_URL=postgresql+psycopg://ci:ci@127.0.0.1:5432/postgres \\
      .venv/bin/python bench/load/run.py --plans 1000000 --notices 100000 \\
          --users 200 --run-time 60

GPS gets bench/list_bench.py's data (filed plans with their supervision rows,
one in five entrusted to the demo 代理机构, ~42,000 waiting
中标结果变更备案 per 1,000,000); 平顶山市's trading site the seeded notices
of bench/website_bench.py. Both databases are fresh on that server and are
dropped afterwards (unless --keep), except one given with --gps-database or
--trading-database, used as it is (its size is then whatever it was built
with, and --plans/--notices should say the same). Locust's own reports go to --out (CSV
per second and an HTML report with its charts); the run prints a table of
p50/p95/failures per request name, and draws the p95 and the users over time
(latency-over-time.svg; --chart copies it where you say).

Users start --spawn-rate a second (5: 200 users in 40 s), then all of them
work for --run-time seconds; the table counts the whole run, ramp and logins
included (--after-ramp: only once all are in). Each signed-in user logs in
as it starts, and a login checks a scrypt hash (~120 ms of CPU, on purpose):
at 20 a second, the 50 signed-in users' logins alone hold GPS's two workers
for seconds (docs/benchmarks.md).

The login limit (AUTH_RATE_LIMIT, 10 per 20 s) is raised for the run: every
simulated user signs in from 127.0.0.1, where real users come from their own
addresses.
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import procs as p  # noqa: E402
from bench.supervision_bench import at_rest, in_child  # noqa: E402

LOCUST = ROOT / ".venv-load" / "bin" / "locust"
PLATFORM = "410400"
PAGE_AIM_MS, FILING_AIM_MS = 500, 1000
FILINGS = ("新增采购计划（REST）", "备案")


def fresh_database(server: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def build_gps(url: str, plans: int) -> float:
    import list_bench

    return list_bench.build(url, plans)


def build_trading(url: str, notices: int) -> float:
    import logging

    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db
    from app.public.seed import seed_notices
    from app.security import sync_roles

    started = time.perf_counter()
    app = create_app("trading", {"SQLALCHEMY_DATABASE_URI": url}, platform=PLATFORM)
    with app.app_context():
        upgrade()
        logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
        sync_roles(app.appbuilder, "trading")
        demo.load(app)
        seed_notices(notices, unpublished=50, rng=random.Random(2026), batch=5000)
        at_rest(db)  # list_bench.build does the same for GPS
        db.engine.dispose()
    return time.perf_counter() - started


def gunicorn(port: int, workers: int) -> list[str]:
    return [p.PYTHON, "-m", "gunicorn", "run:app", "-w", str(workers), "-b",
            f"127.0.0.1:{port}", "--log-level", "warning"]


def serve(procs, name, port, workers, env) -> None:
    import requests

    procs.start(name, gunicorn(port, workers), env)
    p.wait_for(lambda: _answers(requests, f"http://127.0.0.1:{port}/health"), 120,
               f"{name} to answer")


def _answers(requests, url) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def summary(out: Path) -> list[dict]:
    rows = []
    with open(out / "load_stats.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows.append({"name": row["Name"], "method": row["Type"],
                         "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "p50": float(row["50%"] or 0), "p95": float(row["95%"] or 0),
                         "rps": float(row["Requests/s"] or 0)})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| Request | n | failures | req/s | p50 | p95 | aim (p95) |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in sorted(rows, key=lambda r: (r["name"] in FILINGS, r["name"])):
        if r["name"].startswith("（") or r["name"] in ("登录页", "登录", "REST 登录"):
            aim = "—"
        else:
            limit = FILING_AIM_MS if r["name"] in FILINGS else PAGE_AIM_MS
            aim = f"< {limit} ms {'✓' if r['p95'] < limit else '✗'}"
        lines.append(f"| {r['name']} | {r['count']} | {r['failures']} | {r['rps']:.1f} | "
                     f"{r['p50']:.0f} ms | {r['p95']:.0f} ms | {aim} |")
    return "\n".join(lines)


def chart(out: Path, target: Path | None = None) -> Path | None:
    """p95 of all requests and the number of users, per second, from
    locust's history, as an SVG drawn here (no plotting library needed)."""
    points = []
    with open(out / "load_stats_history.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated" and row["95%"] not in ("", "N/A"):
                points.append((int(row["Timestamp"]), float(row["95%"]), int(row["User Count"])))
    if len(points) < 2:
        return None
    t0, t1 = points[0][0], points[-1][0]
    top = max(max(p95 for _, p95, _ in points), PAGE_AIM_MS) * 1.1
    most = max(users for *_, users in points) or 1
    w, h, left, bottom = 720, 300, 60, 30

    def x(t):
        return left + (t - t0) / max(t1 - t0, 1) * (w - left - 20)

    def y(v, scale):
        return h - bottom - v / scale * (h - bottom - 20)

    p95_line = " ".join(f"{x(t):.1f},{y(v, top):.1f}" for t, v, _ in points)
    user_line = " ".join(f"{x(t):.1f},{y(u, most):.1f}" for t, _, u in points)
    ticks = "".join(f'<text x="{left - 6}" y="{y(v, top) + 4:.1f}" text-anchor="end">{v:.0f}</text>'
                    for v in (0, top / 2, top))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           'font-family="sans-serif" font-size="11">'
           f'<rect width="{w}" height="{h}" fill="white"/>'
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - 20}" y2="{h - bottom}" stroke="black"/>'
           f'<line x1="{left}" y1="20" x2="{left}" y2="{h - bottom}" stroke="black"/>{ticks}'
           f'<line x1="{left}" x2="{w - 20}" y1="{y(PAGE_AIM_MS, top):.1f}" '
           f'y2="{y(PAGE_AIM_MS, top):.1f}" stroke="red" stroke-dasharray="4 3"/>'
           f'<polyline fill="none" stroke="#888" stroke-dasharray="2 2" points="{user_line}"/>'
           f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="{p95_line}"/>'
           f'<text x="{left + 8}" y="14">p95 of all requests (ms, blue) and users (0–{most}, '
           f'grey) per second; red: {PAGE_AIM_MS} ms</text>'
           f'<text x="{w - 20}" y="{h - 8}" text-anchor="end">{t1 - t0} s</text></svg>')
    path = target or out / "latency-over-time.svg"
    path.write_text(svg, encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=1_000_000)
    ap.add_argument("--notices", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=5,
                    help="users started a second (each signed-in user logs in as it starts)")
    ap.add_argument("--after-ramp", action="store_true",
                    help="count only what users did once all of them were in (locust's "
                         "--reset-stats); default: the whole run, logins and ramp included")
    ap.add_argument("--run-time", type=int, default=60, help="seconds at full load")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers per site")
    ap.add_argument("--out", type=Path, default=None, help="locust's reports (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    ap.add_argument("--gps-database", default=None, metavar="URL",
                    help="use this GPS database as it is (built before, e.g. by list_bench.py "
                         "--database … --keep): not built, not dropped")
    ap.add_argument("--trading-database", default=None, metavar="URL",
                    help="the same for 平顶山市's trading site (from a run with --keep)")
    ap.add_argument("--chart", type=Path, default=None, help="where to write the SVG chart")
    ap.add_argument("--only", nargs="*", default=[],
                    help="user classes to run (Reader Handler Reviewer Regulator); default all")
    args = ap.parse_args()
    server = os.environ.get("TEST_DATABASE_URL")
    if not server or not server.startswith("postgresql"):
        raise SystemExit("TEST_DATABASE_URL must name a PostgreSQL server (see the docstring)")
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: run `make load-venv`")
    workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    out = args.out or workdir
    out.mkdir(parents=True, exist_ok=True)
    os.environ.update({"INSTANCE_ROOT": str(workdir / "instance"), "PYTHONUNBUFFERED": "1"})
    os.environ.pop("DATABASE_URL", None)
    given = {key: url for key, url in (("gps", args.gps_database),
                                       ("trading", args.trading_database)) if url}
    names = {key: f"load_{key}_{uuid.uuid4().hex[:6]}" for key in ("gps", "trading")
             if key not in given}
    urls = {**{key: fresh_database(server, name) for key, name in names.items()}, **given}
    procs = p.Processes(workdir, dict(os.environ))
    try:
        started = time.perf_counter()
        if "gps" in names:
            print(f"building GPS ({args.plans:,} plans) …", flush=True)
            print(f"  {in_child(build_gps, urls['gps'], args.plans):.0f} s", flush=True)
        if "trading" in names:
            print(f"building 平顶山市 ({args.notices:,} notices) …", flush=True)
            print(f"  {in_child(build_trading, urls['trading'], args.notices):.0f} s", flush=True)
        redis_url = p.start_redis(procs, workdir)
        ports = {"gps": p.free_port(), "trading": p.free_port()}
        env = {"REDIS_URL": redis_url, "AUTH_RATE_LIMIT": "100000 per second",
               "WEB_WORKERS": str(args.workers)}
        serve(procs, "gps", ports["gps"], args.workers,
              {**env, "SITE": "gps", "DATABASE_URL_GPS": urls["gps"]})
        serve(procs, "trading", ports["trading"], args.workers,
              {**env, "SITE": "trading", "PLATFORM_CODE": PLATFORM,
               f"DATABASE_URL_TRADING_{PLATFORM}": urls["trading"]})
        print(f"locust: {args.users} users, {args.run_time} s …", flush=True)
        ramp = int(args.users / args.spawn_rate) + 1
        subprocess.run([str(LOCUST), "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                        "--headless", "--users", str(args.users),
                        "--spawn-rate", str(args.spawn_rate),
                        "--run-time", f"{args.run_time + ramp}s", "--only-summary",
                        "--csv", str(out / "load"), "--csv-full-history",
                        "--html", str(out / "report.html"),
                        *(["--reset-stats"] if args.after_ramp else []), *args.only],
                       env={**os.environ, "LOAD_GPS_URL": f"http://127.0.0.1:{ports['gps']}",
                            "LOAD_TRADING_URL": f"http://127.0.0.1:{ports['trading']}",
                            "LOAD_NOTICES": str(args.notices)},
                       cwd=ROOT, check=False)
        rows = summary(out)
        picture = chart(out, args.chart)
        print(f"\nRun of {time.strftime('%Y-%m-%d %H:%M')}, {time.perf_counter() - started:.0f} s "
              f"in all; {args.plans:,} plans{' (given)' if 'gps' in given else ''}, "
              f"{args.notices:,} notices{' (given)' if 'trading' in given else ''}, {args.users} users, "
              f"{args.run_time} s at full load (+{ramp} s ramp, "
              f"{'not counted' if args.after_ramp else 'counted'}), gunicorn -w {args.workers} "
              f"per site, PostgreSQL\n")
        print(table(rows))
        print(f"\nfailures: {sum(r['failures'] for r in rows)} of {sum(r['count'] for r in rows)}"
              f"; reports in {out}" + (f"; chart {picture}" if picture else ""))
    finally:
        procs.stop_all()
        for name in names.values():
            if args.keep:
                print(f"kept database {name}")
            else:
                drop_database(server, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
