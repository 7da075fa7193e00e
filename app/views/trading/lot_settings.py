"""【项目管理】 on a trading site, after 受理通过: 资费定义, 招标文件规划与开评标配置,
评分标准, 符合性审查, 项目质疑, 开标记录 and 项目阶段 (开始评标 / 评标结束); and
their REST APIs. The rules are in app/lot_settings.py; this module only asks
them and says no in the form (inline, or flashed) or as a 422 on REST.
"""
import datetime as dt
from types import SimpleNamespace

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectField
from wtforms.validators import Optional, StopValidation, ValidationError

from ... import lot_settings as rules
from ...audit import record
from ...extensions import db
from ...models import (
    ComplianceItem,
    Lot,
    Objection,
    OpeningBid,
    ScoringItem,
    TradingProject,
)
from ...scope import (
    LotScope,
    ProjectScope,
    ScopeFilter,
    current_user,
    lot_clause,
    project_clause,
)
from ..common.base import (
    API_VERBS,
    VIEW_VERBS,
    ReadWriteApi,
    ReadWriteModelView,
    Rejected,
)

LOT_LABELS = {
    "project": _("所属项目"), "code": _("标段编号"), "name": _("标段名称"),
    "budget": _("标段预算（元）"), "doc_fee": _("文件费（元）"),
    "bid_bond": _("投标保证金（元）"), "service_fee": _("平台服务费（元）"),
    "notice_received_at": _("收到采购公告时间"), "doc_issue_start": _("文件获取开始时间"),
    "doc_issue_end": _("文件获取截止时间"), "bid_deadline": _("投标截止时间"),
    "open_time": _("开标时间"), "evaluation_method": _("评标办法"),
    "committee_size": _("评委会人数"),
}
ITEM_LABELS = {
    "lot": _("标段(包)"), "category": _("评分类别"), "name": _("名称"), "weight": _("权重"),
    "criteria": _("评分细则"), "requirement": _("审查要求"),
    "objector": _("质疑人"), "known_on": _("知道或应知权益受损日期"),
    "received_on": _("收到质疑日期"), "content": _("质疑内容"), "reply": _("答复内容"),
    "reply_date": _("答复日期"), "bidder": _("投标人"),
    "bidder_credit_code": _("投标人统一社会信用代码"), "price": _("投标报价（元）"),
    "opened_at": _("开标时间"),
}
FEE_COLUMNS = ["doc_fee", "bid_bond", "service_fee"]
PLANNING_COLUMNS = ["doc_issue_start", "doc_issue_end", "bid_deadline", "open_time",
                    "evaluation_method", "committee_size"]
ITEM_VIEW_VERBS = {**VIEW_VERBS, "check": "read"}


def _today():
    return dt.date.today()


def _now():
    return dt.datetime.now()


