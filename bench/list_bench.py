"""GPS lists at a province's volume (#17 item 1): the 采购计划 list as a
经办岗, an agency and a city regulator, and 【项目监督】, each against a bare
Flask view running the same SQL, in the same run.

    .venv/bin/python bench/list_bench.py [--plans 1000000] [--repeat 20]
    TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/list_bench.py

Builds a GPS database (SQLite in a temp directory; with TEST_DATABASE_URL
also a fresh PostgreSQL database, dropped afterwards) in a child process
(see bench/supervision_bench.py for why): migrations, roles, demo data, then
`--plans` filed plans with their supervision rows (tests/supervision_helpers:
平顶山市 and its counties ~5/6, 方城县 the rest; the city's are the demo
经办岗's unit's), one in five entrusted to the demo 代理机构. Then, signed in
as each user, it times each page `--repeat` times interleaved with the bare
view of the statements that page ran against the list's tables (captured
with a cursor hook): first page, a deep page, a filter with a sort.
Aim (#17): real p95 ≤ 2 × bare p95. Prints Markdown for docs/benchmarks.md.

For before/after comparisons on this noisy VM, build once with `--database
URL` (an empty database; it is kept), then run each worktree against it with
`--database URL --keep`, alternating.

【待办任务】 at volume: one plan in twenty of the demo 经办岗's unit has a
中标结果变更备案 waiting for its 单位内部审核岗 (`--plans 1000000`: ~42,000),
listed as that 审核岗: first page, a deep page and a search.

The 采购公告发布 list (the filed plans a notice is published for) as the
agency and the 经办岗. Not yet here: the trading site's lists.
"""
import argparse
import datetime as dt
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.supervision_bench import (  # noqa: E402
    at_rest, bare_app, capture, each_backend, in_child, login, median, migrate_with_demo, open_app, p95,
    timed)

AIM = 2.0
WARM_UP = 10  # requests of each page, real and bare, before the timed ones
CHUNK = 50_000
PLAN_TABLES = ("\"plan\"", "FROM plan", "FROM organisation", "FROM platform")
SUPERVISION_TABLES = ("supervision_project", "project_flag", "FROM region")
# Every chain's table the queue reads on GPS, and what a row's label shows.
TODO_TABLES = ("winner_change", "FROM contract", "expert_request", "FROM plan",
               "FROM organisation")
# (label, user, URL, the tables whose statements the bare view replays)
PAGES = [
    ("经办岗: 采购计划, page 1", "jingban", "/plans/list/", PLAN_TABLES),
    ("经办岗: 采购计划, deep page", "jingban", "/plans/list/?page_PlanView=5000", PLAN_TABLES),
    ("经办岗: 采购计划, filter + sort", "jingban",
     "/plans/list/?_flt_0_procurement_method=公开招标&_oc_PlanView=budget&_od_PlanView=desc",
     PLAN_TABLES),
    # 项目名称 包含: the plans under the text's rarest gram (typed_filters.TextContains);
    # seeded names are 监督测试项目NNNNNN, so this is the ten plans 012340–012349.
    ("监管处 (city): 采购计划, 项目名称 包含", "jianguan",
     "/plans/list/?_flt_2_project_name=测试项目01234", PLAN_TABLES + ("plan_name_gram",)),
    ("代理机构: 采购计划, page 1", "daili", "/plans/list/", PLAN_TABLES),
    ("监管处 (city): 采购计划, page 1", "jianguan", "/plans/list/", PLAN_TABLES),
    ("代理机构: 采购公告发布, page 1", "daili", "/notice-publish/list/", PLAN_TABLES),
    ("经办岗: 采购公告发布, page 1", "jingban", "/notice-publish/list/", PLAN_TABLES),
    ("监管处 (city): 项目监督, filter + sort", "jianguan",
     "/supervision/?stage=开标&sort=budget&order=desc", SUPERVISION_TABLES),
    ("监管处 (city): 项目监督, deep page", "jianguan", "/supervision/?page=3000",
     SUPERVISION_TABLES),
    ("单位内部审核岗: 待办任务, page 1", "shenhe", "/todo/", TODO_TABLES),
    ("单位内部审核岗: 待办任务, deep page", "shenhe", "/todo/?page=200", TODO_TABLES),
    ("单位内部审核岗: 待办任务, search", "shenhe", "/todo/?q=BGBA-L0012", TODO_TABLES),
]


def build(url, plans) -> float:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import OrgUser
    from tests.supervision_helpers import BASE_DAY, insert_projects, project

    app = open_app(url)
    started = time.perf_counter()
    migrate_with_demo(app)
    with app.app_context():
        agency = db.session.execute(select(OrgUser.organisation_id).where(
            OrgUser.username == "daili")).scalar_one()
    rng = random.Random(17)
    regions = ["410400", "410421", "410422", "411322", "410400", "410400"]
    flags = [f"YJ{i:02d}" for i in range(1, 15)]
    for start in range(0, plans, CHUNK):
        batch = []
        for seq in range(start, min(start + CHUNK, plans)):
            chosen = rng.sample(flags, rng.choice((1, 1, 2, 3))) if rng.random() < 0.2 else []
            batch.append(project(seq, region=rng.choice(regions), flags=chosen,
                                 budget=rng.randrange(10_000, 50_000_000),
                                 filed_at=BASE_DAY + dt.timedelta(minutes=seq),
                                 # Entrusted as they are filed, one in five. An
                                 # UPDATE afterwards put every new row version at
                                 # the end of PostgreSQL's heap: the agency's plans
                                 # all last, unlike any real table.
                                 agency_id=agency if seq % 5 == 0 else None))
        insert_projects(app, batch)
    with app.app_context():
        waiting_changes(db, plans)
        at_rest(db)
        db.engine.dispose()
    return time.perf_counter() - started


