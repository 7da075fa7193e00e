"""Where one page's time goes: SQL, Jinja and the rest, per request.

    .venv/bin/python bench/page_split.py [--plans 20000] [--url /plans/list/] [--user jingban]
        [--database URL] [--keep] [--repeat 300] [--statements] [--site gps|trading]

Builds a GPS database as bench/list_bench.py does (`--plans` plans; SQLite in
a temporary directory unless `--database` names one; `--keep` reuses what is
there), signs in as `--user`, warms up, then requests `--url` `--repeat`
times in this process (`--site trading`: a trading site's page on a
database bench/trading_list_bench.py built, always `--keep`) and prints, per request: wall time (median and mean),
this process's CPU time, the time inside the database driver per statement
(before → after cursor execute) and the time rendering the page's
templates. `--statements` lists the statements of one request.

For before/after comparisons of a change on this noisy VM: build once, then
run this file from each git worktree against the same database with
`--keep`, alternating, several times (docs/benchmarks.md, "Grants kept per
process").
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=20000)
    parser.add_argument("--url", default="/plans/list/")
    parser.add_argument("--user", default="jingban")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--keep", action="store_true", help="use the database as it is")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--site", choices=("gps", "trading"), default="gps")
    args = parser.parse_args()

    from flask import before_render_template, template_rendered
    from sqlalchemy import event

    from app.extensions import db
    from bench import list_bench
    from bench import trading_list_bench
    from bench.supervision_bench import in_child, login, open_app

    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/gps.db"
    if args.site == "trading":
        if not args.database:
            parser.error("--site trading measures a database trading_list_bench.py built: give --database")
        app = trading_list_bench.open_app(url)
    else:
        if not args.keep:
            in_child(list_bench.build, url, args.plans)
        app = open_app(url)
    with app.app_context():
        engine = db.engine

    totals = {"sql": 0.0, "statements": 0, "render": 0.0}
    per_statement, started, depth = {}, {}, [0]

    def before_execute(conn, cursor, statement, *rest):
        started["sql"] = time.perf_counter()

    def after_execute(conn, cursor, statement, *rest):
        spent = time.perf_counter() - started["sql"]
        totals["sql"] += spent
        totals["statements"] += 1
        per_statement[statement[:48]] = per_statement.get(statement[:48], 0.0) + spent

    def before_render(sender, **extra):
        if depth[0] == 0:
            started["render"] = time.perf_counter()
        depth[0] += 1

    def rendered(sender, **extra):
        depth[0] -= 1
        if depth[0] == 0:
            totals["render"] += time.perf_counter() - started["render"]

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "after_cursor_execute", after_execute)
    before_render_template.connect(before_render, app)
    template_rendered.connect(rendered, app)

    client = login(app, args.user)
    for _ in range(30):
        client.get(args.url)
    totals.update(sql=0.0, statements=0, render=0.0)
    per_statement.clear()
    walls = []
    cpu = time.process_time()
    for _ in range(args.repeat):
        begun = time.perf_counter()
        response = client.get(args.url)
        response.get_data()
        walls.append(time.perf_counter() - begun)
    assert response.status_code == 200, response.status_code
    cpu = time.process_time() - cpu
    n = args.repeat

    def ms(seconds):
        return f"{seconds / n * 1000:.2f} ms"

    print(f"{args.url} as {args.user} ({os.path.basename(str(Path.cwd()))}): "
          f"wall p50 {statistics.median(walls) * 1000:.2f} ms, mean {sum(walls) / n * 1000:.2f} ms, "
          f"p95 {sorted(walls)[int(n * 0.95)] * 1000:.2f} ms, max {max(walls) * 1000:.1f} ms; "
          f"CPU {ms(cpu)}; SQL {ms(totals['sql'])} in {totals['statements'] / n:.1f} statements; "
          f"templates {ms(totals['render'])}")
    for statement, spent in per_statement.items():
        print(f"  {ms(spent):>9}  {statement!r}")
    if args.statements:
        seen = []
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: seen.append(statement))
        client.get(args.url)
        for statement in seen:
            print("  ", " ".join(statement.split())[:160])


if __name__ == "__main__":
    main()
