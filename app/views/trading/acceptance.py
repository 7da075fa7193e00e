"""【项目管理】→【项目进场受理】 on a trading site: 是否选择计划 → 选择计划 →
受理信息 → 标段(包) → 【提交】 to 中心业务科室; and the REST API."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import ValidationError

from ..common.typed_filters import TypedInterface
from ... import project_info, projects
from ...audit import record
from ...extensions import db
from ...models import Lot, PlanReplica, Region, TradingProject
from ...rules.money import amount_error
from ...scope import LotScope, ProjectScope, ScopeFilter, project_clause
from ...workflows.acceptance import AcceptanceChain
from ..common.approval import APPROVAL_API_VERBS, ApprovalApi, ApprovalViews
from ..common.base import (API_VERBS, PAGE_SIZE, ReadWriteApi, ReadWriteModelView, Rejected,
                           requested_page, text, when, yuan)
# 是/否 through gettext: these literals stayed Chinese on the English pages.
from ..common.counting import CappedCount, capped_count
from ..common.formatting import yes_no as _yes_no

LABELS = {
    "project_code": _("项目编号"), "from_plan": _("是否选择计划"), "plan_no": _("计划编号"),
    "project_name": _("项目名称"), "unit_name": _("采购单位"),
    "unit_credit_code": _("采购单位统一社会信用代码"), "region": _("所属区划"),
    "procurement_method": _("采购方式"), "category": _("采购类别"),
    "budget": _("预算金额（元）"), "fund_source": _("资金来源"), "agency": _("代理机构"),
    "open_place": _("开标地点"), "contact": _("项目联系人"), "phone": _("联系电话"),
    "encrypted": _("是否加密"), "remote_opening": _("是否为不见面开标项目"),
    "state": _("受理状态"), "stage": _("项目阶段"), "submitted_at": _("提交时间"),
    "accepted_at": _("受理时间"), "last_opinion": _("退回意见"), "lots": _("标段(包)"),
    "created_by": _("经办人"), "created_on": _("创建时间"),
}
LOT_LABELS = {"project": _("所属项目"), "seq": _("序号"), "code": _("标段编号"),
              "name": _("标段名称"), "budget": _("标段预算（元）"), "content": _("采购内容")}


def _amount(label):
    def check(form, field):
        if message := amount_error(field.data, label):
            raise ValidationError(message)
    return check


class ServedRegions(ScopeFilter):
    """所属区划 choices: the platform's region and below (projects.region_error)."""

    @staticmethod
    def clause(user):
        served = projects.platform_region()
        return Region.path.like(served.path + "%") if served is not None else true()


class EditableProjects(ScopeFilter):
    """Projects the user may add lots to: in scope, 草稿 or 已退回."""

    @staticmethod
    def clause(user):
        return project_clause(user) & TradingProject.state.in_(projects.EDITABLE_STATES)


def _lot_within_budget(form, field):
    """All lots together within the project's budget (add and edit forms)."""
    if amount_error(field.data, "标段预算金额"):
        return  # the amount check says why
    lot = None
    pk = (request.view_args or {}).get("pk")
    if pk is not None:
        lot = db.session.get(Lot, int(pk))
    project = getattr(form, "project", None) and form.project.data
    project = project or (lot.project if lot else None)
    if project is None:
        return
    probe = Lot(budget=field.data)
    probe.id = lot.id if lot else None
    others = projects.lots_total(project, without=probe)
    if others + field.data > project.budget:
        raise ValidationError(
            f"各标段预算合计 {others + field.data:.2f} 元，超过项目预算 {project.budget:.2f} 元"
            f"（其他标段已用 {others:.2f} 元）")