def waiting_changes(db, plans):
    """A 中标结果变更备案 waiting for 单位内部审核 on one in twenty of the demo
    经办岗's unit's plans (the 【待办任务】 of its 审核岗)."""
    from sqlalchemy import insert, select

    from app.models import OrgUser, Plan, WinnerChange

    jingban = db.session.execute(select(OrgUser.id, OrgUser.organisation_id).where(
        OrgUser.username == "jingban")).one()
    ids = db.session.execute(select(Plan.id, Plan.region_code).where(
        Plan.unit_id == jingban.organisation_id, Plan.id % 20 == 0)).all()
    base = dt.datetime(2026, 6, 1, 8, 0)
    for start in range(0, len(ids), CHUNK):
        db.session.execute(insert(WinnerChange), [{
            "filing_no": f"BGBA-L{plan_id:07d}", "unit_id": jingban.organisation_id,
            "region_code": region, "plan_id": plan_id, "original_supplier": "甲公司",
            "original_amount": 100, "new_supplier": "乙公司", "new_amount": 100,
            "reason": "其他", "explanation": "基准测试", "state": "待单位审核", "version": 1,
            "created_on": base, "changed_on": base + dt.timedelta(seconds=plan_id),
            "created_by_fk": jingban.id, "changed_by_fk": jingban.id}
            for plan_id, region in ids[start:start + CHUNK]])
        db.session.commit()


def run(url, args, label):
    from app.extensions import db

    build_s = 0 if args.keep else in_child(build, url, args.plans)
    app = open_app(url)
    clients, statements = {}, {}
    for name, user, path, tables in PAGES:
        client = clients.get(user) or clients.setdefault(user, login(app, user))
        statements[name] = capture(app, client, path, tables)
    with app.app_context():
        engine = db.engine
    bare = bare_app(engine, statements).test_client()
    # As run.py does in production: what start-up made is left out of
    # Python's full collections (one every dozen pages, 70–110 ms, was the
    # slowest twentieth of the heavier pages, real and bare alike).
    gc.collect()
    gc.freeze()
    results = {}
    for name, user, path, _ in PAGES:
        client = clients[user]
        real_t, bare_t = [], []
        # Warmed up first, both: psycopg prepares a statement on its 6th run
        # on a connection (app/postgres.py), and a page keeps what it draws
        # the same each time (list_widget.py). Cold requests were up to
        # WARM_UP of the timed ones, the p95 among them.
        timed(lambda: client.get(path), WARM_UP)
        timed(lambda: bare.get("/" + name), WARM_UP)
        for _ in range(args.repeat):  # interleaved, so load on the machine hits both
            real_t += timed(lambda: client.get(path), 1)
            bare_t += timed(lambda: bare.get("/" + name), 1)
        results[name] = (p95(real_t), p95(bare_t), median(real_t) / median(bare_t),
                         len(statements[name]))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {"label": label, "build_s": build_s, "results": results}


def render(runs, args, elapsed):
    lines = [f"Run of {dt.date.today().isoformat()}, {elapsed / 60:.1f} min in all; "
             f"{args.plans:,} plans, {args.repeat} requests per page.", ""]
    for run_ in runs:
        lines += [f"**{run_['label']}** (build {run_['build_s']:.0f} s)", "",
                  "| page | statements replayed | real p95 | bare p95 | ratio | (p50 ratio) | aim |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for name, (real, bare, middle, n) in run_["results"].items():
            ratio = real / bare
            lines.append(f"| {name} | {n} | {real * 1000:.1f} ms | {bare * 1000:.1f} ms | "
                         f"{ratio:.2f}× | {middle:.2f}× | ≤ {AIM:g}× {'✓' if ratio <= AIM else '✗'} |")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--database", help="build there (an empty database) and keep it, "
                        "in place of a fresh one per backend")
    parser.add_argument("--keep", action="store_true",
                        help="with --database: use it as it is, already built")
    args = parser.parse_args()
    if args.keep and not args.database:
        parser.error("--keep needs --database: the database to use as it is")
    os.environ.setdefault("INSTANCE_ROOT", tempfile.mkdtemp(prefix="list-bench-inst-"))
    started = time.perf_counter()
    if args.database:
        from sqlalchemy.engine import make_url

        runs = [run(args.database, args, make_url(args.database).get_backend_name())]
    else:
        runs = each_backend(args, run, "list-bench")
    print(render(runs, args, time.perf_counter() - started))


if __name__ == "__main__":
    main()
