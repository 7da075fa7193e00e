"""立项信息 after 受理通过: 是否加密 and 不见面开标 may still be corrected, by
the trading centre (中心业务科室) of the project's region, with a reason.
Each correction is kept (ProjectInfoChange), audited, and sent to GPS
(project.info_changed), which keeps the same row and shows the values on
its copy of the project.

The message type is this module's: `register_sync()` adds it to the sync
registry when create_app() wires the app.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func

from .audit import record
from .extensions import db
from .models import ProjectInfoChange, ProjectReplica, TradingProject
from .rules.text import pasted_error, trimmed
from .sync.messages.common import INT_MAX, KEY, in_years, items, unique

FIELDS = {"encrypted": "是否加密", "remote_opening": "是否为不见面开标项目"}
EDITOR_ROLE = "中心业务科室"
MESSAGE = "project.info_changed"
REASON_MAX = 500


class Refusal(ValueError):
    """Why the correction is not made (Chinese); nothing was changed."""


def yes_no(value) -> str:
    return "—" if value is None else ("是" if value else "否")


def who_refusal(user, project: TradingProject) -> str | None:
    """Only 中心业务科室 of the project's region (or a region above it)."""
    if user is None or EDITOR_ROLE not in {role.name for role in user.roles}:
        return f"只有“{EDITOR_ROLE}”可以更正立项信息"
    org = user.organisation
    if (org is None or org.org_type != "交易中心"
            or not project.region.path.startswith(org.region.path)):
        return f"该项目属于“{project.region.name}”，只能由其所在地交易中心更正立项信息"
    return None


def state_refusal(project: TradingProject) -> str | None:
    if project.state != "受理通过":
        return (f"项目“{project.project_code}”{project.state}，受理通过后才能更正立项信息；"
                "受理通过前由代理机构修改")
    return None


def refusal(user, project: TradingProject) -> str | None:
    return state_refusal(project) or who_refusal(user, project)


def history(project_code: str) -> list[ProjectInfoChange]:
    return (db.session.query(ProjectInfoChange).filter_by(project_code=project_code)
            .order_by(ProjectInfoChange.seq).all())


def _display_name(user) -> str:
    name = f"{user.first_name or ''}{user.last_name or ''}".strip()
    return name or user.username


def correct(project: TradingProject, values: dict, reason: str, user,
            seen_version=None) -> ProjectInfoChange:
    """更正立项信息 in the caller's transaction: the new values, the change
    row, the audit row and (for a project from a GPS plan) the message."""
    if seen_version not in (None, "") and str(seen_version) != str(project.version):
        raise Refusal(f"“{project}”已被他人修改，请刷新页面后重新填写")
    if message := refusal(user, project):
        raise Refusal(message)
    reason = trimmed(reason) if isinstance(reason, str) else ""
    if not reason:
        raise Refusal("请填写更正原因")
    if len(reason) > REASON_MAX:
        raise Refusal(f"更正原因不能超过{REASON_MAX}个字")
    if message := pasted_error("更正原因", reason):
        raise Refusal(message)
    changes = [{"field": field, "label": label, "old": yes_no(getattr(project, field)),
                "new": yes_no(bool(values.get(field)))}
               for field, label in FIELDS.items()
               if bool(values.get(field)) != bool(getattr(project, field))]
    if not changes:
        raise Refusal("立项信息没有变化，无需更正")
    for change in changes:
        setattr(project, change["field"], bool(values.get(change["field"])))
    seq = (db.session.query(func.coalesce(func.max(ProjectInfoChange.seq), 0))
           .filter_by(project_code=project.project_code).scalar()) + 1
    row = ProjectInfoChange(project_code=project.project_code, seq=seq, changes=changes,
                            reason=reason, user_name=_display_name(user),
                            organisation_name=user.organisation.name,
                            changed_at=dt.datetime.now().replace(microsecond=0))
    db.session.add(row)
    record(user, "更正立项信息", project, f"{row.summary}；原因：{reason}")
    if project.from_plan:
        from .sync import outbox

        outbox.send(MESSAGE, "gps", entity_key(project.project_code, seq), 1,
                    payload_of(project, row))
    return row


# --- the message --------------------------------------------------------------------

def entity_key(project_code: str, seq: int) -> str:
    """One entity per correction: each is applied once, in whatever order
    they arrive, and none is taken for an older version of another."""
    return f"project-info:{project_code}:{seq}"


def payload_of(project: TradingProject, row: ProjectInfoChange) -> dict:
    return {"project_code": project.project_code, "seq": row.seq,
            "encrypted": project.encrypted, "remote_opening": project.remote_opening,
            "changes": row.changes, "reason": row.reason, "user_name": row.user_name,
            "organisation_name": row.organisation_name,
            "changed_at": row.changed_at.isoformat()}


class _Change(Schema):
    class Meta:
        unknown = EXCLUDE

    field = fields.String(required=True, validate=validate.OneOf(list(FIELDS)))
    label = fields.String(required=True, validate=validate.Length(1, 32))
    old = fields.String(required=True, validate=validate.Length(1, 8))
    new = fields.String(required=True, validate=validate.Length(1, 8))


class InfoChangePayload(Schema):
    class Meta:
        unknown = EXCLUDE

    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(1, INT_MAX))
    encrypted = fields.Boolean(required=True)
    remote_opening = fields.Boolean(required=True)
    changes = fields.List(fields.Nested(_Change), required=True,
                          validate=[items(1, len(FIELDS)), unique("field")])
    reason = fields.String(required=True, validate=validate.Length(1, REASON_MAX))
    user_name = fields.String(required=True, validate=validate.Length(1, 128))
    organisation_name = fields.String(required=True, validate=validate.Length(1, 128))
    changed_at = fields.DateTime(required=True, validate=in_years)


def apply_info_change(envelope, payload) -> str:
    """GPS: keep the correction and, if it is the newest, its values on the
    project. A project GPS does not hold from that platform is refused (the
    sender sees 死信), never dropped."""
    from .sync.inbox import Refused

    code = payload["project_code"]
    replica = db.session.get(ProjectReplica, code)
    if replica is None or replica.platform_code != envelope["source"]:
        raise Refused(422, "unknown_project",
                      f"政府采购系统没有平台{envelope['source']}的项目“{code}”，不能更正立项信息",
                      envelope["source"], envelope["id"])
    newest = (db.session.query(func.max(ProjectInfoChange.seq))
              .filter_by(project_code=code).scalar())
    if db.session.query(ProjectInfoChange.id).filter_by(project_code=code,
                                                        seq=payload["seq"]).first():
        return "已忽略（重复）"
    db.session.add(ProjectInfoChange(
        project_code=code, seq=payload["seq"], changes=payload["changes"],
        reason=payload["reason"], user_name=payload["user_name"],
        organisation_name=payload["organisation_name"],
        changed_at=payload["changed_at"].replace(tzinfo=None)))
    if newest is None or payload["seq"] > newest:
        replica.encrypted = payload["encrypted"]
        replica.remote_opening = payload["remote_opening"]
    return "已应用"


def register_sync() -> None:
    from .sync import registry

    registry.register(MESSAGE, InfoChangePayload, apply_info_change,
                      entity=lambda p: entity_key(p["project_code"], p["seq"]), receiver="gps")