class LotView(ReadWriteModelView):
    datamodel = CappedCount(Lot)
    class_permission_name = "Lot"
    route_base = "/lots"
    show_template = "history/model_show.html"  # with 【历史】
    extra_args = {"history_entity": "Lot"}
    list_title = _("标段(包)")
    show_title = _("标段(包)详情")
    add_title = _("增加标段(包)")
    edit_title = _("修改标段(包)")
    label_columns = LOT_LABELS
    list_columns = ["code", "name", "budget", "project"]
    formatters_columns = {"budget": yuan, "content": text}
    show_columns = ["project", "code", "seq", "name", "budget", "content"]
    add_columns = ["project", "name", "budget", "content"]
    edit_columns = ["name", "budget", "content"]
    search_columns = ["code", "name", "project"]
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "asc")
    validators_columns = {"budget": [_amount("标段预算金额"), _lot_within_budget]}
    add_form_query_rel_fields = {"project": [["id", EditableProjects, None]]}
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
    searched_relations = {"project": ("project_code", "project_name")}
    description_columns = {"budget": _("各标段预算之和不能超过项目预算")}
    # A lot's 编辑 and 删除 go with its project's state: the page's projects
    # are read once for all its rows (they are a list column too).
    hide_refused_buttons = True
    refusals_read = ("project",)

    def edit_refusal(self, item):
        return projects.lot_refusal(item.project, "edit", item) if item.project else None

    def delete_refusal(self, item):
        return projects.lot_refusal(item.project, "delete") if item.project else None

    def pre_add(self, item):
        _check_lot(item, "add")
        projects.place_lot(item)
        record(g.user, "增加标段", item)  # committed with the lot

    def pre_update(self, item):
        _check_lot(item, "edit")
        # Committed by FAB together with the edit: GPS hears of exactly what was saved.
        record(g.user, "修改标段", item)
        projects.lots_changed(item.project, g.user)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除标段", item)
        db.session.commit()

    def post_add_redirect(self):
        return self._back_to_project()

    def post_edit_redirect(self):
        return self._back_to_project()

    def _back_to_project(self):
        project_id = request.form.get("project") or request.args.get("_flt_0_project")
        if project_id:
            return redirect(url_for("AcceptanceView.show", pk=project_id))
        return redirect(self.get_redirect())


def _in_scope(project) -> bool:
    with db.session.no_autoflush:  # the lot being checked is not saved yet
        return db.session.query(TradingProject.id).filter(
            TradingProject.id == project.id, project_clause(g.user)).first() is not None


def _check_lot(lot, action):
    if lot.project is None:
        raise ValueError("请选择所属项目")
    if not _in_scope(lot.project):
        raise ValueError("所选项目不存在或不属于本代理机构")
    if refusal := projects.lot_refusal(lot.project, action, lot):
        raise ValueError(refusal)
    if errors := projects.lot_errors(lot):
        raise ValueError("；".join(errors.values()))


class InfoCorrectionForm(FlaskForm):
    """更正立项信息: the two fields, the mandatory reason, and the version the
    user saw (a correction made meanwhile is not overwritten)."""

    encrypted = BooleanField(LABELS["encrypted"])
    remote_opening = BooleanField(LABELS["remote_opening"])
    reason = TextAreaField(_("更正原因"), description=_("必填，不超过500字；将随更正记录一并推送至政府采购系统"))
    version = HiddenField()


PROJECT_FORM = ["project_name", "unit_name", "unit_credit_code", "region",
                "procurement_method", "category", "budget", "fund_source", "open_place",
                "contact", "phone", "encrypted", "remote_opening"]
COMPLETE_FORM = ["open_place", "contact", "phone", "encrypted", "remote_opening"]


