"""采购计划备案: numbering, validation, push decision and filing.

Views (forms and REST) call these so a plan is checked the same way
wherever it comes from.
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import or_

from .audit import record
from .extensions import db
from .models import Notice, Plan, ProjectReplica, PushThreshold
from .numbering import next_value
from .rules import push
from .rules.money import amount_error
from .rules.phone import phone_error
from .rules.text import pasted_error, trimmed
from .scope import region_ancestors

def budget_error(value) -> str | None:
    return amount_error(value, "预算金额")


def platform_error(platform, unit, interconnected) -> str | None:
    if platform is None:
        return "互联互通项目必须选择交易平台" if interconnected else None
    if not platform.active:
        return f"交易平台“{platform.name}”已停用，请重新选择"
    if unit is not None and platform.region_code not in region_ancestors(unit.region):
        return (f"所选交易平台“{platform.name}”不在本单位所在区划"
                f"（{unit.region.name}）及其上级区划内，请重新选择")
    return None


def agency_error(agency) -> str | None:
    if agency is not None and agency.org_type != "代理机构":
        return f"“{agency.name}”不是代理机构，不能作为委托代理机构"
    return None


REQUIRED = {
    "project_name": "项目名称",
    "procurement_method": "采购方式",
    "category": "采购类别",
    "item_name": "采购品目",
    "fund_source": "资金来源",
    "expected_date": "预计采购时间",
}


def plan_errors(plan: Plan) -> dict[str, str]:
    """Every problem with the plan, by field name; empty when valid."""
    errors = {f: f"请填写{label}" for f, label in REQUIRED.items()
              if getattr(plan, f) in (None, "")}
    if plan.unit is None or plan.unit.org_type != "采购单位":
        errors["unit"] = "采购单位必须是当前用户所属的采购单位"
    for field, message in (
        ("budget", budget_error(plan.budget)),
        ("platform", platform_error(plan.platform, plan.unit, plan.interconnected)),
        ("agency", agency_error(plan.agency)),
        ("phone", phone_error(plan.phone)),
    ):
        if message:
            errors[field] = message
    return errors


def next_plan_no(region_code: str, year: int) -> str:
    """计划编号: <区划码>-<年度>-<5位流水号>, e.g. 410400-2026-00001."""
    return f"{region_code}-{year}-{next_value(f'plan:{region_code}:{year}'):05d}"


def decide_push(plan: Plan, on: dt.date | None = None) -> push.PushDecision:
    rows = [push.Threshold(t.region_level, t.category, t.amount, t.effective_from)
            for t in db.session.query(PushThreshold).all()]
    region = plan.unit.region if plan.unit else None
    return push.decide(
        rows,
        region_level=region.level if region else "",
        category=plan.category,
        budget=Decimal(plan.budget),
        on=on or dt.date.today(),
        interconnected=bool(plan.interconnected),
        platform_chosen=plan.platform is not None,
    )


def prepare(plan: Plan, user) -> None:
    """Fill what the user does not type: unit, region, number, push decision."""
    # The plan may already sit in the session half-filled; flushing it
    # before unit and number are set would break NOT NULL constraints.
    with db.session.no_autoflush:
        if plan.unit is None and user.organisation is not None:
            plan.unit = user.organisation
        if plan.unit is not None:
            plan.region_code = plan.unit.region_code
        if plan.id is not None:
            _carry_to_notices(plan)
        if not plan.state:
            plan.state = "草稿"
        if plan.interconnected is None:
            # The column's default, set here so that plan_errors sees it: a
            # REST body without the flag was saved interconnected, with no
            # platform to push to.
            plan.interconnected = True
        if not plan.plan_no and plan.region_code:
            plan.plan_no = next_plan_no(plan.region_code, dt.date.today().year)
        if plan.budget is not None and plan.category:
            decision = decide_push(plan)
            plan.meets_push, plan.push_reason = decision.meets, decision.reason


def _carry_to_notices(plan: Plan) -> None:
    """A plan's notices hold copies of its agency and region, by which
    scope._notice_rule finds them: a filed plan's 委托代理机构 may be
    changed, and Admin may move its unit to another region."""
    agency_id = plan.agency.id if plan.agency is not None else None
    (db.session.query(Notice)
     .filter(Notice.plan_id == plan.id,
             or_(Notice.region_code != plan.region_code,
                 Notice.agency_id.is_distinct_from(agency_id)))
     .update({Notice.region_code: plan.region_code, Notice.agency_id: agency_id},
             synchronize_session="fetch"))


def edit_refusal(plan: Plan) -> str | None:
    """Why the plan may not be edited, or None (drafts and filed plans may)."""
    if plan.state == "已撤回":
        return f"计划“{plan.plan_no}”已撤回，不能修改"
    return None


def delete_refusal(plan: Plan) -> str | None:
    """Only drafts may be deleted."""
    if plan.state != "草稿":
        return f"计划“{plan.plan_no}”{plan.state}，不能删除"
    return None


def file_plan(plan: Plan, user) -> str | None:
    """草稿 → 已备案. Returns an error message, or None when filed."""
    if plan.state != "草稿":
        return f"计划“{plan.plan_no}”当前状态为{plan.state}，不能重复备案"
    errors = plan_errors(plan)
    if errors:
        return "计划信息不完整，不能备案：" + "；".join(errors.values())
    decision = decide_push(plan)
    plan.meets_push, plan.push_reason = decision.meets, decision.reason
    plan.state = "已备案"
    plan.filed_at = dt.datetime.now()
    record(user, "备案", plan, decision.reason)
    push_to_platform(plan)
    return None


def update_filed(plan: Plan, user) -> None:
    """A filed plan was edited: its platform hears of it (plan.updated)."""
    record(user, "修改", plan)
    if plan.state == "已备案":
        push_to_platform(plan)


def _accepted_project(plan: Plan) -> str | None:
    """The code of the plan's project a trading centre has accepted, if any."""
    with db.session.no_autoflush:
        return (db.session.query(ProjectReplica.project_code).filter_by(plan_id=plan.id)
                .order_by(ProjectReplica.received_at).limit(1).scalar())


