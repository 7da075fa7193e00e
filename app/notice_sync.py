"""What each site does with the notice messages (app/sync/messages/notice.py).

Trading, on notice.published: puts the notice on the website (`store_notice`,
sanitised there) and acts on its type: a 采购公告 unlocks the named lots'
招标文件规划 (`Lot.notice_received_at`) and moves the project to 公告已发布; a
变更公告 opens an entry in the 变更公告 column. Then it answers notice.online
with the notice's public address, in the same transaction. A notice for a
project or lot this platform does not hold is refused (422), never dropped
silently: the sender shows it as 死信.

GPS: records 已同步 / 推送失败 on the notice as its delivery ends, and from
notice.online when and where the notice went online.
"""
import datetime as dt

from sqlalchemy import update

from . import projects, time_changes
from .extensions import db
from .models import Notice, TradingProject
from .public.notices import NoticeError, store_notice
from .sync import outbox
from .sync.inbox import Refused
from .sync.messages.notice import NoticePayload, OnlinePayload, entity_key, notice_entity


def register_sync() -> None:
    from .sync import registry

    registry.register("notice.published", NoticePayload, apply_notice, entity=notice_entity,
                      receiver="trading", on_outcome=_record_sync)
    registry.register("notice.online", OnlinePayload, apply_online, entity=notice_entity,
                      receiver="gps")


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
            "documents": payload.get("documents"),
            "published_at": payload["published_at"], "version": version})
    except NoticeError as exc:
        raise Refused(422, "bad_notice", f"公告不能发布：{exc}", envelope["source"],
                      envelope["id"]) from None
    codes = [lot["code"] for lot in payload["lots"]]
    if payload["notice_type"] == "采购公告":
        _procurement_notice(project, codes, payload["times"] or {},
                            {lot["code"]: lot["max_price"] for lot in payload["lots"]})
    elif payload["notice_type"] == "变更公告":
        # The agency enters the new times in the 变更公告 column (app/time_changes.py),
        # starting from, and checked against, the times this notice states.
        times = {name: _local(value) for name, value in (payload["times"] or {}).items()}
        time_changes.notice_arrived(project.project_code, key, payload["title"], codes, times)
    # 结果公告, 结果更正公告, 终止公告, 合同公告: on the website only; nothing
    # else on this site follows from them yet. A 合同公告's documents (the
    # redacted contract) stay where GPS serves them; the website links there.
    now = dt.datetime.now().replace(microsecond=0)
    outbox.send("notice.online", envelope["source"], entity_key(key), version,
                {"notice_key": key, "version": version,
                 "web_path": f"/web/notices/{stored.id}", "online_at": now.isoformat()})


def _procurement_notice(project: TradingProject, codes: list[str], times: dict,
                        max_prices: dict) -> None:
    """The named lots may now plan their documents (app/lot_settings.py), with
    the notice's times where the agency has set none, and take the notice's
    最高限价 (which the 开标记录 is checked against)."""
    now = dt.datetime.now()
    for lot in project.lots:
        if lot.code not in codes:
            continue
        if lot.notice_received_at is None:
            lot.notice_received_at = now
        if max_prices.get(lot.code) is not None:
            lot.max_price = max_prices[lot.code]
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
