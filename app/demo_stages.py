"""`flask demo load --stages`: demo projects at every stage, on every site.

Each region's purchasing unit has one project per stage, so a new user can
open every page without waiting the 20 days the law puts between a 采购公告
and the opening:

    待受理审核   plan filed and pushed; the agency submitted it for acceptance
    受理通过     accepted with its lots (标段推送 reached GPS)
    采购公告     a 采购公告 published on the last working day before today;
                 bids are still open
    已开标       announced ~45 days ago; fees, document plan, scoring and
                 compliance set; three bids recorded at the opening
    结果公告     the same, evaluated, with a published 中标（成交）结果公告
    中标结果变更  the same, with a 中标结果变更备案 submitted (待单位审核)

The scenario is played through the domain functions a user's clicks call
(plans.file_plan, the approval chains, notices.publish, lot_settings …), so
every rule is checked; a step the rules refuse stops the load with the
rule's message. Between steps the outbox messages are handed to the peer's
inbox in this process (`settle`): signed and verified exactly as the sync
worker's HTTP delivery would be, so GPS and the trading sites agree by
construction. Dates that the statutory rules look at are set relative to
today on the working-day calendar (holidays.current()); approval records and
audit rows say when the demo was loaded, as they would for any user.

Idempotent: each step looks for its own result first (a plan by its name, a
project by its plan, a notice by project and type), so a second load changes
nothing. Adding a stage (专家抽取, 评标委员会, 合同 as their issues land) is one
function appended to STEPS and one spec entry.
"""
from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from flask import g

from .extensions import db
from .rules.credit_code import complete

@dataclass(frozen=True)
class Region:
    platform: str  # trading platform code
    unit_user: str  # GPS 采购单位经办岗
    agency: str  # the agency's organisation name (the same on every site)
    open_place: str
    website: str  # where the documents are obtained
    bidders: tuple  # (name, address, credit code prefix)


@dataclass(frozen=True)
class StageProject:
    stage: str
    name: str
    item: str
    budget: str
    lots: tuple  # (name, budget, content)
    bids: tuple = ()  # per lot: prices of the region's bidders, in order


REGIONS = {
    "410400": Region("410400", "jingban", "河南中原招标代理有限公司",
                     "平顶山市公共资源交易中心第一开标室", "平顶山市公共资源交易网",
                     (("河南鹰城科技有限公司", "平顶山市新华区中兴路18号", "91410402MA0000021"),
                      ("平顶山市豫信办公设备有限公司", "平顶山市卫东区建设路66号", "91410403MA0000022"),
                      ("郑州华泰教学设备有限公司", "郑州市金水区花园路9号", "91410105MA0000023"))),
    "411322": Region("411322", "jingban2", "南阳宛城项目管理有限公司",
                     "方城县公共资源交易中心开标室", "方城县公共资源交易网",
                     (("南阳仲景医疗器械有限公司", "南阳市宛城区仲景路12号", "91411302MA0000031"),
                      ("方城县康宁医药有限公司", "方城县释之路28号", "91411322MA0000032"),
                      ("河南卫康医疗设备有限公司", "郑州市二七区大学路100号", "91410103MA0000033"))),
}