def withdraw_refusal(plan: Plan) -> str | None:
    """Why the plan may not be 撤回, or None. Once a trading centre has
    accepted its project (and only then can its notices be published), a
    withdrawal left the project and its notices standing on the platform (a
    browser walk found both still online): it is ended by a 终止公告."""
    if plan.state != "已备案":
        return f"计划“{plan.plan_no}”当前状态为{plan.state}，只有已备案的计划可以撤回"
    if project := _accepted_project(plan):
        return (f"计划“{plan.plan_no}”已由交易中心受理为项目“{project}”，不能撤回；"
                "如需终止采购，请在【采购公告发布】中发布终止公告")
    return None


def moving_refusal(plan: Plan) -> str | None:
    """An edit of a filed plan that would withdraw it from the platform that
    has it (互联互通 unticked, another 交易平台, no longer meeting the push
    rule) is a 撤回 by another door: refused once its project is accepted."""
    if plan.state != "已备案" or not plan.pushed_to or push_target(plan) == plan.pushed_to:
        return None
    if project := _accepted_project(plan):
        return (f"计划“{plan.plan_no}”已由交易中心受理为项目“{project}”，不能取消互联互通、"
                "变更交易平台或改为不再推送；如需终止采购，请在【采购公告发布】中发布终止公告")
    return None


def withdraw(plan: Plan, user, reason: str) -> str | None:
    """已备案 → 已撤回; the platform that has it is told (plan.withdrawn)."""
    if refusal := withdraw_refusal(plan):
        return refusal
    reason = trimmed(reason) if isinstance(reason, str) else ""
    if not reason:
        return "请填写撤回原因"
    if message := pasted_error("撤回原因", reason):
        return message
    plan.state, plan.withdrawn_at, plan.withdraw_reason = "已撤回", dt.datetime.now(), reason[:255]
    record(user, "撤回", plan, reason)
    if plan.pushed_to:
        _send_withdrawal(plan, plan.pushed_to, reason)
    return None


def push_target(plan: Plan) -> str | None:
    """The platform the filed plan belongs on now (None: no platform may have it)."""
    return plan.platform.code if plan.meets_push and plan.platform else None


def push_to_platform(plan: Plan) -> None:
    """Send the filed plan to its platform while the push rule holds.

    First time → plan.filed; later changes → plan.updated; a plan that moved
    to another platform, or no longer meets the rule, is withdrawn from the
    one that has it.
    """
    from .sync import outbox
    from .sync.messages.plan import entity_key, payload_of

    target = push_target(plan)
    if plan.pushed_to and plan.pushed_to != target:
        _send_withdrawal(plan, plan.pushed_to,
                         "交易平台变更" if target else "不再满足推送条件")
    if target is None:
        return
    kind = "plan.updated" if plan.pushed_to == target else "plan.filed"
    plan.version += 1
    outbox.send(kind, target, entity_key(plan.plan_no), plan.version, payload_of(plan))
    plan.pushed_to, plan.push_state, plan.push_state_at = target, "待推送", dt.datetime.now()


def _send_withdrawal(plan: Plan, target: str, reason: str) -> None:
    from .sync import outbox
    from .sync.messages.plan import entity_key

    plan.version += 1
    outbox.send("plan.withdrawn", target, entity_key(plan.plan_no), plan.version,
                {"plan_no": plan.plan_no, "reason": reason})
    if target == plan.pushed_to:
        plan.pushed_to = None
    plan.push_state, plan.push_state_at = "待推送", dt.datetime.now()