class AcceptanceView(ApprovalViews, ReadWriteModelView):
    datamodel = CappedCount(TradingProject)
    chain = AcceptanceChain
    class_permission_name = "Acceptance"
    extra_args = {"history_entity": "TradingProject"}  # 【历史】 on the detail page
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "submit": "submit", "review": "review", "new": "create",
                              "choose_plan": "create", "take_plan": "create",
                              "correct": "correct"}
    route_base = "/acceptance"
    list_template = "acceptance/list.html"
    own_add_button = True  # its 【新增】/【增加】 above the list
    show_template = "acceptance/show.html"
    list_title = _("项目进场受理")
    show_title = _("项目进场受理详情")
    add_title = _("项目进场受理（不选择计划）")
    edit_title = _("完善受理信息")
    label_columns = LABELS
    list_columns = ["project_code", "project_name", "unit_name", "plan_no", "budget",
                    "state", "stage", "submitted_at"]
    add_columns = PROJECT_FORM
    # Base information from a GPS plan is read-only; the agency completes the rest.
    edit_columns = COMPLETE_FORM
    show_fieldsets = [
        (_("项目基本信息"), {"fields": ["project_code", "from_plan", "plan_no", "project_name",
                                    "unit_name", "region", "procurement_method",
                                    "category", "budget", "fund_source"]}),
        (_("受理信息"), {"fields": ["agency", "open_place", "contact", "phone",
                                  "encrypted", "remote_opening"]}),
        (_("办理情况"), {"fields": ["state", "stage", "submitted_at", "accepted_at",
                                  "last_opinion", "created_by", "created_on"]}),
    ]
    search_columns = ["project_code", "project_name", "unit_name", "plan_no", "state",
                      "stage"]
    base_filters = [["id", ProjectScope, None]]
    base_order = ("id", "desc")
    related_views = [LotView]
    formatters_columns = {"from_plan": _yes_no, "encrypted": _yes_no,
                          "remote_opening": _yes_no, "submitted_at": when,
                          "accepted_at": when, "created_on": when, "last_opinion": text,
                          "plan_no": text, "budget": yuan, "fund_source": text,
                          "contact": text, "phone": text}
    validators_columns = {"budget": [_amount("预算金额")]}
    add_form_query_rel_fields = {"region": [["code", ServedRegions, None]]}
    add_form_extra_fields = {
        "encrypted": BooleanField(LABELS["encrypted"], default=True),
        "remote_opening": BooleanField(LABELS["remote_opening"], default=False),
    }
    edit_form_extra_fields = add_form_extra_fields

    # A submitted or accepted project offered 编辑 and 删除, and 删除 asked
    # "删除后该记录不能恢复" before the server refused it (a browser walk).
    hide_refused_buttons = True

    def edit_refusal(self, item):
        return projects.edit_refusal(item)

    def delete_refusal(self, item):
        return projects.delete_refusal(item)

    def _chain_context(self, item) -> dict:
        return {**super()._chain_context(item),
                "info_changes": project_info.history(item.project_code),
                "may_correct": project_info.refusal(g.user, item) is None}

    @expose("/correct/<pk>", methods=["GET", "POST"])
    @has_access
    def correct(self, pk):
        """【更正立项信息】 after 受理通过: 中心业务科室 only, with a reason."""
        item = self._scoped(pk)
        if refusal := project_info.refusal(g.user, item):
            flash(refusal, "warning")
            return redirect(url_for(".show", pk=pk))
        form = InfoCorrectionForm(obj=item if request.method == "GET" else None)
        if request.method == "GET":
            form.version.data = item.version
        elif form.validate_on_submit():
            try:
                project_info.correct(item, {"encrypted": form.encrypted.data,
                                            "remote_opening": form.remote_opening.data},
                                     form.reason.data, g.user, seen_version=form.version.data)
                db.session.commit()
            except project_info.Refusal as refused:
                db.session.rollback()
                flash(str(refused), "danger")
            except (StaleDataError, IntegrityError):  # corrected by someone else meanwhile
                db.session.rollback()
                flash(gettext("“%(item)s”已被他人修改，请刷新页面后重新填写", item=item), "danger")
            else:
                flash(gettext("立项信息已更正，并已推送至政府采购系统") if item.from_plan
                      else gettext("立项信息已更正"), "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template("acceptance/correct.html", title=_("更正立项信息"),
                                    item=item, form=form,
                                    info_changes=project_info.history(item.project_code))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """The full form is the 是否选择计划 否 path; anything else starts at 【新增】."""
        if request.args.get("plan") != "no":
            return redirect(url_for(".new"))
        return super().add()

    def post_edit_redirect(self):
        # Back to the project, where the lots are added next.
        return redirect(url_for(".show", pk=request.view_args["pk"]))

    def pre_add(self, item):
        item.from_plan = False
        projects.prepare(item, g.user)
        if errors := projects.errors(item):
            raise ValueError("；".join(errors.values()))
        record(g.user, "新增受理", item)  # committed with the project

    def pre_update(self, item):
        if refusal := projects.edit_refusal(item):
            raise ValueError(refusal)
        record(g.user, "完善受理信息", item)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除受理", item)
        db.session.commit()

    @expose("/new")
    @has_access
    def new(self):
        """【是否选择计划】: 是 → 【选择计划】, 否 → the full form."""
        return self.render_template("acceptance/new.html", title=_("项目进场受理"))

    @expose("/plans")
    @has_access
    def choose_plan(self):
        """【选择计划】: plans pushed here, entrusted to this agency, not yet taken."""
        search = (request.args.get("q") or "").strip()
        org = g.user.organisation
        if org is None or org.org_type != "代理机构":
            flash(gettext("只有代理机构可以选择计划办理项目进场受理"), "warning")
            query = None
        else:
            query = projects.choosable_plans(org, search)
        # Counted to the cap, as the lists are: an agency's untaken plans
        # were 83,300 at a province's volume, an exact count 0.6–0.7 s.
        total = capped_count(query) if query is not None else 0
        page, pages = requested_page(total)
        rows = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all() if total else []
        return self.render_template("acceptance/choose_plan.html", title=_("选择计划"),
                                    rows=rows, total=total, search=search, page=page,
                                    pages=pages)

    @expose("/plans/<plan_no>", methods=["POST"])
    @has_access
    def take_plan(self, plan_no):
        replica = db.session.get(PlanReplica, plan_no)
        if refusal := projects.plan_refusal(replica, g.user.organisation):
            flash(refusal, "danger")
            return redirect(url_for(".choose_plan"))
        try:
            project = projects.from_plan(replica, g.user)
            db.session.add(project)
            record(g.user, "选择计划", project, plan_no)
            db.session.commit()
        except IntegrityError:
            # The UNIQUE plan_no when another submission took it first (then
            # plan_refusal names that project); otherwise a value of the plan
            # the project's columns refuse, as a replica stored before the
            # inbox checked its choices could hold.
            db.session.rollback()
            flash(projects.plan_refusal(db.session.get(PlanReplica, plan_no),
                                        g.user.organisation)
                  or "该计划的数据不符合受理要求（如采购方式、资金来源或所属区划不在本平台可选范围内），未受理。"
                     "请联系采购单位在政府采购系统中更正后重新推送", "danger")
            return redirect(url_for(".choose_plan"))
        flash(gettext("已选择计划“%(plan)s”，项目编号%(code)s。"
                      "请完善开标地点等受理信息，并增加标段(包)后提交",
                      plan=plan_no, code=project.project_code), "success")
        return redirect(url_for(".edit", pk=project.id))


