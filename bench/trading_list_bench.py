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
the demo agency's waits for the centre's 受理审核 (its 【待办任务】). The
accepted projects' lots have 评分标准, 开标记录 and 质疑 (add_lot_settings);
one accepted project in CHANGE_EVERY had a 变更公告 (add_time_changes).

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
SCORING = ("scoring_item", "FROM lot")
OPENING = ("opening_bid", "FROM lot")
OBJECTIONS = ("objection", "FROM lot")
TIME_CHANGES = ("time_change", "trading_project")
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
    ("代理机构: 评分标准, page 1", "daili", "/scoring-items/list/", SCORING),
    ("中心业务科室: 评分标准, page 1", "keshi", "/scoring-items/list/", SCORING),
    ("代理机构: 开标记录, page 1", "daili", "/opening-bids/list/", OPENING),
    ("代理机构: 项目质疑, page 1", "daili", "/objections/list/", OBJECTIONS),
    ("中心业务科室: 变更公告, page 1", "keshi", "/time-changes/list/", TIME_CHANGES),
    ("代理机构: 变更公告, page 1", "daili", "/time-changes/list/", TIME_CHANGES),
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
        add_lot_settings(db)
        add_time_changes(db)
        at_rest(db)
        db.engine.dispose()
    return time.perf_counter() - started


# The newest hundredth of the lots are being set up (every third one's 技术
# short of 100, nothing opened); the others were opened with complete
# scoring, three bids each, one lot in CEILING_EVERY with a bid above its
# ceiling; one lot in OBJECTION_EVERY has a 质疑, unreplied in one in
# UNREPLIED_EVERY of those.
CEILING_EVERY, OBJECTION_EVERY, UNREPLIED_EVERY = 500, 25, 20


def add_lot_settings(db) -> None:
    """评分标准, 开标记录 and 质疑 for the accepted projects' lots, one
    INSERT … SELECT each (a project waiting for 受理审核 has none)."""
    from sqlalchemy import func, insert, literal, select

    from app.models import Lot, Objection, OpeningBid, ScoringItem, TradingProject

    accepted = select(Lot.id, Lot.budget, TradingProject.agency_id,
                      TradingProject.region_code).join(TradingProject).where(
        TradingProject.state == "受理通过")
    newest = db.session.scalar(select(func.max(Lot.id))) * 99 // 100
    opened = accepted.where(Lot.id <= newest)
    setting_up = accepted.where(Lot.id > newest)
    columns = ["lot_id", "category", "name", "weight"]
    for rows, category, name, weight in (
            (accepted, "价格", "价格分", 100), (accepted, "技术", "技术方案", 60),
            (opened, "技术", "实施计划", 40),
            (setting_up.where(Lot.id % 3 != 0), "技术", "实施计划", 40),
            (accepted, "商务", "商务响应", 100)):
        sub = rows.subquery()
        db.session.execute(insert(ScoringItem).from_select(columns, select(
            sub.c.id, literal(category), literal(name), literal(weight))))
    opened_at = literal(dt.datetime(2025, 6, 2, 9, 30))
    for bidder, share in (("投标人甲", 0.9), ("投标人乙", 0.95), ("投标人丙", 0.97)):
        sub = opened.subquery()
        db.session.execute(insert(OpeningBid).from_select(
            ["lot_id", "bidder", "price", "opened_at"],
            select(sub.c.id, literal(bidder), sub.c.budget * share, opened_at)))
    over = opened.where(Lot.id % CEILING_EVERY == 0).subquery()
    db.session.execute(insert(OpeningBid).from_select(
        ["lot_id", "bidder", "price", "opened_at", "ceiling_warning"],
        select(over.c.id, literal("投标人丁"), over.c.budget * 1.1, opened_at,
               literal("投标报价超过该标段预算。该投标应由评标委员会按无效投标处理。"))))
    for rows, replied in ((accepted.where(Lot.id % (OBJECTION_EVERY * UNREPLIED_EVERY) != 0),
                           True),
                          (accepted.where(Lot.id % (OBJECTION_EVERY * UNREPLIED_EVERY) == 0),
                           False)):
        sub = rows.where(Lot.id % OBJECTION_EVERY == 0).subquery()
        db.session.execute(insert(Objection).from_select(
            ["lot_id", "agency_id", "region_code", "objector", "received_on", "known_on",
             "content", "reply", "reply_date"],
            select(sub.c.id, sub.c.agency_id, sub.c.region_code, literal("质疑供应商"),
                   literal(dt.date(2025, 5, 20)), literal(dt.date(2025, 5, 19)), literal("对评分标准提出质疑"),
                   literal("已答复" if replied else None),
                   literal(dt.date(2025, 5, 26) if replied else None))))
    db.session.commit()


# One accepted project in CHANGE_EVERY had a 变更公告; its times took effect,
# except the newest projects' (one in CHANGE_PENDING_EVERY of those waits for
# the agency, as many for the centre's review).
CHANGE_EVERY, CHANGE_PENDING_EVERY = 10, 100


def add_time_changes(db) -> None:
    """变更公告 (TimeChange) in proportion, in one INSERT … SELECT."""
    from sqlalchemy import case, func, insert, literal, literal_column, select

    from app.models import TimeChange, TradingProject

    newest = db.session.scalar(select(func.max(TradingProject.id))) * 99 // 100
    pending = CHANGE_EVERY * CHANGE_PENDING_EVERY
    project = TradingProject
    state = case((project.id <= newest, "已生效"), (project.id % pending == 0, "待调整"),
                 (project.id % pending == CHANGE_EVERY, "待审核"), else_="已生效")
    received = project.accepted_at  # the 变更公告 follows the 采购公告
    effective = dt.datetime(2025, 7, 1, 9, 30)
    rows = select(
        project.id, project.agency_id, project.region_code,
        literal("BG-") + project.project_code, literal("变更公告（时间）"), received,
        literal(effective), literal(effective), state,
        case((state == "待调整", None), else_=received),
        case((state == "已生效", received), else_=None), received, literal_column("1"),
    ).where(project.state == "受理通过", project.id % CHANGE_EVERY == 0)
    db.session.execute(insert(TimeChange).from_select(
        ["project_id", "agency_id", "region_code", "notice_key", "notice_title",
         "received_at", "new_bid_deadline", "new_open_time", "state", "submitted_at",
         "applied_at", "changed_on", "version"], rows))
    db.session.commit()


if __name__ == "__main__":
    list_bench.main(__doc__, PAGES, build, open_app, "trading-list-bench")
