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
agency and the 经办岗.

Contracts in proportion: one plan in CONTRACT_EVERY has its trading project
(project_replica), a published 结果公告 and a 合同公告及备案 (`--plans
1000000`: 500,000), filed, except one in WAITING_EVERY of the demo 经办岗's
unit's, waiting for its 审核岗 (so in 【待办任务】 too). Listed as the 经办岗
(合同公告及备案) and the city regulator (合同备案查询); the trading projects
(交易项目与标段) as the 经办岗 and the regulator. The trading site's
lists, in the same proportions: bench/trading_list_bench.py.
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
CONTRACT_EVERY = 2
WAITING_EVERY = 50
PLAN_TABLES = ("\"plan\"", "FROM plan", "FROM organisation", "FROM platform")
SUPERVISION_TABLES = ("supervision_project", "project_flag", "FROM region")
# Every chain's table the queue reads on GPS, and what a row's label shows.
CONTRACT_TABLES = ("FROM contract", "FROM organisation", "FROM region")
TODO_TABLES = ("winner_change", "FROM contract", "expert_request", "FROM plan",
               "FROM organisation")
REPLICA_TABLES = ("project_replica", "FROM plan")
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
    ("监管处 (city): 采购公告发布, page 1", "jianguan", "/notice-publish/list/", PLAN_TABLES),
    ("监管处 (city): 项目监督, filter + sort", "jianguan",
     "/supervision/?stage=开标&sort=budget&order=desc", SUPERVISION_TABLES),
    ("监管处 (city): 项目监督, deep page", "jianguan", "/supervision/?page=3000",
     SUPERVISION_TABLES),
    ("单位内部审核岗: 待办任务, page 1", "shenhe", "/todo/", TODO_TABLES),
    ("单位内部审核岗: 待办任务, deep page", "shenhe", "/todo/?page=200", TODO_TABLES),
    ("单位内部审核岗: 待办任务, search", "shenhe", "/todo/?q=BGBA-L0012", TODO_TABLES),
    ("经办岗: 合同公告及备案, page 1", "jingban", "/contracts/list/", CONTRACT_TABLES),
    ("经办岗: 合同公告及备案, deep page", "jingban", "/contracts/list/?page_ContractView=5000",
     CONTRACT_TABLES),
    ("监管处 (city): 合同备案查询, page 1", "jianguan", "/contract-filings/list/",
     CONTRACT_TABLES),
    ("经办岗: 交易项目与标段, page 1", "jingban", "/trading-projects/list/", REPLICA_TABLES),
    ("监管处 (city): 交易项目与标段, page 1", "jianguan", "/trading-projects/list/",
     REPLICA_TABLES),
    ("监管处 (city): 合同备案查询, filter + sort", "jianguan",
     "/contract-filings/list/?_flt_0_signed_on=2026-05-01&_oc_ContractQueryView=amount"
     "&_od_ContractQueryView=desc", CONTRACT_TABLES),
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
        contracts(db)
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


