"""评分标准 and 符合性审查, with their REST APIs."""

from flask import abort, flash, g
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import lazy_gettext as _

from ...common.counting import CappedCount
from ...common.typed_filters import TypedInterface
from .... import lot_settings as rules
from ....audit import record
from ....extensions import db
from ....models import ComplianceItem, Lot, ScoringItem
from ....scope import LotScope, current_user, lot_clause
from ...common.base import API_VERBS
from .common import (
    AcceptedLots,
    ITEM_LABELS,
    ITEM_VIEW_VERBS,
    LotSectionApi,
    LotSectionView,
    _probe_check,
    _raise,
    _rejected,
    _scoped_lot_ids,
    _unlocked,
)


# --- 评分标准 ----------------------------------------------------------------------

class ScoringItemView(LotSectionView):
    datamodel = CappedCount(ScoringItem)
    section = rules.SCORING
    class_permission_name = "ScoringItem"
    method_permission_name = ITEM_VIEW_VERBS
    route_base = "/scoring-items"
    list_title = _("评分标准")
    show_title = _("评分项详情")
    add_title = _("增加评分项")
    edit_title = _("修改评分项")
    page_note = _("每个标段每一评分类别（价格、技术、商务）的评分项权重合计须为100。"
                  "逐项录入时，未满100的类别会在此提示；超过100的权重不能保存。")
    label_columns = ITEM_LABELS
    list_columns = ["lot", "category", "name", "weight"]
    show_columns = ["lot", "category", "name", "weight", "criteria"]
    add_columns = ["lot", "category", "name", "weight", "criteria"]
    edit_columns = ["category", "name", "weight", "criteria"]
    search_columns = ["lot", "category", "name"]
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    searched_relations = {"lot": ("code", "name")}
    searched_form_relations = ("lot",)  # every accepted lot in scope: typed, not listed
    validators_columns = {
        "lot": [_unlocked(rules.SCORING)],
        "weight": [_probe_check(rules.scoring_item_errors, ["lot", "category", "name", "weight"],
                                ScoringItem)],
    }
    description_columns = {"weight": _("同一标段同一类别的权重合计须为100")}

    def list_extras(self):
        return {"scoring_problems": rules.incomplete_categories(_scoped_lot_ids())}

    def show_extras(self, item):
        return {"check": rules.scoring_check(item.lot), "lot": item.lot}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _raise(rules.scoring_item_errors(item))
        record(g.user, "增加评分项", item.lot, f"{item.category} {item.name} {item.weight}")

    def post_add(self, item):
        self._warn_incomplete(item)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.scoring_item_errors(item))
        record(g.user, "修改评分项", item.lot, f"{item.category} {item.name} {item.weight}")

    def post_update(self, item):
        self._warn_incomplete(item)

    @staticmethod
    def _warn_incomplete(item):
        if warning := rules.category_warning(item.lot_id, item.category):
            flash(warning, "warning")

    @expose("/check/<int:lot_id>")
    @has_access
    def check(self, lot_id):
        """检查评分标准 for one lot."""
        lot = (db.session.query(Lot).filter(Lot.id == lot_id, lot_clause(current_user()))
               .one_or_none())
        if lot is None:
            abort(404)
        return self.render_template("lot_settings/check.html", title=_("检查评分标准"),
                                    lot=lot, check=rules.scoring_check(lot),
                                    lock_reason=rules.lock_reason(lot, rules.SCORING))


# --- 符合性审查 ---------------------------------------------------------------------

class ComplianceItemView(LotSectionView):
    datamodel = CappedCount(ComplianceItem)
    section = rules.COMPLIANCE
    class_permission_name = "ComplianceItem"
    route_base = "/compliance-items"
    list_title = _("符合性审查")
    show_title = _("符合性审查项详情")
    add_title = _("增加符合性审查项")
    edit_title = _("修改符合性审查项")
    label_columns = ITEM_LABELS
    list_columns = ["lot", "name", "requirement"]
    show_columns = ["lot", "name", "requirement"]
    add_columns = ["lot", "name", "requirement"]
    edit_columns = ["name", "requirement"]
    search_columns = ["lot", "name"]
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    searched_relations = {"lot": ("code", "name")}
    searched_form_relations = ("lot",)  # every accepted lot in scope: typed, not listed
    validators_columns = {
        "lot": [_unlocked(rules.COMPLIANCE)],
        "name": [_probe_check(rules.compliance_item_errors, ["lot", "name"], ComplianceItem)],
    }

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _raise(rules.compliance_item_errors(item))
        record(g.user, "增加符合性审查项", item.lot, item.name)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.compliance_item_errors(item))
        record(g.user, "修改符合性审查项", item.lot, item.name)



def _weight_raw(value):
    return rules.weight_error(value)


class ScoringItemApi(LotSectionApi):
    resource_name = "scoring_item"
    datamodel = TypedInterface(ScoringItem)
    section = rules.SCORING
    class_permission_name = "ScoringItem"
    method_permission_name = {**API_VERBS, "check": "read"}
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    label_columns = ITEM_LABELS
    list_columns = ["id", "lot_id", "category", "name", "weight"]
    show_columns = ["id", "lot_id", "category", "name", "weight", "criteria"]
    add_columns = ["lot", "category", "name", "weight", "criteria"]
    edit_columns = ["category", "name", "weight", "criteria"]
    add_query_rel_fields = {"lot": [["id", LotScope, None]]}
    raw_checks = {"weight": _weight_raw}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.scoring_item_errors(item))
        record(g.user, "增加评分项", item.lot, f"{item.category} {item.name} {item.weight}")

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.scoring_item_errors(item))
        record(g.user, "修改评分项", item.lot, f"{item.category} {item.name} {item.weight}")

    @api_expose("/check/<int:lot_id>", methods=["GET"])
    @protect()
    @safe
    def check(self, lot_id):
        """检查评分标准: per category the items and their total; complete when
        every category in use sums to 100."""
        lot = (db.session.query(Lot).filter(Lot.id == lot_id, lot_clause(current_user()))
               .one_or_none())
        if lot is None:
            return self.response_404()
        return self.response(200, **rules.scoring_check(lot))


class ComplianceItemApi(LotSectionApi):
    resource_name = "compliance_item"
    datamodel = TypedInterface(ComplianceItem)
    section = rules.COMPLIANCE
    class_permission_name = "ComplianceItem"
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    label_columns = ITEM_LABELS
    list_columns = ["id", "lot_id", "name", "requirement"]
    show_columns = list_columns
    add_columns = ["lot", "name", "requirement"]
    edit_columns = ["name", "requirement"]
    add_query_rel_fields = {"lot": [["id", LotScope, None]]}

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.compliance_item_errors(item))
        record(g.user, "增加符合性审查项", item.lot, item.name)

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.compliance_item_errors(item))
        record(g.user, "修改符合性审查项", item.lot, item.name)
