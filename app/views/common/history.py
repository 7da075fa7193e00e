"""【历史】 of one record: /history/<Entity>/<id> (docs/supervision.md).

The rows app/history.py wrote for the record, newest first. Whoever may read
the record itself may read its history: the record's own scope clause
(app/scope.py) and the role's can_read on the record's page decide, and
anything else — another unit's plan, an unknown entity, a junk id — is a
404, the same as a record that does not exist.
"""
import re

from flask import abort, current_app, g, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from ... import scope
from ...extensions import db
from ...models import (Contract, ExpertRequest, FieldChange, Lot, LotReplica, Notice, Plan,
                       TradingProject, WinnerChange)
from .base import PAGE_SIZE, requested_page

# Entity (the model's class name) → (model, scope clause, the record's own
# page, the views whose can_read lets one read the record), per site.
ENTITIES = {
    "gps": {
        "Plan": (Plan, scope.plan_clause, lambda pk: url_for("PlanView.show", pk=pk),
                 ("Plan",)),
        "Notice": (Notice, scope.notice_clause,
                   lambda pk: url_for("NoticePublishView.notice", notice_id=pk),
                   ("NoticePublish",)),
        "LotReplica": (LotReplica, scope.lot_replica_clause,
                       lambda pk: url_for("LotReplicaView.show", pk=pk), ("LotReplica",)),
        "Contract": (Contract, scope.contract_clause,
                     lambda pk: url_for("ContractView.show", pk=pk),
                     ("Contract", "ContractQuery")),
        "WinnerChange": (WinnerChange, scope.winner_change_clause,
                         lambda pk: url_for("WinnerChangeView.show", pk=pk), ("WinnerChange",)),
        "ExpertRequest": (ExpertRequest, scope.expert_request_clause,
                          lambda pk: url_for("ExpertRequestView.show", pk=pk),
                          ("ExpertRequest",)),
    },
    "trading": {
        "TradingProject": (TradingProject, scope.project_clause,
                           lambda pk: url_for("AcceptanceView.show", pk=pk), ("Acceptance",)),
        "Lot": (Lot, scope.lot_clause, lambda pk: url_for("LotView.show", pk=pk),
                ("Lot", "LotSetting")),
    },
}


# How app/history.py names a part of a record ("标段 01：…"): the word before the part's key.
PART_WORDS = {"标段": _("标段"), "质疑": _("质疑人"), "开标记录": _("开标记录")}


def field_label(label: str) -> str:
    """A row's stored label (the Chinese msgid of a view's label_columns or
    app/history.LABELS, "标段 01：" before a part's) in the reader's language."""
    if not label:
        return label
    part, sep, field = label.rpartition("：")
    if not sep:
        return _part(label) if " " in label else gettext(label)
    return gettext("%(part)s：%(field)s", part=_part(part), field=gettext(field))


def _part(part: str) -> str:
    word, space, key = part.partition(" ")
    return f"{PART_WORDS[word]}{space}{key}" if word in PART_WORDS else part


def readable(site: str, entity: str, record_id: str):
    """The record if the signed-in user may read it, else None."""
    known = ENTITIES.get(site, {}).get(entity)
    if known is None:
        return None
    model, clause, _page, views = known
    # The scope is the record's; the role must read such records at all (a
    # 单位内部审核岗, who never sees an expert application, read its history).
    if not any(current_app.appbuilder.sm.has_access("can_read", view) for view in views):
        return None
    column = model.__mapper__.primary_key[0]
    if column.type.python_type is int:
        if not re.fullmatch(r"[0-9]{1,18}", record_id):  # not isdigit(): "²" is a digit
            return None
        record_id = int(record_id)
    elif len(record_id) > 64:
        return None
    return db.session.query(model).filter(column == record_id, clause(g.user)).one_or_none()


class HistoryView(BaseView):
    route_base = "/history"
    class_permission_name = "History"
    method_permission_name = {"show": "read"}
    list_title = _("历史")  # how 角色 and 功能 pages name this view
    default_view = "show"

    @expose("/<entity>/<record_id>")
    @has_access
    def show(self, entity, record_id):
        site = current_app.config["SITE"]
        record = readable(site, entity, record_id)
        if record is None:
            abort(404)
        record_id = str(db.inspect(record).identity[0])  # "012" → "12", as written
        rows = (db.session.query(FieldChange)
                .filter(FieldChange.entity == entity, FieldChange.entity_id == record_id)
                .order_by(FieldChange.at.desc(), FieldChange.id.desc()))
        page, pages = requested_page(rows.count())
        return self.render_template(
            "history/show.html", title=_("历史"), record=record,
            back=ENTITIES[site][entity][2](record_id),
            rows=rows.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all(),
            page=page, pages=pages, field_label=field_label, word=gettext)