class AcceptanceApi(ApprovalApi, ReadWriteApi):
    resource_name = "acceptance"
    datamodel = TypedInterface(TradingProject)
    chain = AcceptanceChain
    class_permission_name = "Acceptance"
    method_permission_name = {**API_VERBS, **APPROVAL_API_VERBS, "take_plan": "create"}
    base_filters = [["id", ProjectScope, None]]
    base_order = ("id", "desc")
    label_columns = LABELS
    list_columns = ["id", "project_code", "project_name", "plan_no", "budget", "state",
                    "stage", "version"]
    show_columns = ["id", "project_code", "from_plan", "plan_no", "project_name",
                    "unit_name", "region_code", "procurement_method", "category", "budget",
                    "fund_source", "agency.name", "open_place", "contact", "phone",
                    "encrypted", "remote_opening", "state", "stage", "submitted_at",
                    "accepted_at", "last_opinion", "version"]
    add_columns = ["project_name", "unit_name", "unit_credit_code", "region",
                   "procurement_method", "category", "budget", "fund_source",
                   "open_place", "contact", "phone", "encrypted", "remote_opening"]
    edit_columns = COMPLETE_FORM
    amount_columns = {"budget": "预算金额"}
    search_columns = ["project_code", "project_name", "plan_no", "state"]
    # _info's choices; a posted region is checked by projects.errors.
    add_query_rel_fields = {"region": [["code", ServedRegions, None]]}

    def pre_add(self, item):
        item.from_plan = False
        projects.prepare(item, g.user)
        if errors := projects.errors(item):
            raise Rejected(errors)
        record(g.user, "新增受理", item)  # as the form does, in the same commit

    def pre_update(self, item):
        if refusal := projects.edit_refusal(item):
            raise Rejected({"state": refusal})
        record(g.user, "完善受理信息", item)

    def pre_delete(self, item):
        if refusal := projects.delete_refusal(item):
            raise Rejected({"state": refusal})

    @api_expose("/from_plan", methods=["POST"])
    @protect()
    @safe
    def take_plan(self):
        """选择计划: body {"plan_no": "..."}; creates a draft from the plan."""
        body = request.get_json(silent=True)
        plan_no = body.get("plan_no") if isinstance(body, dict) else None
        if plan_no is None or (isinstance(plan_no, str) and not plan_no.strip()):
            return self.response_422(message={"plan_no": "请填写计划编号（plan_no）"})
        if not isinstance(plan_no, str):
            return self.response_422(message={"plan_no": "计划编号（plan_no）须为文本"})
        replica = db.session.get(PlanReplica, plan_no)
        if refusal := projects.plan_refusal(replica, g.user.organisation):
            return self.response_422(message={"plan_no": refusal})
        try:
            project = projects.from_plan(replica, g.user)
            db.session.add(project)
            db.session.commit()
        except IntegrityError:  # the UNIQUE plan_no: another request took it first
            db.session.rollback()
            return self.response_422(message={"plan_no": f"计划“{plan_no}”已被受理，同一计划不能重复受理"})
        return self.response(201, id=project.id, project_code=project.project_code)


