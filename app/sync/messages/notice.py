"""notice.published: GPS → the project's trading platform; notice.online:
trading → GPS.

Receiver of notice.published (trading): puts the notice on the website
(`store_notice`, sanitised there) and acts on its type: a 采购公告 unlocks the
named lots' 招标文件规划 (`Lot.notice_received_at`) and moves the project to
公告已发布; a 变更公告 opens an entry in the 变更公告 column. Then it answers
notice.online with the notice's public address, in the same transaction.
A notice for a project or lot this platform does not hold is refused (422),
never dropped silently: the sender shows it as 死信.

Sender (GPS): records 已同步 / 推送失败 on the notice; notice.online records
when and where the notice went online.
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import update

from ... import projects, time_changes
from ...extensions import db
from ...models import NOTICE_TYPES, Notice, TradingProject
from ...public.notices import NoticeError, store_notice
from .. import outbox
from ..inbox import Refused
from ..registry import handles


class _Lot(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(1, 40))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    budget = fields.Decimal(required=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False))


class _Times(Schema):
    class Meta:
        unknown = EXCLUDE

    doc_start = fields.DateTime(allow_none=True, load_default=None)
    doc_end = fields.DateTime(allow_none=True, load_default=None)
    bid_deadline = fields.DateTime(allow_none=True, load_default=None)
    open_time = fields.DateTime(allow_none=True, load_default=None)


class NoticePayload(Schema):
    class Meta:
        unknown = EXCLUDE

    notice_key = fields.String(required=True, validate=validate.Length(1, 64))
    notice_type = fields.String(required=True, validate=validate.OneOf(NOTICE_TYPES))
    title = fields.String(required=True, validate=validate.Length(1, 255))
    project_code = fields.String(required=True, validate=validate.Length(1, 32))
    plan_no = fields.String(required=True, validate=validate.Length(1, 32))
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    original_key = fields.String(allow_none=True, load_default=None,
                                 validate=validate.Length(1, 64))
    body_html = fields.String(required=True)
    published_at = fields.DateTime(required=True)
    lots = fields.List(fields.Nested(_Lot), required=True, validate=validate.Length(min=1))
    times = fields.Nested(_Times, allow_none=True, load_default=None)


class OnlinePayload(Schema):
    class Meta:
        unknown = EXCLUDE

    notice_key = fields.String(required=True, validate=validate.Length(1, 64))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    web_path = fields.String(required=True, validate=[validate.Length(max=200),
                                                      validate.Regexp(r"^/web/")])
    online_at = fields.DateTime(required=True)


def entity_key(notice_key: str) -> str:
    return f"notice:{notice_key}"


def _notice_entity(payload) -> str:
    return entity_key(payload["notice_key"])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def payload_of(notice: Notice, body_html: str) -> dict:
    """notice.published's payload for a published GPS notice; `body_html` is
    the full rendered notice. Send it with entity_version = notice.version
    as stored (flushed), which is what _record_sync matches."""
    if notice.published_at is None:
        raise ValueError(f"notice {notice.notice_key} has no published_at")
    times = {"doc_start": _iso(notice.doc_start), "doc_end": _iso(notice.doc_end),
             "bid_deadline": _iso(notice.bid_deadline), "open_time": _iso(notice.open_time)}
    return {
        "notice_key": notice.notice_key,
        "notice_type": notice.notice_type,
        "title": notice.title,
        "project_code": notice.project_code,
        "plan_no": notice.plan.plan_no,
        "region_code": notice.region_code,
        "original_key": notice.original.notice_key if notice.original is not None else None,
        "body_html": body_html,
        "published_at": notice.published_at.isoformat(),
        "lots": [{"code": lot.lot_code, "name": lot.name, "budget": f"{lot.budget:.2f}"}
                 for lot in notice.lots],
        "times": times if any(times.values()) else None,
    }


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """The app stores naive local times (as store_notice does)."""
    if value is not None and value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value


# --- GPS: the sender's bookkeeping ----------------------------------------------

def _record_sync(row, delivered: bool) -> None:
    """Only the message of the notice's current version speaks for it. A
    statement, not an ORM change: the user's 修改人/修改时间 stay as they were,
    and `version` (the optimistic lock) is not bumped."""
    values = ({"sync_state": "已同步", "synced_at": dt.datetime.now()} if delivered
              else {"sync_state": "推送失败"})
    db.session.execute(
        update(Notice)
        .where(Notice.notice_key == row.entity_key.removeprefix("notice:"),
               Notice.version == row.entity_version)
        .values(**values, changed_on=Notice.changed_on, changed_by_fk=Notice.changed_by_fk)
        .execution_options(synchronize_session=False))


# --- trading: notice.published ---------------------------------------------------

def _accepted_project(envelope, payload) -> TradingProject:
    code = payload["project_code"]
    project = db.session.query(TradingProject).filter_by(project_code=code).one_or_none()
    if project is None:
        raise Refused(422, "unknown_project", f"本平台没有项目“{code}”，不能发布其公告",
                      envelope["source"], envelope["id"])
    if project.state != "受理通过":
        raise Refused(422, "unknown_project",
                      f"项目“{code}”在本平台{project.state}，尚未受理通过，不能发布其公告",
                      envelope["source"], envelope["id"])
    known = {lot.code for lot in project.lots}
    unknown = [lot["code"] for lot in payload["lots"] if lot["code"] not in known]
    if unknown:
        raise Refused(422, "unknown_lot",
                      f"项目“{code}”在本平台没有标段“{'、'.join(unknown)}”，不能发布其公告",
                      envelope["source"], envelope["id"])
    return project


@handles("notice.published", NoticePayload, entity=_notice_entity, on_outcome=_record_sync)
def apply_notice(envelope, payload) -> None:
    project = _accepted_project(envelope, payload)
    key, version = payload["notice_key"], envelope["entity_version"]
    try:
        stored = store_notice({
            "notice_key": key, "column": payload["notice_type"], "title": payload["title"],
            "project_code": payload["project_code"], "plan_no": payload["plan_no"],
            "region_code": payload["region_code"], "body_html": payload["body_html"],
            "lots": [{"code": lot["code"], "name": lot["name"], "budget": lot["budget"]}
                     for lot in payload["lots"]],
            "published_at": payload["published_at"], "version": version})
    except NoticeError as exc:
        raise Refused(422, "bad_notice", f"公告不能发布：{exc}", envelope["source"],
                      envelope["id"]) from None
    codes = [lot["code"] for lot in payload["lots"]]
    if payload["notice_type"] == "采购公告":
        _procurement_notice(project, codes, payload["times"] or {})
    elif payload["notice_type"] == "变更公告":
        # The agency enters the new times in the 变更公告 column (app/time_changes.py).
        time_changes.notice_arrived(project.project_code, key, payload["title"], codes)
    # 结果公告, 结果更正公告, 终止公告: on the website only; nothing else on this
    # site follows from them yet.
    now = dt.datetime.now().replace(microsecond=0)
    outbox.send("notice.online", envelope["source"], entity_key(key), version,
                {"notice_key": key, "version": version,
                 "web_path": f"/web/notices/{stored.id}", "online_at": now.isoformat()})


def _procurement_notice(project: TradingProject, codes: list[str], times: dict) -> None:
    """The named lots may now plan their documents (app/lot_settings.py), with
    the notice's times where the agency has set none."""
    now = dt.datetime.now()
    for lot in project.lots:
        if lot.code not in codes:
            continue
        if lot.notice_received_at is None:
            lot.notice_received_at = now
        for field, source in (("doc_issue_start", "doc_start"), ("doc_issue_end", "doc_end"),
                              ("bid_deadline", "bid_deadline"), ("open_time", "open_time")):
            if getattr(lot, field) is None and times.get(source) is not None:
                setattr(lot, field, _local(times[source]))
    if project.stage == "受理通过":
        # No user here: keep 修改人 (NOT NULL) as it was instead of FAB's
        # onupdate, which would write NULL outside a request's g.user.
        project.changed_by_fk = TradingProject.changed_by_fk
        projects.set_stage(project, "公告已发布", None)


# --- GPS: notice.online ------------------------------------------------------------

@handles("notice.online", OnlinePayload, entity=_notice_entity)
def apply_online(envelope, payload) -> None:
    key = payload["notice_key"]
    platform = db.session.query(Notice.platform_code).filter_by(notice_key=key).scalar()
    if platform is None:
        raise Refused(422, "unknown_notice", f"本系统没有公告“{key}”",
                      envelope["source"], envelope["id"])
    if platform != envelope["source"]:
        # A platform speaks only for notices sent to it.
        raise Refused(422, "not_sent_here", f"公告“{key}”未发送至平台{envelope['source']}",
                      envelope["source"], envelope["id"])
    db.session.execute(
        update(Notice)
        .where(Notice.notice_key == key)
        .values(online_at=_local(payload["online_at"]), web_path=payload["web_path"],
                changed_on=Notice.changed_on, changed_by_fk=Notice.changed_by_fk)
        .execution_options(synchronize_session=False))
