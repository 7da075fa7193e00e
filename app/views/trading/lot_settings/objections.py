"""项目质疑, with its REST API."""

from flask import flash, g, request
from flask_babel import lazy_gettext as _

from ...common.counting import CappedCount
from ...common.typed_filters import TypedInterface
from .... import lot_settings as rules
from ....audit import record
from ....extensions import db
from ....models import Objection
from ....scope import LotScope, ObjectionScope, current_user, objection_clause
from .common import (
    AcceptedLots,
    ITEM_LABELS,
    LotSectionApi,
    LotSectionView,
    _probe_check,
    _raise,
    _received,
    _rejected,
    _reply_date,
    _today,
    _unlocked,
)


# --- 项目质疑 ----------------------------------------------------------------------

OBJECTION_FIELDS = ["objector", "known_on", "received_on", "content", "reply", "reply_date"]


def _objection_errors_of(probe):
    return rules.objection_errors(probe, _today())


class ObjectionView(LotSectionView):
    datamodel = CappedCount(Objection)
    section = rules.OBJECTIONS
    class_permission_name = "Objection"
    route_base = "/objections"
    list_title = _("项目质疑")
    show_title = _("质疑详情")
    add_title = _("登记质疑")
    edit_title = _("修改质疑 / 答复")
    page_note = _("供应商应在知道或应知其权益受到损害之日起7个工作日内提出质疑；"
                  "采购人、采购代理机构应在收到质疑函后7个工作日内答复"
                  "（《政府采购质疑和投诉办法》第十条、第十三条）。工作日按国家法定节假日及调休计算。")
    label_columns = ITEM_LABELS
    list_columns = ["lot", "objector", "received_on", "reply_date"]
    show_columns = ["lot"] + OBJECTION_FIELDS
    add_columns = ["lot"] + OBJECTION_FIELDS
    edit_columns = OBJECTION_FIELDS
    search_columns = ["lot", "objector", "received_on", "reply_date"]
    base_filters = [["agency_id", ObjectionScope, None]]
    base_order = ("received_on", "desc")
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    searched_relations = {"lot": ("code", "name")}
    searched_form_relations = ("lot",)  # every accepted lot in scope: typed, not listed
    formatters_columns = {"reply_date": _reply_date, "received_on": _received}
    validators_columns = {
        "lot": [_unlocked(rules.OBJECTIONS)],
        **{column: [_probe_check(_objection_errors_of, OBJECTION_FIELDS, Objection)]
           for column in OBJECTION_FIELDS},
    }
    description_columns = {
        "known_on": _("质疑供应商知道或应知其权益受到损害之日；质疑期自次日起算7个工作日"),
        "received_on": _("答复期限为收到质疑后7个工作日"),
    }

    def list_extras(self):
        return {"objection_warnings": rules.objections_needing_attention(
            objection_clause(current_user()), _today())}

    def show_extras(self, item):
        return {"warnings": rules.objection_warnings(item, _today())}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _raise(rules.objection_errors(item, _today()))
        record(g.user, "登记质疑", item.lot, item.objector)

    def post_add(self, item):
        self._warn(item)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.objection_errors(item, _today()))
        record(g.user, "修改质疑", item.lot, item.objector)

    def post_update(self, item):
        self._warn(item)

    @staticmethod
    def _warn(item):
        for warning in rules.objection_warnings(item, _today()):
            flash(warning, "warning")


class ObjectionApi(LotSectionApi):
    resource_name = "objection"
    datamodel = TypedInterface(Objection)
    section = rules.OBJECTIONS
    class_permission_name = "Objection"
    base_filters = [["agency_id", ObjectionScope, None]]
    base_order = ("received_on", "desc")
    label_columns = ITEM_LABELS
    list_columns = ["id", "lot_id", "objector", "known_on", "received_on", "reply_date"]
    show_columns = ["id", "lot_id"] + OBJECTION_FIELDS
    add_columns = ["lot"] + OBJECTION_FIELDS
    edit_columns = OBJECTION_FIELDS
    add_query_rel_fields = {"lot": [["id", LotScope, None]]}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.objection_errors(item, _today()))
        record(g.user, "登记质疑", item.lot, item.objector)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.objection_errors(item, _today()))
        record(g.user, "修改质疑", item.lot, item.objector)

    def pre_get(self, data):
        """The show answer carries the warnings (7-working-day periods)."""
        pk = data.get("id")
        item = db.session.get(Objection, int(pk)) if pk is not None else None
        if item is not None:
            data["warnings"] = rules.objection_warnings(item, _today())
            data["reply_deadline"] = rules.reply_deadline_text(item.received_on)

    def post_headless(self):
        return self._with_warnings(super().post_headless())

    def put_headless(self, pk):
        return self._with_warnings(super().put_headless(pk))

    @staticmethod
    def _with_warnings(response):
        body = response.get_json(silent=True) or {}
        if response.status_code in (200, 201) and isinstance(body, dict):
            pk = body.get("id") or (request.view_args or {}).get("pk")
            item = db.session.get(Objection, int(pk)) if pk is not None else None
            if item is not None:
                import json

                body["warnings"] = rules.objection_warnings(item, _today())
                body["reply_deadline"] = rules.reply_deadline_text(item.received_on)
                response.set_data(json.dumps(body, ensure_ascii=False, default=str))
        return response