def contracts(db) -> int:
    """Each CONTRACT_EVERY-th plan's trading project, 结果公告 and contract
    (see the module's doc). Ids are given (the plan's): move the sequences
    past them on PostgreSQL. Returns how many."""
    from sqlalchemy import insert, select

    from app.models import Contract, Notice, OrgUser, Organisation, Plan, Platform, ProjectReplica
    from tests.supervision_helpers import sequences_past_given_ids

    jingban = db.session.execute(select(OrgUser.id, OrgUser.organisation_id).where(
        OrgUser.username == "jingban")).one()
    platform = db.session.execute(select(Platform.code).order_by(Platform.code)).scalars().first()
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    ids = db.session.execute(select(Plan.id).where(Plan.id % CONTRACT_EVERY == 1)
                             .order_by(Plan.id)).scalars().all()
    for start in range(0, len(ids), CHUNK):
        plans = db.session.execute(select(
            Plan.id, Plan.plan_no, Plan.project_name, Plan.unit_id, Plan.agency_id,
            Plan.region_code, Plan.budget, Plan.procurement_method, Plan.filed_at).where(
            Plan.id.in_(ids[start:start + CHUNK]))).all()
        replicas, notices, rows = [], [], []
        for p in plans:
            code = f"HT{p.id:010d}"
            published = p.filed_at + dt.timedelta(days=40)
            signed = published + dt.timedelta(days=10)
            waiting = p.unit_id == jingban.organisation_id and p.id % WAITING_EVERY == 1
            audit = {"created_on": published, "changed_on": signed,
                     "created_by_fk": jingban.id, "changed_by_fk": jingban.id}
            replicas.append({"project_code": code, "platform_code": platform,
                             "plan_no": p.plan_no, "plan_id": p.id,
                             "project_name": p.project_name, "budget": p.budget,
                             "stage": "合同", "version": 1, "received_at": published})
            notices.append({"id": p.id, "notice_key": f"JG-{p.id:010d}", "notice_type": "结果公告",
                            "project_code": code, "plan_id": p.id, "unit_id": p.unit_id,
                            "agency_id": p.agency_id, "region_code": p.region_code,
                            "platform_code": platform, "title": f"{p.project_name}结果公告",
                            "state": "已发布", "sync_state": "已同步", "published_at": published,
                            "version": 1, **audit})
            rows.append({"id": p.id, "filing_no": f"HTBA-{p.id:010d}", "unit_id": p.unit_id,
                         "region_code": p.region_code, "plan_id": p.id, "project_code": code,
                         "result_notice_id": p.id, "contract_no": f"HT-{p.id}",
                         "contract_name": f"{p.project_name}采购合同",
                         "purchaser_name": names[p.unit_id], "supplier_name": "甲公司",
                         "main_items": "台式计算机", "amount": p.budget * 9 / 10,
                         "procurement_method": p.procurement_method,
                         "award_notice_on": published.date(), "signed_on": signed.date(),
                         "state": "待单位审核" if waiting else "已备案",
                         "submitted_at": signed + dt.timedelta(days=1),
                         "filed_at": None if waiting else signed + dt.timedelta(days=2),
                         "version": 1, **audit})
        db.session.execute(insert(ProjectReplica), replicas)
        db.session.execute(insert(Notice), notices)
        db.session.execute(insert(Contract), rows)
        db.session.commit()
    sequences_past_given_ids(db, "notice", "contract")
    return len(ids)


def run(url, args, label, pages=PAGES, build=build, opener=open_app):
    """Build (unless --keep), then time each of `pages` against its bare view."""
    from app.extensions import db

    build_s = 0 if args.keep else in_child(build, url, args.plans)
    app = opener(url)
    clients, statements = {}, {}
    for name, user, path, tables in pages:
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
    for name, user, path, _ in pages:
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


def main(doc=__doc__, pages=PAGES, build=build, opener=open_app, prefix="list-bench"):
    """The command line of this bench and of bench/trading_list_bench.py."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--database", help="build there (an empty database) and keep it, "
                        "in place of a fresh one per backend")
    parser.add_argument("--keep", action="store_true",
                        help="with --database: use it as it is, already built")
    parser.add_argument("--pages", help="only the pages whose label contains one of these "
                        "comma-separated words (e.g. 合同,待办任务)")
    args = parser.parse_args()
    if args.pages:
        words = args.pages.split(",")
        pages = [page for page in pages if any(word in page[0] for word in words)]
    if args.keep and not args.database:
        parser.error("--keep needs --database: the database to use as it is")
    os.environ.setdefault("INSTANCE_ROOT", tempfile.mkdtemp(prefix=f"{prefix}-inst-"))
    started = time.perf_counter()

    def run_here(url, args, label):
        return run(url, args, label, pages, build, opener)

    if args.database:
        from sqlalchemy.engine import make_url

        runs = [run_here(args.database, args, make_url(args.database).get_backend_name())]
    else:
        runs = each_backend(args, run_here, prefix)
    print(render(runs, args, time.perf_counter() - started))


if __name__ == "__main__":
    main()
