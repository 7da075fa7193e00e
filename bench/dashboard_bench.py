"""【监督看板】 at a province's volume: its first load counted live against
the same load from the counts the sweeper keeps (app/supervision_tally.py),
in the same run, and what one build of those counts costs.

    .venv/bin/python bench/dashboard_bench.py DATABASE_URL [--repeat 5]

DATABASE_URL: a database bench/list_bench.py built (`--plans 1000000
--database …`), migrated to the head. Signed in as the city's 监管处, the
province's regulator and Admin, it loads /supervision/dashboard/data with
no filter and with a year's whole months, `--repeat` times each way,
alternating: live (DASHBOARD_FIGURES_SECONDS=0, so every load counts, as the
first load of each minute did) and from the counts. Prints Markdown for
docs/benchmarks.md.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

USERS = [("监管处 (city)", "jianguan"), ("省级", "sheng"), ("Admin", "admin")]
FILTERS = [("no filter", {}), ("2026, whole months", {"from": "2026-01-01", "to": "2026-12-31"})]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from app import supervision_tally
    from app.extensions import db
    from bench.supervision_bench import login, open_app

    app = open_app(args.database)
    app.config["DASHBOARD_FIGURES_SECONDS"] = 0
    with app.app_context():
        started = time.perf_counter()
        rows = supervision_tally.rebuild(db.session)
        build_s = time.perf_counter() - started
    lines = [f"One build of the counts: {build_s:.2f} s, {rows:,} rows.", "",
             "| user | filter | projects | live (median) | from the counts (median) | ratio |",
             "|---|---|---:|---:|---:|---:|"]
    for label, username in USERS:
        client = login(app, username)
        for name, query in FILTERS:
            times = {"live": [], "counted": []}
            bodies = {}
            for _ in range(args.repeat):
                for way, seconds in (("live", 0), ("counted", 300)):
                    app.config["DASHBOARD_TALLY_SECONDS"] = seconds
                    started = time.perf_counter()
                    response = client.get("/supervision/dashboard/data", query_string=query)
                    times[way].append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
                    body = response.json
                    bodies[way] = {k: v for k, v in body.items()
                                   if k not in ("as_of", "every_minutes")}
            # The same figures either way, or the comparison means nothing.
            assert bodies["live"] == bodies["counted"], (username, name)
            live, counted = (statistics.median(times[w]) for w in ("live", "counted"))
            lines.append(f"| {label} | {name} | {bodies['live']['totals']['projects']:,} | "
                         f"{live * 1000:,.0f} ms | {counted * 1000:,.1f} ms | "
                         f"{counted / live:.3f}× |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
