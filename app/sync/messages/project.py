"""project.accepted / project.updated / project.status: trading → GPS.

Receiver (GPS): keeps ProjectReplica and its LotReplica rows (标段推送), the
lots the notice wizard offers. A lot missing from a later message was
removed on the trading side and goes here too.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate

from ...extensions import db
from ...models import PROJECT_STAGES, LotReplica, Plan, ProjectInfoChange, ProjectReplica
from ..inbox import Refused
from ..registry import handles
from .common import KEY, Amount, Flag, OrganisationRef, items, unique


class _Lot(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    seq = fields.Integer(required=True, validate=validate.Range(min=1, max=999))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    budget = Amount("预算金额", required=True)
    content = fields.String(allow_none=True, load_default=None)


class ProjectPayload(Schema):
    class Meta:
        unknown = EXCLUDE

    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    plan_no = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    project_name = fields.String(required=True, validate=validate.Length(1, 200))
    agency = fields.Nested(OrganisationRef, required=True)
    budget = Amount("预算金额", required=True)
    stage = fields.String(required=True, validate=validate.OneOf(PROJECT_STAGES))
    # 立项信息; absent from an older platform's messages
    encrypted = Flag(allow_none=True, load_default=None)
    remote_opening = Flag(allow_none=True, load_default=None)
    lots = fields.List(fields.Nested(_Lot), required=True,
                       validate=[items(1), unique("code", "seq")])


class StatusPayload(Schema):
    class Meta:
        unknown = EXCLUDE

    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    stage = fields.String(required=True, validate=validate.OneOf(PROJECT_STAGES))


def _project_entity(payload) -> str:
    # The key the sender (app/projects.py entity_key) gives the envelope.
    return f"project:{payload['project_code']}"


def _own(replica, envelope, payload, refused: str) -> None:
    """A platform speaks only for its own projects: another one's project
    code (a platform's fault, or a forged peer) changes nothing."""
    if replica is not None and replica.platform_code != envelope["source"]:
        raise Refused(422, "unknown_project",
                      f"政府采购系统没有平台{envelope['source']}的项目"
                      f"“{payload['project_code']}”，{refused}",
                      envelope["source"], envelope["id"])


@handles("project.accepted", ProjectPayload, entity=_project_entity, receiver="gps")
@handles("project.updated", ProjectPayload, entity=_project_entity, receiver="gps")
def apply_project(envelope, payload) -> None:
    plan = db.session.query(Plan).filter_by(plan_no=payload["plan_no"]).one_or_none()
    if plan is None or plan.pushed_to != envelope["source"]:
        # A platform speaks only for plans GPS pushed to it.
        raise Refused(422, "not_pushed_here",
                      f"计划“{payload['plan_no']}”未推送至平台{envelope['source']}，不能受理",
                      envelope["source"], envelope["id"])
    with db.session.no_autoflush:
        other = (db.session.query(ProjectReplica.project_code)
                 .filter(ProjectReplica.plan_no == payload["plan_no"],
                         ProjectReplica.project_code != payload["project_code"]).first())
    if other is not None:
        # One plan, one project (the platform's plan_no is UNIQUE): a second
        # would leave GPS's notice wizard not knowing which one is the plan's.
        raise Refused(422, "plan_taken",
                      f"计划“{payload['plan_no']}”已由项目“{other.project_code}”受理",
                      envelope["source"], envelope["id"])
    replica = db.session.get(ProjectReplica, payload["project_code"])
    _own(replica, envelope, payload, "不能受理")
    replica = replica or ProjectReplica(project_code=payload["project_code"])
    replica.platform_code = envelope["source"]
    replica.plan_no, replica.plan = payload["plan_no"], plan
    replica.project_name = payload["project_name"]
    replica.agency_name = payload["agency"]["name"]
    replica.agency_credit_code = payload["agency"]["credit_code"]
    replica.budget, replica.stage = payload["budget"], payload["stage"]
    # Once corrected (project.info_changed), the newest correction decides:
    # a project.updated sent before it may arrive after it.
    with db.session.no_autoflush:
        corrected = db.session.query(ProjectInfoChange.id).filter_by(
            project_code=payload["project_code"]).first()
    if not corrected and payload["encrypted"] is not None:
        replica.encrypted, replica.remote_opening = (payload["encrypted"],
                                                     payload["remote_opening"])
    replica.version, replica.received_at = envelope["entity_version"], dt.datetime.now()
    current = {lot.code: lot for lot in replica.lots}
    wanted = []
    for data in payload["lots"]:
        lot = current.get(data["code"]) or LotReplica(code=data["code"])
        lot.seq, lot.name, lot.budget, lot.content = (data["seq"], data["name"],
                                                      data["budget"], data["content"])
        wanted.append(lot)
    replica.lots = wanted
    db.session.add(replica)  # only now: a half-filled row must not autoflush


@handles("project.status", StatusPayload, entity=_project_entity, receiver="gps")
def apply_status(envelope, payload) -> None:
    replica = db.session.get(ProjectReplica, payload["project_code"])
    if replica is None:
        # Messages of one project arrive in order, its project.accepted
        # first; one that did not (refused, or still on its way) is waited
        # for: 425, the sender tries again. Remembering this version instead
        # would let a later project.accepted be ignored as older, and let any
        # platform claim a project code before its owner sends it.
        raise Refused(425, "unknown_project",
                      f"政府采购系统尚未收到平台{envelope['source']}的项目"
                      f"“{payload['project_code']}”，项目状态稍后重试",
                      envelope["source"], envelope["id"])
    _own(replica, envelope, payload, "不能接收项目状态")
    replica.stage = payload["stage"]
    replica.version, replica.received_at = envelope["entity_version"], dt.datetime.now()
