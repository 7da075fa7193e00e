"""Builders for 项目监督 tests and the benchmark: regions' units, plans and
their `supervision_project` / `project_flag` rows, inserted in bulk (Core
executemany: the derived rows are what the list reads; how they are derived
is app/supervision.py's business and its own tests')."""
import datetime as dt
import random
from decimal import Decimal

from app.models import CATEGORIES, PROCUREMENT_METHODS, SUPERVISION_STAGES

# Units the demo lacks: one in each county under 平顶山 (宝丰县, 叶县), so a
# city regulator's list holds rows from regions below its own.
EXTRA_UNITS = [("宝丰县教育局", "410421", "114104210000000001"),
               ("叶县人民医院", "410422", "124104220000000002")]
BASE_DAY = dt.datetime(2026, 3, 2, 9, 0)


def units(app) -> dict:
    """Region code → the id of a 采购单位 there (the demo's, plus EXTRA_UNITS)."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import Organisation

    with app.app_context():
        have = dict(db.session.execute(select(Organisation.name, Organisation.id)).all())
        for name, region, credit in EXTRA_UNITS:
            if name not in have:
                db.session.execute(insert(Organisation).values(
                    name=name, org_type="采购单位", credit_code=credit, region_code=region))
        db.session.commit()
        rows = db.session.execute(select(Organisation.region_code, Organisation.id, Organisation.name)
                                  .where(Organisation.org_type == "采购单位")
                                  .order_by(Organisation.id)).all()
    found = {}
    for region, org_id, name in rows:
        found.setdefault(region, (org_id, name))
    return found


def project(seq, region="410400", **overrides) -> dict:
    """One project's values; tests override what they filter on."""
    values = {
        "seq": seq, "region": region, "name": f"监督测试项目{seq:06d}",
        "method": PROCUREMENT_METHODS[seq % len(PROCUREMENT_METHODS)],
        "category": CATEGORIES[seq % len(CATEGORIES)],
        "stage": SUPERVISION_STAGES[seq % len(SUPERVISION_STAGES)],
        "budget": Decimal(100000 + seq * 10),
        "filed_at": BASE_DAY + dt.timedelta(hours=seq),
        "project_code": f"XM{seq:08d}", "flags": [],
    }
    values.update(overrides)
    return values


def insert_projects(app, projects, chunk=5000) -> list[int]:
    """Insert Plan + SupervisionProject + ProjectFlag rows for `projects`
    (dicts from project()); returns the plan ids in the same order."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import OrgUser, Plan, ProjectFlag, SupervisionProject

    by_region = units(app)
    now = dt.datetime(2026, 11, 1, 8, 0)
    ids = []
    with app.app_context():
        admin = db.session.execute(select(OrgUser.id).where(OrgUser.username == "admin")).scalar()
        start = (db.session.execute(select(Plan.id).order_by(Plan.id.desc()).limit(1)).scalar()
                 or 0) + 1
        for offset in range(0, len(projects), chunk):
            part = projects[offset:offset + chunk]
            plans, rows, flags = [], [], []
            for i, p in enumerate(part):
                plan_id = start + offset + i
                unit_id, unit_name = by_region[p["region"]]
                plan_no = p.get("plan_no") or f"JH-S-{plan_id:08d}"
                plans.append({
                    "id": plan_id, "plan_no": plan_no, "project_name": p["name"],
                    "unit_id": unit_id, "agency_id": p.get("agency_id"), "region_code": p["region"],
                    "procurement_method": p["method"], "category": p["category"],
                    "item_name": "台式计算机", "budget": p["budget"], "fund_source": "财政性资金",
                    "expected_date": p["filed_at"].date(), "interconnected": True,
                    "state": "已备案", "filed_at": p["filed_at"], "meets_push": False,
                    "version": 0, "push_state": "不推送", "created_on": now, "changed_on": now,
                    "created_by_fk": admin, "changed_by_fk": admin})
                rows.append({
                    "plan_id": plan_id, "plan_no": plan_no, "project_code": p["project_code"],
                    "project_name": p["name"], "unit_id": unit_id,
                    "unit_name": p.get("unit_name", unit_name), "region_code": p["region"],
                    "procurement_method": p["method"], "category": p["category"],
                    "budget": p["budget"], "filed_at": p["filed_at"], "stage": p["stage"],
                    "stage_at": p["filed_at"], "flag_count": len(p["flags"]),
                    "refreshed_at": now})
                for n, flag in enumerate(p["flags"]):
                    flags.append({"plan_id": plan_id, "flag_id": flag, "record_type": "Plan",
                                  "record_id": f"{plan_id}-{n}", "record_label": plan_no,
                                  "detail": f"{flag} 测试提示", "raised_on": p["filed_at"].date()})
                ids.append(plan_id)
            db.session.execute(insert(Plan), plans)
            db.session.execute(insert(SupervisionProject), rows)
            if flags:
                db.session.execute(insert(ProjectFlag), flags)
            db.session.commit()
        sequences_past_given_ids(db, "plan")
    return ids


def sequences_past_given_ids(db, *tables) -> None:
    """After rows were inserted with their ids given: on PostgreSQL, move
    each table's id sequence past them, or the next row added through the
    app (a test, the load bench) collides."""
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table in tables:
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    db.session.commit()


def random_projects(n, seed=16) -> list[dict]:
    """n projects spread over the demo's regions, about one in five flagged."""
    rng = random.Random(seed)
    regions = ["410400", "410421", "410422", "411322", "410400", "410400"]
    flags = [f"YJ{i:02d}" for i in range(1, 15)]
    out = []
    for seq in range(n):
        chosen = rng.sample(flags, rng.choice((1, 1, 2, 3))) if rng.random() < 0.2 else []
        out.append(project(seq, region=rng.choice(regions), flags=chosen,
                           budget=Decimal(rng.randrange(10_000, 50_000_000)) / 100 * 100,
                           filed_at=BASE_DAY + dt.timedelta(minutes=seq * 5)))
    return out
