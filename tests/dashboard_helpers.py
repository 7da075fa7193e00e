"""Rows for 【监督看板】 tests: filed plans with their `supervision_project`
rows and `project_flag`s, inserted in bulk (one INSERT per table), as
app/supervision.py would have derived them. The demo's regions and units."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Row:
    """One project as the dashboard counts it (amounts in yuan)."""
    plan_no: str
    region: str
    method: str
    budget: str
    filed: dt.datetime
    stage: str
    award: str | None = None
    contract: str | None = None
    flags: tuple = ()  # flag ids; a repeated id is a second record raising it
    category: str = "货物"


# Six projects over the demo's regions: 平顶山市 (本级 and 宝丰县), 方城县 (南阳市)
# and 河南省 itself. The tests' expected figures are worked out from these.
PROJECTS = [
    Row("DB-001", "410400", "公开招标", "1000000.00", dt.datetime(2026, 1, 10, 9), "结果公告",
        award="900000.00", flags=("YJ03",)),
    Row("DB-002", "410400", "公开招标", "2000000.00", dt.datetime(2026, 2, 5, 10), "合同备案",
        award="1800000.00", contract="1800000.00", flags=("YJ04", "YJ06", "YJ07"),
        category="服务"),
    Row("DB-003", "410421", "竞争性磋商", "500000.00", dt.datetime(2026, 2, 20, 15), "采购公告",
        flags=("YJ01",)),
    Row("DB-004", "410421", "询价", "300000.00", dt.datetime(2026, 3, 1, 8), "计划备案"),
    Row("DB-005", "411322", "公开招标", "4000000.00", dt.datetime(2026, 1, 15, 11), "合同备案",
        award="3500000.00", contract="3600000.00", flags=("YJ04", "YJ05", "YJ05")),
    Row("DB-006", "410000", "单一来源", "800000.00", dt.datetime(2026, 3, 31, 23, 30), "终止"),
]


def insert(app, rows=PROJECTS) -> dict:
    """Plans, supervision rows and flags for `rows`, committed; {plan_no: plan id}."""
    from sqlalchemy import insert as sql_insert
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Organisation, OrgUser, Plan, ProjectFlag, SupervisionProject

    with app.app_context():
        admin = db.session.query(OrgUser.id).filter_by(username="admin").scalar()
        unit_id, unit_name = db.session.query(Organisation.id, Organisation.name).filter_by(
            org_type="采购单位").order_by(Organisation.id).first()
        now = dt.datetime(2026, 4, 1, 8)
        plans = [{
            "plan_no": r.plan_no, "project_name": f"{r.plan_no} 看板测试项目", "unit_id": unit_id,
            "region_code": r.region, "procurement_method": r.method, "category": r.category,
            "item_name": "台式计算机", "budget": Decimal(r.budget), "fund_source": "财政性资金",
            "expected_date": r.filed.date(), "state": "已备案", "filed_at": r.filed,
            "created_by_fk": admin, "changed_by_fk": admin, "created_on": now, "changed_on": now,
        } for r in rows]
        _in_chunks(sql_insert(Plan), plans)
        ids = dict(db.session.execute(select(Plan.plan_no, Plan.id)).all())
        _in_chunks(sql_insert(SupervisionProject), [{
            "plan_id": ids[r.plan_no], "plan_no": r.plan_no,
            "project_name": f"{r.plan_no} 看板测试项目", "unit_id": unit_id, "unit_name": unit_name,
            "region_code": r.region, "procurement_method": r.method, "category": r.category,
            "budget": Decimal(r.budget), "filed_at": r.filed, "stage": r.stage,
            "award_amount": r.award and Decimal(r.award),
            "contract_amount": r.contract and Decimal(r.contract),
            "flag_count": len(r.flags), "refreshed_at": now,
        } for r in rows])
        flags = [{"plan_id": ids[r.plan_no], "flag_id": flag, "record_type": "Notice",
                  "record_id": f"{r.plan_no}-{n}", "record_label": r.plan_no,
                  "detail": "测试用提示", "raised_on": r.filed.date()}
                 for r in rows for n, flag in enumerate(r.flags)]
        _in_chunks(sql_insert(ProjectFlag), flags)
        db.session.commit()
        return ids


def _in_chunks(statement, rows, size=2000):
    """PostgreSQL takes at most 65,535 parameters in one statement."""
    from app.extensions import db

    for start in range(0, len(rows), size):
        db.session.execute(statement, rows[start:start + size])


def clear_derived(app):
    """No supervision rows but the test's own: the demo's filed plans may have
    derived some (app/supervision.py), which would join every figure."""
    from app.extensions import db
    from app.models import ProjectFlag, SupervisionProject

    with app.app_context():
        db.session.query(ProjectFlag).delete(synchronize_session=False)
        db.session.query(SupervisionProject).delete(synchronize_session=False)
        db.session.commit()


def remove(app, plan_nos):
    """Take the rows `insert` made away again (module-shared sites tidy up)."""
    from app.extensions import db
    from app.models import Plan, ProjectFlag, SupervisionProject

    with app.app_context():
        ids = [i for (i,) in db.session.query(Plan.id).filter(Plan.plan_no.in_(plan_nos))]
        db.session.query(ProjectFlag).filter(ProjectFlag.plan_id.in_(ids)).delete(
            synchronize_session=False)
        db.session.query(SupervisionProject).filter(SupervisionProject.plan_id.in_(ids)).delete(
            synchronize_session=False)
        db.session.query(Plan).filter(Plan.id.in_(ids)).delete(synchronize_session=False)
        db.session.commit()


def many(count: int, start=dt.datetime(2024, 1, 1)) -> list[Row]:
    """`count` projects spread over regions, methods, stages and months (100,000
    over about three years), a fifth of them flagged: for the dashboard at a
    province's volume."""
    from app.models import PROCUREMENT_METHODS, SUPERVISION_STAGES

    regions = ("410400", "410421", "410422", "411322", "411321", "410100")
    flags = ("YJ03", "YJ04", "YJ05", "YJ06", "YJ01", "YJ10")
    return [Row(f"BULK-{n:06d}", regions[n % len(regions)],
                PROCUREMENT_METHODS[n % len(PROCUREMENT_METHODS)], f"{100000 + n * 7}.00",
                start + dt.timedelta(minutes=17 * n), SUPERVISION_STAGES[n % len(SUPERVISION_STAGES)],
                award=f"{90000 + n * 6}.00" if n % 3 else None,
                flags=(flags[n % len(flags)],) if n % 5 == 0 else ())
            for n in range(count)]
