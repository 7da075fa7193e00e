"""项目进场受理 on a trading site: numbering, 选择计划, 标段 rules, and what
is sent to GPS (标段推送, project status).

项目编号: JY<平台区划码>-<年度>-<4位流水号>, e.g. JY410400-2026-0001.
标段编号: 项目编号 + 3-digit sequence, e.g. JY410400-2026-0001001.
"""
import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import exists, func

from .audit import record
from .extensions import db
from .models import Lot, PlanReplica, Region, TradingProject
from .numbering import next_value
from .rules.credit_code import credit_code_error
from .rules.money import amount_error

EDITABLE_STATES = ("草稿", "已退回")
# After 受理通过 a lot may still be renamed or re-budgeted (GPS hears of it),
# but not removed: notices may already name it.
GPS_FIELDS = ("project_name", "unit_name", "unit_credit_code", "region_code",
              "procurement_method", "category", "budget", "fund_source")


def next_project_code(platform_code: str, year: int) -> str:
    return f"JY{platform_code}-{year}-{next_value(f'project:{platform_code}:{year}'):04d}"


def lot_code(project: TradingProject, seq: int) -> str:
    return f"{project.project_code}{seq:03d}"


def choosable_plans(agency, search: str = ""):
    """选择计划: plans pushed here, still valid, entrusted to this agency and
    not yet taken by any project."""
    taken = exists().where(TradingProject.plan_no == PlanReplica.plan_no)
    query = (db.session.query(PlanReplica)
             .filter(PlanReplica.status == "有效", ~taken,
                     PlanReplica.agency_credit_code == agency.credit_code)
             .order_by(PlanReplica.received_at.desc()))
    if search:
        like = f"%{search}%"
        query = query.filter(PlanReplica.plan_no.like(like)
                             | PlanReplica.project_name.like(like)
                             | PlanReplica.unit_name.like(like))
    return query


def plan_refusal(replica: PlanReplica | None, agency) -> str | None:
    if replica is None:
        return "所选计划不存在，请重新选择计划"
    if replica.status != "有效":
        return f"计划“{replica.plan_no}”{replica.status}，不能受理"
    if agency is None or replica.agency_credit_code != agency.credit_code:
        return f"计划“{replica.plan_no}”未委托本代理机构，不能受理"
    taken = db.session.query(TradingProject.project_code).filter_by(
        plan_no=replica.plan_no).scalar()
    if taken:
        return f"计划“{replica.plan_no}”已由项目“{taken}”受理，同一计划不能重复受理"
    return None


def from_plan(replica: PlanReplica, user) -> TradingProject:
    """A draft project filled from the chosen plan (fields GPS owns)."""
    project = TradingProject(from_plan=True, plan_no=replica.plan_no, agency=user.organisation,
                             contact=None, phone=None, state="草稿", stage="未受理")
    for field in GPS_FIELDS:
        setattr(project, field, getattr(replica, field))
    prepare(project, user)
    return project


def prepare(project: TradingProject, user) -> None:
    with db.session.no_autoflush:
        if project.agency is None and project.agency_id is None:
            project.agency = user.organisation
        if not project.state:
            project.state = "草稿"
        if not project.stage:
            project.stage = "未受理"
        if project.from_plan is None:
            project.from_plan = False
        if project.unit_credit_code:  # as 机构管理 keeps them: typed in lower case is the same code
            project.unit_credit_code = project.unit_credit_code.strip().upper() or None
        if not project.region_code and project.agency is not None:
            project.region_code = project.agency.region_code
        if not project.project_code:
            project.project_code = next_project_code(current_app.config["PLATFORM_CODE"],
                                                     dt.date.today().year)


def errors(project: TradingProject) -> dict[str, str]:
    found = {}
    for field, label in (("project_name", "项目名称"), ("unit_name", "采购单位"),
                         ("procurement_method", "采购方式"), ("category", "采购类别")):
        if not getattr(project, field):
            found[field] = f"请填写{label}"
    if message := amount_error(project.budget, "预算金额"):
        found["budget"] = message
    if project.unit_credit_code and (message := credit_code_error(project.unit_credit_code)):
        found["unit_credit_code"] = "采购单位" + message
    if message := region_error(project):
        found["region"] = message
    agency = project.agency
    if agency is None or agency.org_type != "代理机构":
        found["agency"] = "只有代理机构可以办理项目进场受理"
    return found


def platform_region() -> Region | None:
    """The region this trading platform serves (its code is the platform's)."""
    code = current_app.config.get("PLATFORM_CODE")
    return db.session.get(Region, code) if code else None


def region_error(project: TradingProject) -> str | None:
    """A project outside the platform's region would reach no 中心业务科室
    here: each centre sees its own region and below (scope.ProjectScope)."""
    with db.session.no_autoflush:
        region = project.region or (db.session.get(Region, project.region_code)
                                    if project.region_code else None)
        if region is None:
            return "请选择所属区划"
        served = platform_region()
        if served is not None and not region.path.startswith(served.path):
            return f"所属区划“{region.name}”不在本平台（{served.name}）的服务范围内，请选择本平台所辖区划"
    return None


def lots_total(project: TradingProject, without: Lot | None = None) -> Decimal:
    """Budgets of the project's saved lots (a lot being added or edited is
    not flushed: it is the one being checked)."""
    total = (db.session.query(func.coalesce(func.sum(Lot.budget), 0))
             .filter(Lot.project_id == project.id))
    if without is not None and without.id is not None:
        total = total.filter(Lot.id != without.id)
    with db.session.no_autoflush:
        return Decimal(total.scalar())