PROJECTS = {
    "410400": (
        StageProject("待受理审核", "平顶山市教育局学生课桌椅采购项目", "课桌椅", "1200000.00",
                     (("学生课桌椅", "1200000.00", "单人课桌椅 3000 套"),)),
        StageProject("受理通过", "平顶山市教育局实验室设备采购项目", "实验室设备", "2000000.00",
                     (("物理实验室设备", "1100000.00", "物理实验台及仪器"),
                      ("化学实验室设备", "900000.00", "化学实验台、通风柜及仪器"))),
        StageProject("采购公告", "平顶山市教育局校园网络设备采购项目", "网络设备", "1600000.00",
                     (("核心交换设备", "1000000.00", "核心交换机 2 台及配套"),
                      ("无线接入设备", "600000.00", "无线接入点 400 个"))),
        StageProject("已开标", "平顶山市教育局图书馆图书采购项目", "图书", "1100000.00",
                     (("中小学图书", "1100000.00", "中小学图书 5 万册"),),
                     bids=(("1038000.00", "1056000.00", "1072500.00"),)),
        StageProject("结果公告", "平顶山市教育局食堂设备采购项目", "食堂设备", "1300000.00",
                     (("食堂厨具设备", "1300000.00", "炉灶、蒸柜、冷藏设备"),),
                     bids=(("1228000.00", "1249000.00", "1266000.00"),)),
        StageProject("中标结果变更", "平顶山市教育局教室空调采购项目", "空调设备", "1050000.00",
                     (("教室空调", "1050000.00", "柜式空调 150 台"),),
                     bids=(("986000.00", "1002000.00", "1019000.00"),)),
    ),
    "411322": (
        StageProject("待受理审核", "方城县人民医院病房家具采购项目", "病房家具", "600000.00",
                     (("病房家具", "600000.00", "病床柜、陪护椅"),)),
        StageProject("受理通过", "方城县人民医院检验设备采购项目", "检验设备", "900000.00",
                     (("生化分析仪", "550000.00", "全自动生化分析仪 1 台"),
                      ("血球分析仪", "350000.00", "五分类血球分析仪 1 台"))),
        StageProject("采购公告", "方城县人民医院信息化设备采购项目", "信息化设备", "800000.00",
                     (("服务器及存储", "500000.00", "服务器 4 台、存储 1 套"),
                      ("终端设备", "300000.00", "台式计算机 60 台"))),
        StageProject("已开标", "方城县人民医院消毒供应设备采购项目", "消毒设备", "700000.00",
                     (("消毒供应设备", "700000.00", "脉动真空灭菌器 2 台"),),
                     bids=(("658000.00", "671000.00", "689000.00"),)),
        StageProject("结果公告", "方城县人民医院医用床单元采购项目", "医用床", "650000.00",
                     (("医用床单元", "650000.00", "电动护理床 80 张"),),
                     bids=(("612000.00", "626000.00", "640000.00"),)),
        StageProject("中标结果变更", "方城县人民医院救护车采购项目", "救护车", "750000.00",
                     (("救护车", "750000.00", "负压救护车 2 辆"),),
                     bids=(("702000.00", "718000.00", "735000.00"),)),
    ),
}

# Who acts on the trading site (the same usernames on both platforms).
AGENCY_USER, CENTRE_USER = "daili", "keshi"
SCORING = (("价格", "价格分", "100"), ("技术", "技术参数响应", "70"), ("技术", "售后服务方案", "30"),
           ("商务", "类似项目业绩", "60"), ("商务", "企业资质与信誉", "40"))
COMPLIANCE = (("投标有效期", "不少于90日"), ("投标报价", "不超过采购预算及最高限价"),
              ("资格证明文件", "按招标文件要求提供且真实有效"))
EXPERTS = "刘建国、陈秀兰、杨志强、黄丽华、周明"
# The drawn experts each opened lot's 评委会 receives (then 2 reserves).
COMMITTEE = (("刘建国", "平顶山学院"), ("陈秀兰", "河南城建学院"), ("杨志强", "平顶山市第一人民医院"),
             ("黄丽华", "河南质量工程职业学院"), ("周明", "平顶山市产品质量检验所"),
             ("吴磊", "许昌学院"), ("郑芳", "南阳理工学院"), ("孙卫东", "河南工程学院"),
             ("马丽", "平顶山工业职业技术学院"))


# --- dates ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Timeline:
    """When the steps of one project happened, lawful on the working-day
    calendar: the 采购公告 on a working day, documents for 7 working days,
    bids due ≥ 20 days later (公开招标), the result fixed 3 working days
    after the opening and published the next working day."""

    announced: dt.datetime
    doc_end: dt.datetime
    deadline: dt.datetime
    confirmed_on: dt.date
    result_at: dt.datetime


