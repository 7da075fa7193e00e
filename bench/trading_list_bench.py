"""A trading site's lists at a province's volume (#17 item 1): 平顶山市's
公共资源交易平台 as its 中心业务科室 and an agency read it, each page against
a bare Flask view running the same SQL, in the same run.

    .venv/bin/python bench/trading_list_bench.py [--plans 1000000] [--repeat 20]
    .venv/bin/python bench/trading_list_bench.py --database URL [--keep] [--pages 标段,公告]

Sized in proportion to bench/list_bench.py's GPS (`--plans` plans filed in
the province): its plans fall ~5/6 in 平顶山市 and its counties, each pushed
to this site (接收采购计划, ~833,000 at 1,000,000), and one in two of those
is brought in as a trading project (项目进场受理, ~417,000) with 1–3 标段
and its published 采购公告 (项目公告). One plan in five is entrusted to the
demo 代理机构, the rest to four other agencies; one project in fifty of
the demo agency's waits for the centre's 受理审核 (its 【待办任务】).

Build, timing and the bare view are list_bench's (`--database`, `--keep`,
`--pages` as there). Aim (#17): real p95 ≤ 2 × bare p95.
"""
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import list_bench  # noqa: E402
from bench.supervision_bench import at_rest, migrate_with_demo  # noqa: E402

PLATFORM = "410400"
CHUNK = 20_000
# list_bench's regions, in its proportions; 方城县 (411322) is another site's.
REGIONS = ["410400", "410421", "410422", "411322", "410400", "410400"]
PROJECT_EVERY, AGENCY_EVERY, WAITING_EVERY = 2, 5, 50
OTHER_AGENCIES = 4
BASE = dt.datetime(2024, 1, 1, 8, 0)

RECEIVED = ("plan_replica",)
PROJECTS = ("trading_project", "FROM organisation", "FROM region")
LOTS = ("FROM lot", "trading_project")
NOTICES = ("published_notice", "trading_project")
TODO = ("trading_project", "time_change")
# (label, user, URL, the tables whose statements the bare view replays)
PAGES = [
    ("中心业务科室: 已接收计划, page 1", "keshi", "/received-plans/list/", RECEIVED),
    ("中心业务科室: 已接收计划, deep page", "keshi",
     "/received-plans/list/?page_ReceivedPlanView=5000", RECEIVED),
    ("代理机构: 已接收计划, page 1", "daili", "/received-plans/list/", RECEIVED),
    ("中心业务科室: 项目进场受理, page 1", "keshi", "/acceptance/list/", PROJECTS),
    ("中心业务科室: 项目进场受理, deep page", "keshi",
     "/acceptance/list/?page_AcceptanceView=5000", PROJECTS),
    ("中心业务科室: 项目进场受理, filter + sort", "keshi",
     "/acceptance/list/?_flt_0_state=待受理审核&_oc_AcceptanceView=budget"
     "&_od_AcceptanceView=desc", PROJECTS),
    ("代理机构: 项目进场受理, page 1", "daili", "/acceptance/list/", PROJECTS),
    ("代理机构: 标段, page 1", "daili", "/lots/list/", LOTS),
    ("代理机构: 标段费用, page 1", "daili", "/lot-fees/list/", LOTS),
    ("中心业务科室: 组建评委会, page 1", "keshi", "/committee/list/", LOTS),
    ("中心业务科室: 项目公告, page 1", "keshi", "/project-notices/list/", NOTICES),
    ("中心业务科室: 项目公告, deep page", "keshi",
     "/project-notices/list/?page_ProjectNoticeView=5000", NOTICES),
    ("代理机构: 项目公告, page 1", "daili", "/project-notices/list/", NOTICES),
    ("中心业务科室: 待办任务, page 1", "keshi", "/todo/", TODO),
]


def open_app(url):
    import logging

    from app import create_app

    app = create_app("trading", {"SQLALCHEMY_DATABASE_URI": url,
                                 "REDIS_URL": "redis://127.0.0.1:1/0", "WTF_CSRF_ENABLED": False,
                                 "RATELIMIT_ENABLED": False,
                                 "AUTH_RATE_LIMIT": "100000 per second"}, platform=PLATFORM)
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    return app


