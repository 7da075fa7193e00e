"""plan.filed / plan.updated / plan.withdrawn: GPS → the plan's trading platform.

Receiver: keeps PlanReplica, the list 项目进场受理 chooses from (选择计划).
Sender: records 已推送 / 推送失败 on the plan.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate

from ...extensions import db
from sqlalchemy import update

from ...models import FUND_SOURCES, PROCUREMENT_METHODS, Plan, PlanReplica
from ..registry import handles
from .common import KEY, Amount, OrganisationRef, in_years


class _Unit(OrganisationRef):
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))


class PlanPayload(Schema):
    class Meta:
        unknown = EXCLUDE

    plan_no = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    project_name = fields.String(required=True, validate=validate.Length(1, 200))
    unit = fields.Nested(_Unit, required=True)
    agency = fields.Nested(OrganisationRef, allow_none=True, load_default=None)
    # The plan's own choices: 项目进场受理 copies them into the project's
    # Enum columns, which would refuse anything else only then.
    procurement_method = fields.String(required=True,
                                       validate=validate.OneOf(PROCUREMENT_METHODS))
    category = fields.String(required=True, validate=validate.OneOf(("货物", "服务", "工程")))
    item_name = fields.String(required=True, validate=validate.Length(1, 128))
    budget = Amount("预算金额", required=True)
    fund_source = fields.String(required=True, validate=validate.OneOf(FUND_SOURCES))
    expected_date = fields.Date(required=True, validate=in_years)
    contact = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=32))
    filed_at = fields.DateTime(allow_none=True, load_default=None, validate=in_years)


class WithdrawPayload(Schema):
    class Meta:
        unknown = EXCLUDE

    plan_no = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    reason = fields.String(required=True, validate=validate.Length(1, 255))


def payload_of(plan: Plan) -> dict:
    return {
        "plan_no": plan.plan_no,
        "project_name": plan.project_name,
        "unit": {"name": plan.unit.name, "credit_code": plan.unit.credit_code,
                 "region_code": plan.unit.region_code},
        "agency": ({"name": plan.agency.name, "credit_code": plan.agency.credit_code}
                   if plan.agency else None),
        "procurement_method": plan.procurement_method,
        "category": plan.category,
        "item_name": plan.item_name,
        "budget": f"{plan.budget:.2f}",
        "fund_source": plan.fund_source,
        "expected_date": plan.expected_date.isoformat(),
        "contact": plan.contact,
        "phone": plan.phone,
        "filed_at": plan.filed_at.isoformat() if plan.filed_at else None,
    }


def _record_push(row, delivered: bool) -> None:
    """Only the newest message speaks for the plan. A statement, not an ORM
    change, so the plan's 修改人/修改时间 (users' edits) stay as they were."""
    db.session.execute(
        update(Plan)
        .where(Plan.plan_no == row.entity_key.removeprefix("plan:"),
               Plan.version == row.entity_version)
        .values(push_state="已推送" if delivered else "推送失败",
                push_state_at=dt.datetime.now(),
                changed_on=Plan.changed_on, changed_by_fk=Plan.changed_by_fk)
        .execution_options(synchronize_session=False))


def entity_key(plan_no: str) -> str:
    return f"plan:{plan_no}"


def _plan_entity(payload) -> str:
    return entity_key(payload["plan_no"])


@handles("plan.filed", PlanPayload, entity=_plan_entity, receiver="trading",
         on_outcome=_record_push)
@handles("plan.updated", PlanPayload, entity=_plan_entity, receiver="trading",
         on_outcome=_record_push)
def apply_plan(envelope, payload) -> None:
    replica = db.session.get(PlanReplica, payload["plan_no"])
    if replica is None:
        replica = PlanReplica(plan_no=payload["plan_no"])
        db.session.add(replica)
    agency = payload["agency"] or {}
    replica.version = envelope["entity_version"]
    replica.project_name = payload["project_name"]
    replica.unit_name = payload["unit"]["name"]
    replica.unit_credit_code = payload["unit"]["credit_code"]
    replica.region_code = payload["unit"]["region_code"]
    replica.agency_name = agency.get("name")
    replica.agency_credit_code = agency.get("credit_code")
    for field in ("procurement_method", "category", "item_name", "budget", "fund_source",
                  "expected_date", "contact", "phone", "filed_at"):
        setattr(replica, field, payload[field])
    replica.status, replica.withdraw_reason = "有效", None
    replica.received_at = dt.datetime.now()


@handles("plan.withdrawn", WithdrawPayload, entity=_plan_entity, receiver="trading",
         on_outcome=_record_push)
def apply_withdrawal(envelope, payload) -> None:
    replica = db.session.get(PlanReplica, payload["plan_no"])
    if replica is None:
        return  # withdrawn before its filing arrived; the inbox row remembers
    replica.version = envelope["entity_version"]
    replica.status, replica.withdraw_reason = "已撤回", payload["reason"]
    replica.received_at = dt.datetime.now()