def _notice(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else "未收到（暂不能编辑招标文件规划等）"


def _reply_date(value):
    return str(value) if value else "未答复"


def _received(value):
    return f"{value}（答复期限 {rules.reply_deadline_text(value)}）" if value else ""


class AcceptedLots(ScopeFilter):
    """Lots in scope whose project is 受理通过. Applied to a column holding a
    lot id: Lot.id (the add forms' dropdown) or a row's lot_id."""

    def apply(self, query, value):
        column = getattr(self.model, self.column_name)
        return query.filter(column.in_(rules.accepted_lots(lot_clause(current_user()))))


class AcceptedProjects(ScopeFilter):
    @staticmethod
    def clause(user):
        return project_clause(user) & (TradingProject.state == "受理通过")


def _scoped_lot_ids():
    return rules.accepted_lots(lot_clause(current_user()))


def _item_from_url(model):
    """The row an edit form is about (None on an add form)."""
    pk = (request.view_args or {}).get("pk")
    return db.session.get(model, int(pk)) if pk is not None else None


# --- the shape every view here shares ------------------------------------------------

class LotSectionView(ReadWriteModelView):
    """A view of lots, or of rows that belong to a lot, for one section: a
    locked lot says why on its detail page, its edit form is not opened,
    and add/edit/delete are refused with the same reason."""

    section = None
    show_template = "lot_settings/show.html"
    list_template = "lot_settings/list.html"
    page_note = None

    def lot_of(self, item):
        return item.lot

    def lock_reason(self, item):
        return rules.lock_reason(self.lot_of(item), self.section)

    def list_extras(self) -> dict:
        return {}

    def show_extras(self, item) -> dict:
        return {}

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("page_note", self.page_note)
            kwargs.update(self.list_extras())
        elif template == self.show_template and "pk" in kwargs:
            item = self.datamodel.get(kwargs["pk"], self._base_filters)
            if item is not None:
                kwargs["lock_reason"] = self.lock_reason(item)
                kwargs.update(self.show_extras(item))
        return super().render_template(template, **kwargs)

    def edit_refusal(self, item):
        return self.lock_reason(item)

    def _refuse_if_locked(self, item):
        if reason := self.lock_reason(item):
            raise ValueError(reason)

    def pre_delete(self, item):
        self._refuse_if_locked(item)
        record(g.user, f"删除{self.section}", self.lot_of(item), item_label(item))


def item_label(item) -> str:
    return getattr(item, "name", None) or getattr(item, "bidder", None) or \
        getattr(item, "objector", None) or ""


def _raise(errors: dict):
    if errors:
        raise ValueError("；".join(errors.values()))


def _form_error(message: str) -> str:
    """FAB shows a field's error through gettext, which %-formats it even
    without variables: a literal % (say, in a bidder's name) must be doubled."""
    return message.replace("%", "%%")


def _unlocked(section):
    """Form validator on the lot dropdown of an add form."""
    def check(form, field):
        if field.data is not None and (reason := rules.lock_reason(field.data, section)):
            raise StopValidation(_form_error(reason))
    return check


def _probe_check(errors_of, fields, model=Lot):
    """Form validator: run a rules function over the form's values (on a
    stand-in object, so nothing enters the session) and report the message
    for this field."""
    def check(form, field):
        current = _item_from_url(model)
        values = {}
        if current is not None:
            values = {name: getattr(current, name) for name in fields}
            values.update(id=current.id, lot=getattr(current, "lot", current),
                          lot_id=getattr(current, "lot_id", current.id),
                          project=getattr(current, "project", None),
                          budget=getattr(current, "budget", None))
        for name in fields:
            if name in form._fields:
                data = form[name].data
                values[name] = None if data == "" else data
        if "lot" in form._fields:
            values["lot"] = form.lot.data
            values["lot_id"] = form.lot.data.id if form.lot.data is not None else None
        values.setdefault("id", None)
        if values.get("lot") is None and current is None and model is not None:
            return  # the lot field says what is missing
        probe = SimpleNamespace(**values)
        if message := errors_of(probe).get(field.name):
            raise ValidationError(_form_error(message))
    return check


# --- 资费定义 ----------------------------------------------------------------------

class LotFeeView(LotSectionView):
    datamodel = SQLAInterface(Lot)
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
    base_order = ("id", "asc")
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
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
    datamodel = SQLAInterface(Lot)
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
        (_("标段"), {"fields": ["project", "code", "name", "budget", "notice_received_at"]}),
        (_("招标文件规划"), {"fields": ["doc_issue_start", "doc_issue_end", "bid_deadline"]}),
        (_("开评标配置"), {"fields": ["open_time", "evaluation_method", "committee_size"]}),
    ]
    edit_columns = PLANNING_COLUMNS
    search_columns = ["code", "name", "project", "evaluation_method"]
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "asc")
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
    formatters_columns = {"notice_received_at": _notice}
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
    related_views = []  # filled below, once the item views exist

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


# --- 评分标准 ----------------------------------------------------------------------

class ScoringItemView(LotSectionView):
    datamodel = SQLAInterface(ScoringItem)
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
    datamodel = SQLAInterface(ComplianceItem)
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


LotSettingView.related_views = [ScoringItemView, ComplianceItemView]


# --- 项目质疑 ----------------------------------------------------------------------

OBJECTION_FIELDS = ["objector", "known_on", "received_on", "content", "reply", "reply_date"]


def _objection_errors_of(probe):
    return rules.objection_errors(probe, _today())


class ObjectionView(LotSectionView):
    datamodel = SQLAInterface(Objection)
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
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("received_on", "desc")
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
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
            _scoped_lot_ids(), _today())}

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


# --- 开标记录 ----------------------------------------------------------------------

OPENING_FIELDS = ["bidder", "bidder_credit_code", "price", "opened_at"]


def _opening_errors_of(probe):
    return rules.opening_errors(probe, _now())


def _record_opening(item, user) -> bool:
    """Record the opening (and 已开标 on the project) in the caller's transaction."""
    record(user, "录入开标记录", item.lot, f"{item.bidder} {item.price}")
    return rules.opened(item.lot.project, user)


