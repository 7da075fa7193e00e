"""One page's statements and their times, as a user, in process.

    .venv/bin/python bench/page_statements.py DATABASE_URL PATH USER [--site trading|gps]
        [--repeat 5] [--explain MS]

Requests PATH `--repeat` times as USER (the demo's users, signed in) on
the database given (a bench's, kept), then prints the last request's time
and each of its statements: the fastest run of it, how many times it ran,
and its text. For finding which statement of a page is slow at volume
(docs/benchmarks.md, "Lot settings at a province's volume"). With
--explain, each statement slower than MS also gets its plan and the full
text.
"""
import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("path")
    parser.add_argument("user")
    parser.add_argument("--site", choices=("trading", "gps"), default="trading")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=float, metavar="MS",
                        help="also print the plan of each statement slower than MS")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    from sqlalchemy import event

    from app.extensions import db
    from bench.supervision_bench import login
    if args.site == "trading":
        from bench.trading_list_bench import open_app
    else:
        from bench.supervision_bench import open_app

    app = open_app(args.database)
    client = login(app, args.user)
    with app.app_context():
        engine = db.engine
    started, times, params = {}, collections.defaultdict(list), {}

    def before(conn, cursor, statement, *rest):
        started["at"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, *rest):
        times[statement].append(time.perf_counter() - started["at"])
        params[statement] = parameters

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    for _ in range(args.repeat):
        times.clear()
        began = time.perf_counter()
        response = client.get(args.path)
        took = time.perf_counter() - began
    print(f"{args.path} as {args.user}: {response.status_code}, {took * 1000:.1f} ms")
    for statement, runs in times.items():
        print(f"{min(runs) * 1000:9.2f} ms ×{len(runs):<3} {' '.join(statement.split())[:200]}")
        if args.explain is not None and min(runs) * 1000 > args.explain:
            print(f"             {statement}")
            print(plan(engine, statement, params[statement]))


def plan(engine, statement, parameters):
    """The statement's plan as the database ran it (PostgreSQL: EXPLAIN
    ANALYZE, which runs it again; SQLite: EXPLAIN QUERY PLAN)."""
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    lines = [row[0] if postgres else f"{'  ' * row[1]}{row[-1]}" for row in rows]
    return "\n".join(f"             {line}" for line in lines)


if __name__ == "__main__":
    main()