def timeline(days_ago: int, today: dt.date | None = None) -> Timeline:
    from . import holidays

    cal = holidays.current()
    today = today or dt.date.today()
    day = today - dt.timedelta(days=days_ago)
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    deadline_day = day + dt.timedelta(days=25)
    while not cal.is_workday(deadline_day):
        deadline_day += dt.timedelta(days=1)
    confirmed = cal.add_workdays(deadline_day, 3)
    return Timeline(
        announced=dt.datetime.combine(day, dt.time(9, 0)),
        doc_end=dt.datetime.combine(cal.add_workdays(day, 6), dt.time(17, 0)),
        deadline=dt.datetime.combine(deadline_day, dt.time(9, 30)),
        confirmed_on=confirmed,
        result_at=dt.datetime.combine(cal.add_workdays(confirmed, 1), dt.time(10, 0)))


def timeline_for(spec: StageProject) -> Timeline:
    # Still open for bids, or long past the opening.
    return timeline(1 if spec.stage == "采购公告" else 45)


# --- acting as a user, and the sync between the sites ----------------------------------

@dataclass
class Sites:
    gps: object
    trading: dict  # platform code → app

    def all(self):
        return [self.gps, *self.trading.values()]

    def by_code(self, code):
        return self.gps if code == "gps" else self.trading.get(code)


class DemoRefused(RuntimeError):
    """A rule refused a demo step: the demo data no longer fits the rules."""


@contextmanager
def acting(app, username):
    """A request context on `app` with `username` signed in (what AuditMixin
    and the approval chains read); commits on success."""
    with app.test_request_context():
        user = app.appbuilder.sm.find_user(username=username)
        if user is None:
            raise DemoRefused(f"{app.config['SITE_ID']}: 没有演示用户 {username}，请先 flask demo load")
        g.user = user
        try:
            yield user
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def settle(sites: Sites) -> int:
    """Deliver every pending outbox message between the sites, replies
    included, until none is left. Each is claimed, signed and handed to the
    peer's inbox (signature, envelope and version checks included), and the
    outcome recorded on the sender, as `flask sync worker` does over HTTP.
    Returns how many were delivered."""
    from .models import OutboxMessage

    delivered = 0
    while True:
        moved = 0
        for app in sites.all():
            with app.app_context():
                pending = [(row.message_id, row.target) for row in
                           db.session.query(OutboxMessage)
                           .filter(OutboxMessage.state.in_(("待推送", "推送失败")))
                           .order_by(OutboxMessage.id)]
            for message_id, target in pending:
                if sites.by_code(target) is not None:
                    moved += _deliver(app, sites.by_code(target), message_id)
        delivered += moved
        if not moved:
            return delivered


def _deliver(source, target, message_id) -> int:
    from .sync import delivery, inbox, signing

    with source.app_context():
        row = delivery.claim(message_id)
        if row is None:  # a sync worker holds it
            return 0
        body = row.body
        headers = signing.sign_headers(row.target, row.message_id, body,
                                       source.config["SITE_CODE"])
    with target.test_request_context():
        try:
            inbox.accept(body.encode("utf-8"), headers)
            status, error = 200, ""
        except inbox.Refused as refused:
            db.session.rollback()
            status, error = refused.status, refused.message
    with source.app_context():
        row = db.session.query(type(row)).filter_by(message_id=message_id).one()
        delivery.record_outcome(row, status, error)
    if status != 200:
        raise DemoRefused(f"{target.config['SITE_ID']} 拒收 {message_id}：{error}")
    return 1


# --- the steps -----------------------------------------------------------------------------
# Each takes (sites, region, spec), does its part if not done yet, and leaves
# the messages it caused for `settle`. The stage a spec names is the last
# step it gets.

