"""The website's searches one at a time, in this process, every page
rendered: where a search's time goes before many readers share the machine
(docs/benchmarks.md, "Website searches at 1,000,000 notices").

    .venv/bin/python bench/website_searches.py --database /work/wb1m/trading.db

The database is an SQLite file bench/website_bench.py built and kept
(`--database FILE`), used as it is. Each page is asked --repeat times after
one unmeasured request; prints the median and the fastest, in ms. Run it
from two worktrees in turn to compare a change.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEARCHES = [("title", "教育局"), ("title", "教育"), ("title", "教"),
            ("title", "教育局台式计算机"), ("code", "-2025-00")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", required=True, help="a kept website_bench.py SQLite file")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--code", default="410400-2024-79156", help="one notice's 项目编号")
    ap.add_argument("--cache-mb", type=int, help="SQLITE_CACHE_MB (default: the app's)")
    args = ap.parse_args()
    from app import create_app

    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.database}", "WEBSITE_PAGE_CACHE": 0}
    if args.cache_mb is not None:
        config["SQLITE_CACHE_MB"] = args.cache_mb
    client = create_app("trading", config, platform="410400").test_client()
    paths = ["/web/caigou/"] + [f"/web/caigou/?{name}={quote(text)}"
                                for name, text in SEARCHES + [("code", args.code)]]
    for path in paths:
        client.get(path)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            status = client.get(path).status_code
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"{path}: {status}")
        print(f"{statistics.median(times):8.1f} {min(times):8.1f}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