class OpeningBidView(LotSectionView):
    datamodel = SQLAInterface(OpeningBid)
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
    list_columns = ["lot", "bidder", "price", "opened_at"]
    show_columns = ["lot"] + OPENING_FIELDS
    add_columns = ["lot"] + OPENING_FIELDS
    edit_columns = OPENING_FIELDS
    search_columns = ["lot", "bidder"]
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    add_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    search_form_query_rel_fields = {"lot": [["id", AcceptedLots, None]]}
    validators_columns = {
        column: [_probe_check(_opening_errors_of, ["lot"] + OPENING_FIELDS, OpeningBid)]
        for column in ["lot"] + OPENING_FIELDS}
    validators_columns["lot"].insert(0, _unlocked(rules.OPENING))

    def pre_add(self, item):
        self._refuse_if_locked(item)
        _raise(rules.opening_errors(item, _now()))
        g.project_opened = _record_opening(item, g.user)

    def post_add(self, item):
        if getattr(g, "project_opened", False):
            flash(f"项目“{item.lot.project.project_code}”已开标，已通知政府采购系统", "info")

    def pre_update(self, item):
        self._refuse_if_locked(item)
        _raise(rules.opening_errors(item, _now()))
        record(g.user, "修改开标记录", item.lot, f"{item.bidder} {item.price}")


# --- 项目阶段: 开始评标 / 评标结束 ------------------------------------------------------

STAGE_LABELS = {
    "project_code": _("项目编号"), "project_name": _("项目名称"), "unit_name": _("采购单位"),
    "procurement_method": _("采购方式"), "budget": _("预算金额（元）"), "agency": _("代理机构"),
    "stage": _("项目阶段"), "accepted_at": _("受理时间"), "lots": _("标段(包)"),
}
CONFIRMATIONS = {
    "start_evaluation": _("确认开始评标吗？开始评标后开标记录不能再修改，项目阶段将变为“评标中”并通知政府采购系统。"),
    "finish_evaluation": _("确认评标结束吗？项目阶段将变为“评标结束”并通知政府采购系统，此操作不能撤销。"),
}