def _plan(spec):
    from .models import Plan

    return db.session.query(Plan).filter_by(project_name=spec.name).one_or_none()


def file_plan(sites, region, spec):
    """GPS: the unit files the plan; above the limit, it is pushed."""
    from . import plans
    from .models import Organisation, Plan, Platform

    with acting(sites.gps, region.unit_user) as user:
        if _plan(spec) is not None:
            return
        plan = Plan(project_name=spec.name, procurement_method="公开招标", category="货物",
                    item_name=spec.item, budget=Decimal(spec.budget), fund_source="财政性资金",
                    expected_date=dt.date.today() + dt.timedelta(days=30),
                    platform=db.session.get(Platform, region.platform),
                    agency=db.session.query(Organisation).filter_by(name=region.agency).one(),
                    interconnected=True, contact=user.first_name + user.last_name,
                    phone=user.organisation.phone)
        db.session.add(plan)
        plans.prepare(plan, user)
        db.session.flush()
        if refusal := plans.file_plan(plan, user):
            raise DemoRefused(refusal)
        if not plan.meets_push:
            raise DemoRefused(f"{spec.name}：{plan.push_reason}")


def _plan_no(sites, spec) -> str:
    with sites.gps.app_context():
        return _plan(spec).plan_no


def _project(plan_no):
    from .models import TradingProject

    return db.session.query(TradingProject).filter_by(plan_no=plan_no).one_or_none()


def submit_project(sites, region, spec):
    """Trading: the agency takes the plan (选择计划), adds the lots and
    【提交】s the acceptance to 中心业务科室."""
    from . import projects
    from .models import Lot, PlanReplica
    from .workflows import engine
    from .workflows.acceptance import AcceptanceChain

    plan_no = _plan_no(sites, spec)
    app = sites.trading[region.platform]
    with acting(app, AGENCY_USER) as user:
        project = _project(plan_no)
        if project is None:
            replica = db.session.get(PlanReplica, plan_no)
            if refusal := projects.plan_refusal(replica, user.organisation):
                raise DemoRefused(refusal)
            project = projects.from_plan(replica, user)
            project.open_place, project.encrypted = region.open_place, True
            project.contact = user.first_name + user.last_name
            project.phone = user.organisation.phone
            if errors := projects.errors(project):
                raise DemoRefused("；".join(errors.values()))
            db.session.add(project)
            db.session.flush()
            for name, budget, content in spec.lots:
                lot = Lot(project=project, name=name, budget=Decimal(budget), content=content)
                if errors := projects.lot_errors(lot):
                    raise DemoRefused("；".join(errors.values()))
                projects.place_lot(lot)
                db.session.add(lot)
                db.session.flush()
        if project.state == "草稿":
            engine.take(AcceptanceChain, project, "submit", user)


def accept_project(sites, region, spec):
    """Trading: 中心业务科室 approves; the lots go to GPS (标段推送)."""
    from .workflows import engine
    from .workflows.acceptance import AcceptanceChain

    plan_no = _plan_no(sites, spec)
    with acting(sites.trading[region.platform], CENTRE_USER) as user:
        project = _project(plan_no)
        if project.state == "待受理审核":
            engine.take(AcceptanceChain, project, "approve", user, opinion="材料齐全，同意受理")


def _draft(sites, region, spec, kind):
    """A published notice of `kind` for the project, or a new draft of it
    for all its lots (None when one is already published)."""
    from . import notices
    from .models import Notice

    plan = _plan(spec)
    project = notices.project_of(plan)
    if project is None:
        raise DemoRefused(f"{spec.name}：GPS 尚未收到标段")
    done = (db.session.query(Notice)
            .filter_by(project_code=project.project_code, notice_type=kind, state="已发布")
            .first())
    if done is not None:
        return None
    old = (db.session.query(Notice)
           .filter_by(project_code=project.project_code, notice_type=kind, state="草稿").all())
    for draft in old:  # a load that stopped half-way: start that notice again
        notices.delete_draft(draft, g.user)
    return notices.start_draft(plan, project, kind, [lot.code for lot in project.lots],
                               g.user)


