"""开标记录, with its REST API: a bid above the 最高限价 is recorded and flagged."""

from flask import flash, g, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from markupsafe import Markup

from ...common.counting import CappedCount
from ...common.typed_filters import TypedInterface
from .... import lot_settings as rules
from ....audit import record
from ....extensions import db
from ....models import OpeningBid
from ....scope import LotScope
from .common import (
    AcceptedLots,
    ITEM_LABELS,
    LotSectionApi,
    LotSectionView,
    _now,
    _probe_check,
    _raise,
    _rejected,
    _scoped_lot_ids,
    _unlocked,
)


# --- 开标记录 ----------------------------------------------------------------------

OPENING_FIELDS = ["bidder", "bidder_credit_code", "price", "opened_at"]


def _opening_errors_of(probe):
    return rules.opening_errors(probe, _now())


def _opening_detail(item) -> str:
    """The audit row's detail: bidder, price and the ceiling warning if any."""
    detail = f"{item.bidder} {item.price}"
    return f"{detail}；{item.ceiling_warning}" if item.ceiling_warning else detail


def _record_opening(item, user) -> bool:
    """Record the opening (and 已开标 on the project) in the caller's transaction."""
    item.ceiling_warning = rules.ceiling_warning(item)
    record(user, "录入开标记录", item.lot, _opening_detail(item))
    return rules.opened(item.lot.project, user)


def _update_opening(item, user) -> None:
    item.ceiling_warning = rules.ceiling_warning(item)
    record(user, "修改开标记录", item.lot, _opening_detail(item))


def _ceiling_flag(value):
    """The list's 报价检查 column: a flag, the full warning is on the detail page."""
    if not value:
        return "—"
    return Markup('<span class="label label-danger ceiling-flag">%s</span>') % \
        "超过最高限价·无效投标"



class OpeningBidView(LotSectionView):
    datamodel = CappedCount(OpeningBid)
    section = rules.OPENING
    class_permission_name = "OpeningBid"
    route_base = "/opening-bids"
    list_title = _("开标记录")
    show_title = _("开标记录详情")
    add_title = _("录入开标记录")
    edit_title = _("修改开标记录")
    page_note = _("录入项目的第一条开标记录后，项目阶段变为“已开标”并通知政府采购系统；"
                  "开始评标后开标记录不能再修改。")
    label_columns = ITEM_LABELS
    list_columns = ["lot", "bidder", "price", "opened_at", "ceiling_warning"]
    show_columns = ["lot"] + OPENING_FIELDS + ["ceiling_warning"]
    add_columns = ["lot"] + OPENING_FIELDS
    edit_columns = OPENING_FIELDS
    search_columns = ["lot", "bidder"]
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "desc")  # newest lots first
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    searched_relations = {"lot": ("code", "name")}
    searched_form_relations = ("lot",)  # every accepted lot in scope: typed, not listed
    validators_columns = {
        column: [_probe_check(_opening_errors_of, ["lot"] + OPENING_FIELDS, OpeningBid)]
        for column in ["lot"] + OPENING_FIELDS}
    validators_columns["lot"].insert(0, _unlocked(rules.OPENING))
    formatters_columns = {"ceiling_warning": _ceiling_flag}
    description_columns = {
        "price": _("按开标时唱出的报价照实录入；超过该标段最高限价（未设最高限价的为预算金额）的，"
                   "照常保存并标记为无效投标（财政部令第87号第六十三条）"),
    }

    def list_extras(self):
        return {"ceiling_bids": rules.bids_over_ceiling(_scoped_lot_ids())}

    def show_extras(self, item):
        return {"warnings": [item.ceiling_warning] if item.ceiling_warning else []}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _raise(rules.opening_errors(item, _now()))
        g.project_opened = _record_opening(item, g.user)

    def post_add(self, item):
        if getattr(g, "project_opened", False):
            flash(gettext("项目“%(code)s”已开标，已通知政府采购系统",
                          code=item.lot.project.project_code), "info")
        self._warn(item)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.opening_errors(item, _now()))
        _update_opening(item, g.user)

    def post_update(self, item):
        self._warn(item)

    @staticmethod
    def _warn(item):
        if item.ceiling_warning:
            flash(gettext("开标记录已保存，但%(warning)s", warning=item.ceiling_warning), "warning")


class OpeningBidApi(LotSectionApi):
    resource_name = "opening_bid"
    datamodel = TypedInterface(OpeningBid)
    section = rules.OPENING
    class_permission_name = "OpeningBid"
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    label_columns = ITEM_LABELS
    # ceiling_warning is read-only: set from the price, never from the body.
    list_columns = ["id", "lot_id"] + OPENING_FIELDS + ["ceiling_warning"]
    show_columns = list_columns
    add_columns = ["lot"] + OPENING_FIELDS
    edit_columns = OPENING_FIELDS
    add_query_rel_fields = {"lot": [["id", LotScope, None]]}
    amount_columns = {"price": "投标报价"}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.opening_errors(item, _now()))
        _record_opening(item, g.user)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.opening_errors(item, _now()))
        _update_opening(item, g.user)

    def post_headless(self):
        return self._with_warning(super().post_headless())

    def put_headless(self, pk):
        return self._with_warning(super().put_headless(pk))

    @staticmethod
    def _with_warning(response):
        """A saved bid above the ceiling answers 2xx with the warning."""
        body = response.get_json(silent=True) or {}
        if response.status_code in (200, 201) and isinstance(body, dict):
            pk = body.get("id") or (request.view_args or {}).get("pk")
            item = db.session.get(OpeningBid, int(pk)) if pk is not None else None
            if item is not None:
                import json

                body["ceiling_warning"] = item.ceiling_warning
                response.set_data(json.dumps(body, ensure_ascii=False, default=str))
        return response