class ProjectStageView(ReadWriteModelView):
    datamodel = SQLAInterface(TradingProject)
    class_permission_name = "ProjectStage"
    method_permission_name = {**VIEW_VERBS, "start_evaluation": "advance",
                              "finish_evaluation": "advance"}
    base_permissions = ["can_read", "can_advance"]
    route_base = "/project-stages"
    show_template = "lot_settings/stage_show.html"
    list_title = _("项目阶段")
    show_title = _("项目阶段")
    label_columns = STAGE_LABELS
    list_columns = ["project_code", "project_name", "procurement_method", "stage",
                    "accepted_at"]
    show_columns = ["project_code", "project_name", "unit_name", "procurement_method",
                    "budget", "agency", "stage", "accepted_at", "lots"]
    search_columns = ["project_code", "project_name", "stage"]
    base_filters = [["id", AcceptedProjects, None]]
    base_order = ("id", "desc")

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self.datamodel.get(kwargs["pk"], self._base_filters)
            if item is not None:
                kwargs["item"] = item
                kwargs["refusals"] = {action: rules.stage_refusal(item, action)
                                      for action in rules.STAGE_ACTIONS}
        return super().render_template(template, **kwargs)

    @expose("/start_evaluation/<int:pk>", methods=["GET", "POST"])
    @has_access
    def start_evaluation(self, pk):
        return self._advance(pk, "start_evaluation")

    @expose("/finish_evaluation/<int:pk>", methods=["GET", "POST"])
    @has_access
    def finish_evaluation(self, pk):
        return self._advance(pk, "finish_evaluation")

    def _advance(self, pk, action):
        """GET: the confirmation (or why not); POST: 【确定】."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        label = rules.STAGE_ACTIONS[action][2]
        refusal = rules.stage_refusal(item, action)
        if request.method == "POST":
            if refusal:
                flash(refusal, "danger")
                return redirect(url_for(".show", pk=pk))
            try:
                stage = rules.advance(item, action, g.user)
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash("该项目已被他人处理，请刷新后重试", "danger")
            else:
                flash(f"项目“{item.project_code}”已{label}，当前阶段：{stage}，已通知政府采购系统",
                      "success")
            return redirect(url_for(".show", pk=pk))
        return self.render_template("lot_settings/stage_confirm.html", title=label, item=item,
                                    action=action, label=label, refusal=refusal,
                                    confirmation=CONFIRMATIONS[action])


# --- REST ------------------------------------------------------------------------

class LotSectionApi(ReadWriteApi):
    """REST twin of LotSectionView: the same refusals, as 422 by field."""

    section = None
    raw_checks: dict = {}  # column → function(raw value) → message, before marshmallow

    def lot_of(self, item):
        return item.lot

    def _refuse_if_locked(self, item):
        lot = self.lot_of(item)
        # FAB does not apply add_query_rel_fields when loading a POST body:
        # a lot outside the user's scope must be refused here.
        if lot is None or lot.id is None or not db.session.query(
                Lot.id).filter(Lot.id == lot.id, lot_clause(current_user())).first():
            raise Rejected({"lot": "标段不存在或无权访问"})
        if reason := rules.lock_reason(lot, self.section):
            raise Rejected({"lot": reason})

    def pre_delete(self, item):
        self._refuse_if_locked(item)
        record(g.user, f"删除{self.section}", self.lot_of(item), item_label(item))

    def _check_raw_amounts(self):
        super()._check_raw_amounts()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return
        errors = {column: message for column, check in self.raw_checks.items()
                  if column in body and (message := check(body[column]))}
        if errors:
            raise Rejected(errors)


def _rejected(errors: dict):
    if errors:
        raise Rejected(errors)


def _fee_check(label):
    return lambda value: rules.fee_error(value, label)


class LotFeeApi(LotSectionApi):
    resource_name = "lot_fee"
    datamodel = SQLAInterface(Lot)
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
    datamodel = SQLAInterface(Lot)
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


def _weight_raw(value):
    return rules.weight_error(value)


class ScoringItemApi(LotSectionApi):
    resource_name = "scoring_item"
    datamodel = SQLAInterface(ScoringItem)
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
    datamodel = SQLAInterface(ComplianceItem)
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


class ObjectionApi(LotSectionApi):
    resource_name = "objection"
    datamodel = SQLAInterface(Objection)
    section = rules.OBJECTIONS
    class_permission_name = "Objection"
    base_filters = [["lot_id", AcceptedLots, None]]
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


class OpeningBidApi(LotSectionApi):
    resource_name = "opening_bid"
    datamodel = SQLAInterface(OpeningBid)
    section = rules.OPENING
    class_permission_name = "OpeningBid"
    base_filters = [["lot_id", AcceptedLots, None]]
    base_order = ("lot_id", "asc")
    label_columns = ITEM_LABELS
    list_columns = ["id", "lot_id"] + OPENING_FIELDS
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
        record(g.user, "修改开标记录", item.lot, f"{item.bidder} {item.price}")


class ProjectStageApi(ReadWriteApi):
    resource_name = "project_stage"
    datamodel = SQLAInterface(TradingProject)
    class_permission_name = "ProjectStage"
    method_permission_name = {**API_VERBS, "start_evaluation": "advance",
                              "finish_evaluation": "advance"}
    include_route_methods = {"get", "get_list", "info", "start_evaluation",
                             "finish_evaluation"}
    base_filters = [["id", AcceptedProjects, None]]
    base_order = ("id", "desc")
    label_columns = STAGE_LABELS
    list_columns = ["id", "project_code", "project_name", "stage", "version"]
    show_columns = ["id", "project_code", "project_name", "procurement_method", "stage",
                    "accepted_at", "version"]

    @api_expose("/<int:pk>/start_evaluation", methods=["POST"])
    @protect()
    @safe
    def start_evaluation(self, pk):
        """开始评标: 已开标 → 评标中 (409 with the reason when out of order)."""
        return self._advance(pk, "start_evaluation")

    @api_expose("/<int:pk>/finish_evaluation", methods=["POST"])
    @protect()
    @safe
    def finish_evaluation(self, pk):
        """评标结束: 评标中 → 评标结束 (409 with the reason when out of order)."""
        return self._advance(pk, "finish_evaluation")

    def _advance(self, pk, action):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        try:
            stage = rules.advance(item, action, g.user)
            db.session.commit()
        except ValueError as refused:
            db.session.rollback()
            return self.response(409, message=str(refused))
        except StaleDataError:
            db.session.rollback()
            return self.response(409, message="该项目已被他人处理，请刷新后重试")
        return self.response(200, message=f"当前阶段：{stage}", stage=stage,
                             version=item.version)