def _contacts(plan) -> dict:
    unit, agency = plan.unit, plan.agency
    return {"purchaser_name": unit.name, "purchaser_address": unit.address,
            "purchaser_phone": unit.phone, "agency_name": agency.name,
            "agency_address": agency.address, "agency_phone": agency.phone,
            "project_contact": plan.contact, "project_phone": plan.phone}


def _publish(notice, now):
    from . import notices

    found = notices.publish(notice, g.user, now=now)
    if found:
        raise DemoRefused(f"{notice.title}：" + "；".join(str(p) for p in found))


def publish_announcement(sites, region, spec):
    """GPS: the 采购公告 (公开招标), published on the timeline's day."""
    from . import notices

    with acting(sites.gps, region.unit_user) as user:
        times = timeline_for(spec)
        notice = _draft(sites, region, spec, "采购公告")
        if notice is None:
            return
        plan = notice.plan
        notices.save_draft(notice, {
            **_contacts(plan),
            "performance_period": "合同签订后30日内交货并安装调试完毕",
            "joint_bid": False,
            "qualification_html": "<p>满足《中华人民共和国政府采购法》第二十二条规定；"
                                  "本项目专门面向中小企业。</p>",
            "doc_start": times.announced, "doc_end": times.doc_end,
            "doc_place": region.website,
            "doc_method": "登录公共资源交易网，使用CA数字证书免费下载",
            "doc_price": Decimal("0"),
            "bid_deadline": times.deadline, "open_time": times.deadline,
            "open_place": region.open_place,
        }, {lot.lot_code: {"max_price": lot.budget} for lot in notice.lots}, user)
        _publish(notice, times.announced)


def publish_change(sites, region, spec):
    """GPS: a 变更公告 for the project still open for bids (开标 three working
    days later); its trading site opens the 变更公告 entry, pre-filled with
    the notice's times, for the agency. Projects past their opening never
    had one."""
    from . import holidays, notices
    from .models import Notice

    if spec.stage != "采购公告":
        return
    with acting(sites.gps, region.unit_user) as user:
        plan = _plan(spec)
        project = notices.project_of(plan)
        mine = db.session.query(Notice).filter_by(project_code=project.project_code)
        if mine.filter_by(notice_type="变更公告", state="已发布").first() is not None:
            return
        for draft in mine.filter_by(notice_type="变更公告", state="草稿").all():
            notices.delete_draft(draft, user)
        original = mine.filter_by(notice_type="采购公告", state="已发布").one()
        later = dt.datetime.combine(
            holidays.current().add_workdays(original.bid_deadline.date(), 3),
            original.bid_deadline.time())
        notice = notices.start_draft(plan, project, "变更公告",
                                     [lot.lot_code for lot in original.lots], user,
                                     original=original)
        notices.save_draft(notice, {
            **_contacts(plan), "change_items": ["时间"],
            "change_html": "<p>因部分供应商提出需要更多时间准备投标文件，"
                           "提交投标文件截止时间和开标时间顺延。</p>",
            "bid_deadline": later, "open_time": later}, {}, user)
        _publish(notice, dt.datetime.now())