def lot_errors(lot: Lot) -> dict[str, str]:
    """A lot's own checks, and that all lots together stay within the budget."""
    found = {}
    project = lot.project
    if project is None:
        return {"project": "请选择所属项目"}
    if not (lot.name or "").strip():
        found["name"] = "请填写标段名称"
    if message := amount_error(lot.budget, "标段预算金额"):
        found["budget"] = message
    elif project.budget is not None:
        others = lots_total(project, without=lot)
        if others + Decimal(lot.budget) > Decimal(project.budget):
            found["budget"] = (f"各标段预算合计 {others + Decimal(lot.budget):.2f} 元，超过项目"
                               f"预算 {Decimal(project.budget):.2f} 元（其他标段已用 {others:.2f} 元）")
    return found


def lot_refusal(project: TradingProject, action: str, lot: Lot | None = None) -> str | None:
    """Why lots of this project (this `lot`) may not be added/changed/removed now."""
    if project.state in EDITABLE_STATES:
        return None
    if project.state == "受理通过" and action == "edit":
        if lot is not None and lot.notice_received_at is not None:
            # Bidders read its name and budget in the 采购公告; after opening a
            # budget of 1.50 元 stood against bids of 986,000 元 on GPS.
            return (f"标段“{lot.code}”的采购公告已发布，标段名称、预算和采购内容以公告为准，"
                    "不能再修改；如需变更，请在政府采购系统发布变更公告")
        return None
    if project.state == "受理通过":
        return f"项目“{project.project_code}”已受理通过，标段只能修改，不能{action_label(action)}"
    return f"项目“{project.project_code}”{project.state}，审核期间不能{action_label(action)}标段"


def action_label(action: str) -> str:
    return {"add": "增加", "edit": "修改", "delete": "删除"}[action]


def place_lot(lot: Lot) -> None:
    """Number a new lot: the next sequence in its project."""
    with db.session.no_autoflush:
        seq = (db.session.query(func.coalesce(func.max(Lot.seq), 0))
               .filter(Lot.project_id == lot.project.id).scalar()) + 1
        lot.seq, lot.code = seq, lot_code(lot.project, seq)


def edit_refusal(project: TradingProject) -> str | None:
    if project.state not in EDITABLE_STATES:
        return f"项目“{project.project_code}”{project.state}，只有草稿或已退回的受理可以修改"
    return None


def delete_refusal(project: TradingProject) -> str | None:
    if project.state != "草稿":
        return f"项目“{project.project_code}”{project.state}，只有未提交过的草稿可以删除"
    return None


def withdrawn_plan_refusal(project: TradingProject) -> str | None:
    """A project whose plan GPS has since withdrawn is neither submitted nor
    accepted: GPS refuses its project.accepted, and it stood 受理通过 on the
    platform, unknown to GPS (a walk withdrew the plan during 受理审核)."""
    plan = project.plan
    if plan is not None and plan.status == "已撤回":
        reason = f"（撤回原因：{plan.withdraw_reason}）" if plan.withdraw_reason else ""
        return (f"所选计划“{plan.plan_no}”已被采购单位在政府采购系统撤回{reason}，"
                "不能提交或受理通过")
    return None


def submit_refusal(project: TradingProject) -> str | None:
    if refusal := withdrawn_plan_refusal(project):
        return refusal
    if not project.lots:
        return "请先增加至少一个标段(包)再提交"
    if not project.open_place:
        return "请填写开标地点后再提交"
    total = sum((Decimal(lot.budget) for lot in project.lots), Decimal(0))
    if total > Decimal(project.budget):
        return f"各标段预算合计 {total:.2f} 元，超过项目预算 {Decimal(project.budget):.2f} 元"
    return None


# --- to GPS -------------------------------------------------------------------

def payload_of(project: TradingProject) -> dict:
    return {
        "project_code": project.project_code,
        "plan_no": project.plan_no,
        "project_name": project.project_name,
        "agency": {"name": project.agency.name, "credit_code": project.agency.credit_code},
        "budget": f"{Decimal(project.budget):.2f}",
        "stage": project.stage,
        "encrypted": project.encrypted,
        "remote_opening": project.remote_opening,
        "lots": [{"code": lot.code, "seq": lot.seq, "name": lot.name,
                  "budget": f"{Decimal(lot.budget):.2f}", "content": lot.content}
                 for lot in project.lots],
    }


def send_to_gps(project: TradingProject, kind: str) -> None:
    """project.accepted / project.updated / project.status, in the caller's
    transaction. Only projects from a GPS plan concern GPS."""
    from .sync import outbox

    if not project.from_plan or project.state != "受理通过":
        return
    project.sync_version += 1
    payload = (payload_of(project) if kind != "project.status"
               else {"project_code": project.project_code, "stage": project.stage})
    outbox.send(kind, "gps", entity_key(project.project_code), project.sync_version, payload)


def entity_key(project_code: str) -> str:
    return f"project:{project_code}"


def accepted(project: TradingProject, user) -> None:
    """受理通过: GPS receives the project and its lots (标段推送)."""
    project.accepted_at = dt.datetime.now()
    project.stage = "受理通过"
    if project.plan is not None:
        project.plan.accepted = True
    record(user, "受理通过", project)


def lots_changed(project: TradingProject, user) -> None:
    if project.state == "受理通过":
        send_to_gps(project, "project.updated")


def set_stage(project: TradingProject, stage: str, user) -> None:
    project.stage = stage
    record(user, f"项目阶段：{stage}", project)
    send_to_gps(project, "project.status")
