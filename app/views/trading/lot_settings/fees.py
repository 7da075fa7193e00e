"""资费定义 and 招标文件规划与开评标配置, with their REST APIs."""

from flask import flash, g
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import lazy_gettext as _
from wtforms import SelectField
from wtforms.validators import Optional

from ...common.counting import CappedCount
from ...common.typed_filters import TypedInterface
from .... import lot_settings as rules
from ....audit import record
from ....models import Lot
from ....scope import LotScope, ProjectScope
from ...common.base import API_VERBS
from .common import (
    FEE_COLUMNS,
    LOT_LABELS,
    LotSectionApi,
    LotSectionView,
    PLANNING_COLUMNS,
    _fee_check,
    _max_price,
    _notice,
    _probe_check,
    _raise,
    _rejected,
)


# --- 资费定义 ----------------------------------------------------------------------

class LotFeeView(LotSectionView):
    datamodel = CappedCount(Lot)
    section = rules.FEES
    class_permission_name = "LotFee"
    base_permissions = ["can_read", "can_edit"]
    route_base = "/lot-fees"
    list_title = _("资费定义")
    show_title = _("资费定义详情")
    edit_title = _("资费定义")
    page_note = _("项目受理通过后，代理机构为每个标段设置文件费、投标保证金和平台服务费；"
                  "投标保证金不得超过标段预算的2％。标段开标后不能再修改。")
    label_columns = LOT_LABELS
    list_columns = ["code", "name", "budget", "doc_fee", "bid_bond", "service_fee", "project"]
    show_columns = ["project", "code", "name", "budget"] + FEE_COLUMNS
    edit_columns = FEE_COLUMNS
    search_columns = ["code", "name", "project"]
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "desc")  # newest lots first
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
    searched_relations = {"project": ("project_code", "project_name")}
    validators_columns = {column: [_probe_check(rules.fee_errors, FEE_COLUMNS)]
                          for column in FEE_COLUMNS}
    description_columns = {
        "bid_bond": _("不得超过标段预算的2％（《政府采购法实施条例》第三十三条）；不收取请填0"),
        "doc_fee": _("按弥补制作、邮寄成本的原则确定，不收取请填0"),
    }

    def lot_of(self, item):
        return item

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.fee_errors(item))
        record(g.user, "资费定义", item, "；".join(
            f"{label} {getattr(item, field)}" for field, label in rules.FEE_FIELDS))


# --- 招标文件规划与开评标配置 ---------------------------------------------------------

class LotSettingView(LotSectionView):
    datamodel = CappedCount(Lot)
    section = rules.PLANNING
    class_permission_name = "LotSetting"
    base_permissions = ["can_read", "can_edit"]
    route_base = "/lot-settings"
    list_title = _("招标文件规划与开评标配置")
    show_title = _("招标文件规划与开评标配置")
    edit_title = _("招标文件规划与开评标配置")
    page_note = _("收到政府采购系统的采购公告后，代理机构可编辑招标文件规划、开评标配置、"
                  "评分标准和符合性审查；未收到采购公告的标段暂不能编辑。")
    label_columns = LOT_LABELS
    list_columns = ["code", "name", "project", "notice_received_at", "bid_deadline",
                    "open_time", "evaluation_method"]
    show_fieldsets = [
        (_("标段"), {"fields": ["project", "code", "name", "budget", "max_price",
                               "notice_received_at"]}),
        (_("招标文件规划"), {"fields": ["doc_issue_start", "doc_issue_end", "bid_deadline"]}),
        (_("开评标配置"), {"fields": ["open_time", "evaluation_method", "committee_size"]}),
    ]
    edit_columns = PLANNING_COLUMNS
    search_columns = ["code", "name", "project", "evaluation_method"]
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "desc")  # newest lots first
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
    searched_relations = {"project": ("project_code", "project_name")}
    formatters_columns = {"notice_received_at": _notice, "max_price": _max_price}
    validators_columns = {column: [_probe_check(rules.planning_errors, PLANNING_COLUMNS)]
                          for column in PLANNING_COLUMNS if column != "evaluation_method"}
    edit_form_extra_fields = {
        "evaluation_method": SelectField(
            LOT_LABELS["evaluation_method"],
            choices=[("", "请选择")] + [(m, m) for m in rules.EVALUATION_METHODS],
            validators=[Optional(), _probe_check(rules.planning_errors, PLANNING_COLUMNS)]),
    }
    description_columns = {
        "bid_deadline": _("公开招标/邀请招标自文件开始发出至投标截止不少于20日，竞争性磋商不少于10日，"
                          "竞争性谈判/询价不少于3个工作日"),
        "doc_issue_end": _("文件获取期限不少于5个工作日"),
        "open_time": _("招标项目开标时间与投标截止时间相同"),
        "committee_size": _("单数；公开招标5人以上，预算1000万元以上7人以上"),
    }
    related_views = []  # set in __init__.py, once the item views exist

    def lot_of(self, item):
        return item

    def show_extras(self, item):
        note = rules.planning_note(item)
        return {"problems": rules.completeness(item), "lot": item,
                "warnings": [note] if note else []}

    def pre_update(self, item):
        if item.evaluation_method == "":
            item.evaluation_method = None
        self._refuse_if_locked(item)
        _raise(rules.planning_errors(item))
        note = rules.planning_note(item)
        record(g.user, "招标文件规划与开评标配置", item, note or "")

    def post_update(self, item):
        if note := rules.planning_note(item):
            flash(note, "warning")


class LotFeeApi(LotSectionApi):
    resource_name = "lot_fee"
    datamodel = TypedInterface(Lot)
    section = rules.FEES
    class_permission_name = "LotFee"
    include_route_methods = {"get", "get_list", "info", "put"}
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "asc")
    label_columns = LOT_LABELS
    list_columns = ["id", "project_id", "code", "name", "budget"] + FEE_COLUMNS
    show_columns = list_columns
    edit_columns = FEE_COLUMNS
    raw_checks = {field: _fee_check(label) for field, label in rules.FEE_FIELDS}

    def lot_of(self, item):
        return item

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _rejected(rules.fee_errors(item))
        record(g.user, "资费定义", item)


class LotSettingApi(LotSectionApi):
    resource_name = "lot_setting"
    datamodel = TypedInterface(Lot)
    section = rules.PLANNING
    class_permission_name = "LotSetting"
    method_permission_name = {**API_VERBS, "check": "read"}
    include_route_methods = {"get", "get_list", "info", "put", "check"}
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "asc")
    label_columns = LOT_LABELS
    list_columns = ["id", "project_id", "code", "name", "notice_received_at"] + PLANNING_COLUMNS
    show_columns = list_columns
    edit_columns = PLANNING_COLUMNS

    def lot_of(self, item):
        return item

    def pre_update(self, item):
        if item.evaluation_method == "":
            item.evaluation_method = None
        self._refuse_if_locked(item)
        _rejected(rules.planning_errors(item))
        record(g.user, "招标文件规划与开评标配置", item, rules.planning_note(item) or "")

    @api_expose("/<int:pk>/check", methods=["GET"])
    @protect()
    @safe
    def check(self, pk):
        """What is still missing before the lot's set-up is complete."""
        lot = self.datamodel.get(pk, self._base_filters)
        if lot is None:
            return self.response_404()
        problems = rules.completeness(lot)
        note = rules.planning_note(lot)
        return self.response(200, complete=not problems, problems=problems,
                             warnings=[note] if note else [],
                             lock_reason=rules.lock_reason(lot, self.section))