def record_opening(sites, region, spec):
    """Trading: the agency sets up each lot (fees, document plan, scoring,
    compliance) and records the bids at the opening: 已开标."""
    from . import lot_settings as rules
    from .models import ComplianceItem, OpeningBid, ScoringItem

    plan_no = _plan_no(sites, spec)
    with acting(sites.trading[region.platform], AGENCY_USER) as user:
        project = _project(plan_no)
        for lot, prices in zip(project.lots, spec.bids):
            if rules.has_opening(lot):
                continue
            for section in (rules.FEES, rules.PLANNING, rules.SCORING, rules.COMPLIANCE,
                            rules.OPENING):
                if reason := rules.lock_reason(lot, section):
                    raise DemoRefused(reason)
            lot.doc_fee, lot.service_fee = Decimal("0"), Decimal("0")
            lot.bid_bond = (Decimal(lot.budget) / 100).quantize(Decimal("1"))
            lot.evaluation_method, lot.committee_size = "综合评分法", 5
            _check(rules.fee_errors(lot), rules.planning_errors(lot))
            if not db.session.query(ScoringItem.id).filter_by(lot_id=lot.id).first():
                for category, name, weight in SCORING:
                    item = ScoringItem(lot=lot, category=category, name=name,
                                       weight=Decimal(weight))
                    _check(rules.scoring_item_errors(item))
                    db.session.add(item)
                    db.session.flush()
            if not db.session.query(ComplianceItem.id).filter_by(lot_id=lot.id).first():
                for name, requirement in COMPLIANCE:
                    item = ComplianceItem(lot=lot, name=name, requirement=requirement)
                    _check(rules.compliance_item_errors(item))
                    db.session.add(item)
                    db.session.flush()
            if missing := rules.completeness(lot):
                raise DemoRefused("；".join(missing))
            for (bidder, _address, prefix), price in zip(region.bidders, prices):
                bid = OpeningBid(lot=lot, bidder=bidder, bidder_credit_code=complete(prefix),
                                 price=Decimal(price), opened_at=lot.open_time)
                _check(rules.opening_errors(bid, lot.open_time + dt.timedelta(minutes=30)))
                db.session.add(bid)
                db.session.flush()
            rules.opened(project, user)
            _seat_committee(lot, user)


def _seat_committee(lot, user):
    """The lot's 评委会 as experts.drawn leaves it at the 评审时间 (the draw is
    GPS's own), with the 评审组长 the members elected: 【开始评标】 waits for it."""
    from . import committee
    from .rules import committee as committee_rules

    if lot.experts_received_at is not None:
        return
    project = lot.project
    size = committee_rules.minimum(project.procurement_method, project.budget,
                                   project.technically_complex, project.wide_impact)
    people = [{"key": f"demo-{lot.code}-{i}", "name": name, "speciality": "A 货物",
               "work_unit": unit, "role": "正选" if i <= size else "备选",
               "position": i if i <= size else i - size}
              for i, (name, unit) in enumerate(COMMITTEE[:size + 2], 1)]
    committee.receive_experts(lot, people, lot.open_time, "演示")
    committee.set_chair(committee.sitting(lot)[0], user)


def _check(*found):
    problems = [message for errors in found for message in errors.values()]
    if problems:
        raise DemoRefused("；".join(problems))


def publish_result(sites, region, spec):
    """Trading: 开始评标, 评标结束. GPS: the 中标（成交）结果公告, the lowest
    bid winning each lot."""
    from . import lot_settings as rules
    from . import notices

    plan_no = _plan_no(sites, spec)
    with acting(sites.trading[region.platform], AGENCY_USER) as user:
        project = _project(plan_no)
        for action in ("start_evaluation", "finish_evaluation"):
            if rules.stage_refusal(project, action) is None:
                rules.advance(project, action, user)
    settle(sites)
    with acting(sites.gps, region.unit_user) as user:
        times = timeline_for(spec)
        notice = _draft(sites, region, spec, "结果公告")
        if notice is None:
            return
        awards = {}
        for lot, prices in zip(notice.lots, spec.bids):
            (name, address, prefix), price = region.bidders[0], prices[0]
            awards[lot.lot_code] = {"supplier_name": name, "supplier_address": address,
                                    "supplier_credit_code": complete(prefix),
                                    "award_amount": Decimal(price),
                                    "main_items": f"{lot.name}（详见投标文件）"}
        notices.save_draft(notice, {
            **_contacts(notice.plan), "confirmed_on": times.confirmed_on,
            "experts": EXPERTS, "agency_fee": "按国家计委计价格〔2002〕1980号标准收取，由中标人支付",
        }, awards, user)
        _publish(notice, times.result_at)