def build(url, plans) -> float:
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import (
        CATEGORIES, PROCUREMENT_METHODS, Lot, Organisation, OrgUser, PlanReplica, PublishedNotice,
        TradingProject)
    from app.rules.credit_code import complete
    from tests.supervision_helpers import sequences_past_given_ids

    app = open_app(url)
    started = time.perf_counter()
    migrate_with_demo(app)
    rng = random.Random(17)
    methods = PROCUREMENT_METHODS[:6]
    with app.app_context():
        daili = db.session.execute(select(OrgUser.id, OrgUser.organisation_id).where(
            OrgUser.username == "daili")).one()
        demo_agency = db.session.get(Organisation, daili.organisation_id)
        agencies = [(demo_agency.id, demo_agency.name, demo_agency.credit_code)]
        for n in range(OTHER_AGENCIES):
            other = Organisation(name=f"基准测试招标代理有限公司{n + 1}", org_type="代理机构",
                                 region_code=PLATFORM,
                                 credit_code=complete(f"91410400MA00099{n:02d}"))
            db.session.add(other)
            db.session.flush()
            agencies.append((other.id, other.name, other.credit_code))
        unit = db.session.execute(select(Organisation.name, Organisation.credit_code).where(
            Organisation.org_type == "采购单位", Organisation.region_code == PLATFORM)
            .order_by(Organisation.id)).first()
        db.session.commit()
        project_id = 0
        for start in range(0, plans, CHUNK):
            replicas, projects, lots, notices = [], [], [], []
            for seq in range(start, min(start + CHUNK, plans)):
                region = rng.choice(REGIONS)
                if region == "411322":
                    continue
                agency = agencies[0] if seq % AGENCY_EVERY == 0 else \
                    agencies[1 + seq % OTHER_AGENCIES]
                plan_no = f"JH{seq:010d}"
                name = f"交易测试项目{seq:07d}"
                method = methods[seq % len(methods)]
                category = CATEGORIES[seq % len(CATEGORIES)]
                budget = Decimal(rng.randrange(10_000, 50_000_000))
                received = BASE + dt.timedelta(minutes=seq)
                replicas.append({
                    "plan_no": plan_no, "version": 1, "project_name": name,
                    "unit_name": unit.name, "unit_credit_code": unit.credit_code,
                    "region_code": region, "agency_name": agency[1],
                    "agency_credit_code": agency[2], "procurement_method": method,
                    "category": category, "item_name": "台式计算机", "budget": budget,
                    "fund_source": "财政性资金", "expected_date": received.date(),
                    "filed_at": received, "status": "有效", "received_at": received,
                    "accepted": seq % PROJECT_EVERY == 1})
                if seq % PROJECT_EVERY != 1:
                    continue
                project_id += 1
                code = f"PDS{seq:010d}"
                # The demo agency's projects are seq ≡ 5 (mod 10); one in WAITING_EVERY.
                waiting = seq % (WAITING_EVERY * AGENCY_EVERY * PROJECT_EVERY) == AGENCY_EVERY
                submitted = received + dt.timedelta(days=2)
                accepted = None if waiting else submitted + dt.timedelta(days=1)
                projects.append({
                    "id": project_id, "project_code": code, "from_plan": True,
                    "plan_no": plan_no, "project_name": name, "unit_name": unit.name,
                    "unit_credit_code": unit.credit_code, "region_code": region,
                    "procurement_method": method, "category": category, "budget": budget,
                    "fund_source": "财政性资金", "agency_id": agency[0],
                    "state": "待受理审核" if waiting else "受理通过",
                    "stage": "未受理" if waiting else "公告已发布",
                    "submitted_at": submitted, "accepted_at": accepted, "version": 1,
                    "sync_version": 0, "created_on": received, "changed_on": submitted,
                    "created_by_fk": daili.id, "changed_by_fk": daili.id})
                count = 1 + (seq % 3 == 0) + (seq % 7 == 0)
                for lot_seq in range(1, count + 1):
                    lots.append({"project_id": project_id, "seq": lot_seq,
                                 "code": f"{code}{lot_seq:03d}", "name": f"{name}第{lot_seq}包",
                                 "budget": budget / count, "committee_version": 0,
                                 "status_version": 0})
                if not waiting:
                    notices.append({
                        "notice_key": f"GG-{seq:010d}", "column": "采购公告",
                        "title": f"{name}采购公告", "project_code": code, "plan_no": plan_no,
                        "region_code": region, "body_html": f"<p>{name}采购公告</p>",
                        "lots": [{"code": f"{code}001", "name": name, "budget": str(budget)}],
                        "published_at": accepted + dt.timedelta(hours=2), "published": True,
                        "version": 1})
            db.session.execute(insert(PlanReplica), replicas)
            db.session.execute(insert(TradingProject), projects)
            db.session.execute(insert(Lot), lots)
            if notices:
                db.session.execute(insert(PublishedNotice), notices)
            db.session.commit()
        sequences_past_given_ids(db, "trading_project")  # lots and notices take theirs
        at_rest(db)
        db.engine.dispose()
    return time.perf_counter() - started


if __name__ == "__main__":
    list_bench.main(__doc__, PAGES, build, open_app, "trading-list-bench")
