"""【历史】: every change of a tracked record, field by field (docs/supervision.md).

After each flush, for the tracked rows the flush wrote, one `field_change`
row per changed column: who (the signed-in user; none for a peer's message
or a job, with 系统（同步）/系统（后台任务） in its place), when, which field
(and its Chinese label), old → new as people read them. The rows are
inserted with one statement on the flush's own connection, so they commit
or roll back with the change itself.

Why after_flush and not before_flush: a new row has no id before the flush,
and a lot added to a notice has no notice_id yet. In after_flush ids are
known while the attributes' history still shows the flushed change (SQLAlchemy
resets it only afterwards). Nothing here loads anything: old values come
from the history of the loaded attributes, related names from the session's
identity map, so the hook costs no SELECT.

Parts of a record (a notice's lots, a contract's lots, a lot's objections
and opening bids) are written against their owner, so the notice's 【历史】
shows “标段 …：最高限价” beside its own fields.
"""
import datetime as dt
import decimal
import json
import re

from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import lazy_gettext as _
from sqlalchemy import Numeric, event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from .models import (Contract, ContractLot, ExpertRequest, FieldChange, Lot, LotReplica, Notice,
                     NoticeLot, Objection, OpeningBid, Plan, TradingProject, WinnerChange)

CREATED, CHANGED, DELETED = "新增", "修改", "删除"
SYNC_ACTOR = "系统（同步）"  # applied from a peer's message (POST /interop/v1/messages)
JOB_ACTOR = "系统（后台任务）"  # no request: the sync sweeper, a command, a feed reconcile
NO_FIELD = "—"  # a creation or deletion is one row, not one per field

# The records with a 【历史】 page, and the parts written against their owner:
# part class → (owner class, the part's column holding the owner's id, how a part is named).
RECORDS = (Plan, Notice, LotReplica, Contract, WinnerChange, ExpertRequest, TradingProject, Lot)
PARTS = {
    NoticeLot: (Notice, "notice_id", lambda part: f"标段 {part.lot_code}"),
    ContractLot: (Contract, "contract_id", lambda part: f"标段 {part.lot_code}"),
    Objection: (Lot, "lot_id", lambda part: f"质疑 {part.objector}"),
    OpeningBid: (Lot, "lot_id", lambda part: f"开标记录 {part.bidder}"),
}

# Bookkeeping, never listed: locks, stamps FAB's AuditMixin keeps (who/when is
# the row's own), sync counters and delivery states that change on every push.
SKIPPED = frozenset({
    "id", "version", "created_on", "created_by_fk", "changed_on", "changed_by_fk",
    "sync_version", "committee_version", "push_state", "push_state_at", "pushed_to",
    "sync_state", "synced_at", "online_at", "notice_id", "contract_id", "lot_id",
})

# Labels where no view's label_columns names the column (parts, replicas, sync-set fields).
LABELS = {
    "seq": _("序号"), "lot_code": _("标段编号"), "lot_name": _("标段名称"), "name": _("名称"), "code": _("编号"),
    "budget": _("预算（元）"), "max_price": _("最高限价"), "content": _("内容"), "requirement_html": _("采购需求"),
    "supplier_name": _("中标（成交）供应商"), "supplier_address": _("供应商地址"),
    "supplier_credit_code": _("统一社会信用代码"), "award_amount": _("中标（成交）金额"), "main_items": _("主要标的"),
    "amount": _("金额（元）"), "objector": _("质疑人"), "received_on": _("收到质疑日期"),
    "known_on": _("知道或应当知道之日"), "reply": _("答复内容"), "reply_date": _("答复日期"), "bidder": _("投标人"),
    "bidder_credit_code": _("投标人统一社会信用代码"), "price": _("投标报价"), "opened_at": _("开标时间"),
    "ceiling_warning": _("超限价提示"), "state": _("状态"), "stage": _("项目阶段"), "filed_at": _("备案时间"),
    "submitted_at": _("提交时间"), "accepted_at": _("受理时间"), "completed_at": _("办结时间"),
    "published_at": _("发布时间"), "withdrawn_at": _("撤回时间"), "withdraw_reason": _("撤回原因"),
    "last_opinion": _("最近退回意见"), "meets_push": _("满足推送条件"), "push_reason": _("推送判断"),
    "notice_received_at": _("采购公告接收时间"), "experts_received_at": _("专家名单接收时间"), "doc_fee": _("文件费"),
    "bid_bond": _("投标保证金"), "service_fee": _("平台服务费"), "doc_issue_start": _("文件获取开始时间"),
    "doc_issue_end": _("文件获取截止时间"), "bid_deadline": _("投标截止时间"), "open_time": _("开标时间"),
    "evaluation_method": _("评标办法"), "committee_size": _("评委会人数"), "web_path": _("网站地址"),
    # Uploaded files, shown by their file name (_related).
    "statement_id": _("情况说明材料"), "authorization_id": _("授权书"),
    "signed_pdf_id": _("合同原件"), "redacted_pdf_id": _("合同文本（公开版）"),
}

TEXT_LIMIT = 200  # characters of a long text or HTML kept (after tags are removed), then …
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def init_app(app) -> None:
    """Listen on every session once per process (idempotent), as the outbox
    does: both sites, and every app a test builds, share the Session class."""
    if not event.contains(Session, "after_flush", _write_changes):
        event.listen(Session, "after_flush", _write_changes)


