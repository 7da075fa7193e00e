"""The load test's GPS pages one at a time, in this process: where a page's
time goes before many users share the machine (docs/benchmarks.md,
"项目监督 and 【待办任务】 under load").

    .venv/bin/python bench/load/gps_pages.py --database postgresql+psycopg://ci:ci@127.0.0.1:5432/lb1m

The database is one bench/list_bench.py built and kept (`--database URL`),
used as it is. Each page is asked --repeat times after two unmeasured
requests; prints the fastest and the median.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PAGES = {  # who → what they ask in bench/load/locustfile.py, plus a county and the province
    "jingban": ["/plans/list/"],
    "shenhe": ["/todo/", "/todo/?page=37", "/todo/?q=BGBA-L0042"],
    "jianguan": ["/supervision/", "/supervision/?flag=YJ03",
                 "/supervision/?stage=" + quote("开标") + "&sort=budget&order=desc",
                 "/supervision/?page=150", "/supervision/?page=2900"],
    "chushen2": ["/supervision/", "/supervision/?flag=YJ03"],
    "sheng": ["/supervision/", "/supervision/?region=410100"],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", required=True, help="a kept list_bench.py database")
    ap.add_argument("--repeat", type=int, default=6)
    args = ap.parse_args()
    from bench.supervision_bench import login, open_app

    app = open_app(args.database)
    for user, paths in PAGES.items():
        client = login(app, user)
        for path in paths:
            client.get(path), client.get(path)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                status = client.get(path).status_code
                times.append((time.perf_counter() - started) * 1000)
            print(f"{user:9} {path:58} {status}  fastest {min(times):6.1f} ms  "
                  f"median {statistics.median(times):6.1f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