class LotApi(ReadWriteApi):
    resource_name = "lot"
    datamodel = TypedInterface(Lot)
    class_permission_name = "Lot"
    base_filters = [["id", LotScope, None]]
    base_order = ("id", "asc")
    label_columns = LOT_LABELS
    list_columns = ["id", "project_id", "code", "seq", "name", "budget"]
    show_columns = ["id", "project_id", "code", "seq", "name", "budget", "content"]
    add_columns = ["project", "name", "budget", "content"]
    edit_columns = ["name", "budget", "content"]
    amount_columns = {"budget": "标段预算金额"}
    add_query_rel_fields = {"project": [["id", EditableProjects, None]]}

    def pre_add(self, item):
        self._check(item, "add")
        projects.place_lot(item)
        record(g.user, "增加标段", item)  # as the form does, in the same commit

    def pre_update(self, item):
        self._check(item, "edit")
        projects.lots_changed(item.project, g.user)  # committed with the edit

    def pre_delete(self, item):
        if refusal := projects.lot_refusal(item.project, "delete"):
            raise Rejected({"project": refusal})

    @staticmethod
    def _check(lot, action):
        # FAB does not apply add_query_rel_fields to a posted body: the
        # project's scope is checked here.
        project = lot.project
        if project is not None and not _in_scope(project):
            raise Rejected({"project": "所选项目不存在或不属于本代理机构"})
        if project is not None and (refusal := projects.lot_refusal(project, action, lot)):
            raise Rejected({"project": refusal})
        if errors := projects.lot_errors(lot):
            raise Rejected(errors)