def _write_changes(session, flush_context) -> None:
    rows = []
    for action, objects in ((CREATED, session.new), (CHANGED, session.dirty),
                            (DELETED, session.deleted)):
        for obj in objects:
            if type(obj) in RECORDS or type(obj) in PARTS:
                rows.extend(_changes(session, obj, action))
    if rows:
        actor = _actor()
        at = dt.datetime.now()
        for row in rows:
            row.update(actor, at=at)
        session.connection().execute(FieldChange.__table__.insert(), rows)


def _actor() -> dict:
    user = getattr(g, "user", None) if has_request_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        organisation = user.organisation
        return {"user_id": user.id, "user_name": f"{user.first_name}{user.last_name}",
                "organisation_name": organisation.name if organisation else None}
    synced = has_request_context() and request.blueprint == "interop"
    return {"user_id": None, "user_name": None,
            "organisation_name": SYNC_ACTOR if synced else JOB_ACTOR}


def _changes(session, obj, action) -> list[dict]:
    """The rows one flushed object gives: one per changed column, or one for
    a creation or deletion (the record's page shows what it was created with;
    listing every empty field of a new plan would bury the changes)."""
    state = inspect(obj)
    part = PARTS.get(type(obj))
    if part:
        owner_class, owner_column, name = part
        owner_id = getattr(obj, owner_column)
        if owner_id is None:
            return []
        entity, entity_id = owner_class, owner_id
        owner = session.identity_map.get(identity_key(owner_class, owner_id))
        entity_key = _key(owner) if owner is not None else ""
        prefix = name(obj)
    else:
        # Not state.identity: a new row gets that only after after_flush.
        entity, entity_id = type(obj), state.mapper.primary_key_from_instance(obj)[0]
        entity_key, prefix = _key(obj), ""
    base = {"entity": entity.__name__, "entity_id": str(entity_id)[:64],
            "entity_key": entity_key[:64] or None, "action": action}
    if action != CHANGED:
        field = prefix or NO_FIELD
        return [dict(base, field=field[:64], label=field[:64],
                     old=_shown_record(obj) if action == DELETED else None,
                     new=action if action == CREATED else None)]
    rows = []
    labels = _labels(type(obj))
    for column in state.mapper.column_attrs:
        if column.key in SKIPPED:
            continue
        history = state.attrs[column.key].history
        if not history.has_changes():
            continue
        old = _shown(session, column, history.deleted[0] if history.deleted else None)
        new = _shown(session, column, history.added[0] if history.added else None)
        if old == new:
            continue
        label = labels.get(column.key) or _source(LABELS.get(column.key, column.key))
        if prefix:
            label = f"{prefix}：{label}"
        rows.append(dict(base, field=column.key[:64], label=label[:64], old=old, new=new))
    return rows


def _key(obj) -> str:
    from .audit import _key as audit_key

    return audit_key(obj)


def _shown_record(obj) -> str:
    return _clip(str(obj))


def _shown(session, column, value):
    """A value as people read it: dates YYYY-MM-DD (times to the minute),
    amounts with 2 decimals, 是/否, JSON compact, a related record by its name
    when the session holds it, long text and HTML as text clipped to TEXT_LIMIT."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (decimal.Decimal, float)) or (
            isinstance(value, int) and isinstance(column.columns[0].type, Numeric)):
        return f"{decimal.Decimal(value):,.2f}"  # an amount set as 1000 reads as the stored 1,000.00
    if isinstance(value, (dict, list)):
        return _clip(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    if isinstance(value, int):
        related = _related(session, column, value)
        return str(related) if related is not None else str(value)
    text = str(value)
    if column.key.endswith("_html"):
        text = _SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    return _clip(text)


def _related(session, column, value):
    """The record a foreign key points at, if the session already holds it;
    an upload (uploaded in a request of its own) by its file name, read on
    the flush's connection."""
    from .models import Attachment

    for relationship in column.parent.relationships:
        if relationship.direction.name == "MANYTOONE" and \
                [c.key for c in relationship.local_columns] == [column.columns[0].key]:
            target = relationship.mapper.class_
            held = session.identity_map.get(identity_key(target, value))
            if held is None and target is Attachment:
                return session.connection().execute(
                    select(Attachment.original_name).where(Attachment.id == value)).scalar()
            return held
    return None


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _labels(model) -> dict:
    """Column labels from the registered views of the model (their
    label_columns), as the Chinese source strings."""
    if not has_app_context():
        return {}
    cache = current_app.extensions.get("history_labels")  # filled on first use
    if cache is None:
        cache = {}
        for view in current_app.appbuilder.baseviews:
            datamodel = getattr(view, "datamodel", None)
            obj = getattr(datamodel, "obj", None)
            if obj is None:
                continue
            labels = cache.setdefault(obj, {})
            for key, label in (getattr(view, "label_columns", None) or {}).items():
                label = _source(label)
                if not label.isascii():  # not FAB's own prettified column name
                    labels.setdefault(key, label)
        current_app.extensions["history_labels"] = cache
    return cache.get(model, {})


def _source(label) -> str:
    """A lazy_gettext label's message id: our message ids are the Chinese text."""
    args = getattr(label, "_args", None)
    return str(args[0]) if args else str(label)