def file_winner_change(sites, region, spec):
    """GPS: the winner of the published result declined; the unit files the
    change to the second bidder with the stamped statement and 【提交】s it:
    待单位审核. Lots, original winner and amount are the published result's."""
    from . import winner_changes
    from .models import Notice, WinnerChange
    from .workflows import engine
    from .workflows.winner_change import WinnerChangeChain

    with acting(sites.gps, region.unit_user) as user:
        plan = _plan(spec)
        item = db.session.query(WinnerChange).filter_by(plan_id=plan.id).first()
        if item is None:
            result = (db.session.query(Notice)
                      .filter_by(plan_id=plan.id, notice_type="结果公告", state="已发布").one())
            lot = result.lots[0]
            second_name, _address, _prefix = region.bidders[1]
            item = WinnerChange(
                plan=plan, lots=lot.lot_code, original_supplier=lot.supplier_name,
                original_amount=lot.award_amount, new_supplier=second_name,
                new_amount=Decimal(spec.bids[0][1]), reason="中标人放弃/拒签",
                explanation=(f"原中标供应商{lot.supplier_name}于结果公告发布后书面放弃中标，"
                             f"依法确定排名第二的中标候选人{second_name}为中标人。"))
            winner_changes.prepare(item, user)
            if errors := winner_changes.errors(item):
                raise DemoRefused("；".join(errors.values()))
            db.session.add(item)
            db.session.flush()
            if refusal := winner_changes.attach_statement(item, "情况说明.pdf", _pdf(), user):
                raise DemoRefused(refusal)
            db.session.commit()
        if item.state == "草稿":
            engine.take(WinnerChangeChain, item, "submit", user)


def _pdf() -> bytes:
    """A one-page blank PDF standing for the stamped statement."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# The stages in order, as the README's table names them, with their steps: a
# project gets the steps up to and including its stage's. The next issues add
# ("专家抽取", (draw_experts,)), ("评标委员会", …), ("合同", …) here.
STEPS = (
    ("待受理审核", (file_plan, submit_project)),
    ("受理通过", (accept_project,)),
    ("采购公告", (publish_announcement, publish_change)),
    ("已开标", (record_opening,)),
    ("结果公告", (publish_result,)),
    ("中标结果变更", (file_winner_change,)),
)
STAGE_NAMES = tuple(name for name, _ in STEPS)


def build(sites: Sites) -> int:
    """Play every region's stage projects; returns how many there are."""
    count = 0
    for code in sites.trading:
        region = REGIONS[code]
        for spec in PROJECTS[code]:
            if spec.stage not in STAGE_NAMES:
                raise DemoRefused(f"{spec.name}：未知的阶段“{spec.stage}”")
            for name, steps in STEPS:
                for step in steps:
                    step(sites, region, spec)
                    settle(sites)
                if name == spec.stage:
                    break
            count += 1
    return count


def local_sites(current) -> Sites:
    """GPS and both demo trading sites as this machine runs them (`make
    run`): the current app, and the others built from the same environment
    (each its own DATABASE_URL_* or instance folder)."""
    import os

    from . import create_app

    if os.environ.get("DATABASE_URL"):
        raise DemoRefused("DATABASE_URL 会让三个站点共用一个数据库；请改用 DATABASE_URL_GPS、"
                          "DATABASE_URL_TRADING_410400、DATABASE_URL_TRADING_411322")
    apps = {current.config["SITE_CODE"]: current}
    for site, platform in (("gps", None), ("trading", "410400"), ("trading", "411322")):
        code = platform or "gps"
        if code not in apps:
            apps[code] = create_app(site, platform=platform)
    return Sites(apps["gps"], {code: apps[code] for code in ("410400", "411322")})
