"""A small expert library and an approved 专家抽取申请, made directly with the
models (the library's and the application's pages are other pieces)."""
import datetime as dt
import itertools

import time_machine

REVIEW_AT = dt.datetime(2026, 12, 17, 9, 30)  # a Thursday
FIRST_DAY = dt.datetime(2026, 12, 15, 10, 0)  # Tuesday: the 2nd working day before
PROJECT, LOT, PLATFORM = "P-EXP-0001", "P-EXP-0001-01", "410400"
BIDDER_CODE, BIDDER = "91410400MA00BID01X", "平顶山市投标设备有限公司"
OTHER_CODE, OTHER = "91410400MA00OTH02X", "平顶山市其他关联有限公司"
ELIGIBLE_PREFIX = "封存专家"
_numbers = itertools.count(1)


def clock(at: dt.datetime):
    """Travel to a local time, the clock stopped."""
    return time_machine.travel(at.astimezone(), tick=False)


def _admin_id():
    from app.extensions import db
    from app.models import OrgUser

    return db.session.query(OrgUser.id).filter_by(username="admin").scalar()


def specialities():
    """The tree these tests draw over, and a library of only the experts they
    add: the demo's 300 would otherwise join every pool."""
    from app.extensions import db
    from app.models import Expert, ExpertRecusal, expert_speciality_link

    db.session.execute(expert_speciality_link.delete())
    db.session.query(ExpertRecusal).delete()
    db.session.query(Expert).delete()

    from app import experts

    experts.seed_specialities()  # the library's own tree (A0201 计算机设备, A0202 网络设备, …)
    db.session.flush()


def add_expert(name, speciality="A0201", region="410400", state="正常", regulator=False,
               work_unit=None, credit_code=None, declared=()):
    """declared: (unit_name, credit_code) pairs the expert declared as 回避单位."""
    from app.extensions import db
    from app.models import Expert, ExpertRecusal, ExpertSpeciality

    n = next(_numbers)
    expert = Expert(name=name, id_number=f"41040019800101{n:04d}", mobile=f"139{n:08d}",
                    work_unit=work_unit or f"平顶山市第{n}中学", work_unit_credit_code=credit_code,
                    region_code=region, state=state, is_regulator=regulator,
                    created_by_fk=_admin_id(), changed_by_fk=_admin_id())
    expert.specialities = [db.session.get(ExpertSpeciality, speciality)]
    for unit_name, code in declared:
        expert.recusals.append(ExpertRecusal(unit_name=unit_name, credit_code=code,
                                             reason="近三年任职"))
    db.session.add(expert)
    db.session.flush()
    return expert.id


def eligible_experts(count, speciality="A0201", region="410400") -> list[int]:
    return [add_expert(f"{ELIGIBLE_PREFIX}{next(_numbers):04d}", speciality, region)
            for _ in range(count)]


def org(name):
    from app.extensions import db
    from app.models import Organisation

    return db.session.query(Organisation).filter_by(name=name).one()


def project_replica():
    from app.extensions import db
    from app.models import ProjectReplica

    if db.session.get(ProjectReplica, PROJECT) is None:
        db.session.add(ProjectReplica(project_code=PROJECT, platform_code=PLATFORM,
                                      project_name="平顶山市教育局计算机设备采购",
                                      budget=900000, stage="已受理", version=1,
                                      received_at=dt.datetime(2026, 11, 1, 9)))
        db.session.flush()


def add_request(needs=(("A02", 3, 2),), method="公开招标", remote=False, pushed=True,
                review_at=REVIEW_AT, lot=LOT, request_no=None, state="已通过",
                expert_region="410400") -> int:
    """An approved application of 平顶山市教育局 entrusted to the demo agency,
    with the bidder and another unit named as 回避单位."""
    from app.extensions import db
    from app.models import ExpertNeed, ExpertRequest, RequestRecusal

    unit = org("平顶山市教育局")
    if pushed:
        project_replica()
    item = ExpertRequest(
        request_no=request_no or f"ZJ2026-{next(_numbers):04d}", unit_id=unit.id,
        agency_id=org("河南中原招标代理有限公司").id, region_code="410400",
        project_code=PROJECT if pushed else None, platform_code=PLATFORM if pushed else None,
        project_name="平顶山市教育局计算机设备采购", project_no="PDS-2026-001", lot_code=lot,
        lot_name="第1包", procurement_method=method, budget=900000,
        purchaser_name=unit.name, purchaser_credit_code=unit.credit_code,
        review_at=review_at, review_place="平顶山市公共资源交易中心评标室3", remote_review=remote,
        expert_region_code=expert_region, state=state, approved_at=dt.datetime(2026, 12, 1, 9),
        created_by_fk=_admin_id(), changed_by_fk=_admin_id())
    for seq, (code, count, reserves) in enumerate(needs, 1):
        item.needs.append(ExpertNeed(seq=seq, speciality_code=code, count=count,
                                     reserve_count=reserves))
    item.recusal_units.append(RequestRecusal(kind="采购人", unit_name=unit.name,
                                             credit_code=unit.credit_code))
    item.recusal_units.append(RequestRecusal(kind="投标人", unit_name=BIDDER,
                                             credit_code=BIDDER_CODE))
    item.recusal_units.append(RequestRecusal(kind="其他", unit_name=OTHER, credit_code=None))
    db.session.add(item)
    db.session.commit()
    return item.id


def user(app, username):
    return app.appbuilder.sm.find_user(username=username)
