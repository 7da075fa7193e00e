"""【监督管理】→【中标结果变更备案】: filing, 【提交】, the statement PDF, REST."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import or_
from flask_appbuilder.fieldwidgets import Select2ManyWidget, Select2Widget
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import DataRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from ..common.typed_filters import TypedInterface
from ... import attachments, winner_changes
from ...audit import record
from ...errors import too_large_message
from ...extensions import db
from ...models import WINNER_CHANGE_REASONS, Plan, WinnerChange
from ...rules.money import amount_error
from ...scope import (PlanScope, ScopeFilter, UnitsInScope, WinnerChangeScope, current_user,
                      plan_clause)
from ...workflows.winner_change import WinnerChangeChain
from ..common.approval import APPROVAL_API_VERBS, ApprovalApi, ApprovalViews
from ..common.base import (API_VERBS, PAGE_SIZE, ReadWriteApi, ReadWriteModelView, Rejected,
                           requested_page, text, when, yuan)
from ..common.counting import CappedCount, capped_count

LABELS = {
    "filing_no": _("备案编号"),
    "plan": _("项目信息"),
    "unit": _("采购单位"),
    "region": _("所属区划"),
    "lots": _("涉及标段"),
    "lot_codes": _("涉及标段"),
    "original_supplier": _("原中标供应商"),
    "original_amount": _("原中标金额（元）"),
    "new_supplier": _("变更后供应商"),
    "new_amount": _("变更后中标金额（元）"),
    "reason": _("变更原因"),
    "explanation": _("变更情况说明"),
    "statement": _("情况说明材料"),
    "statement_file": _("加盖单位公章的情况说明材料"),
    "state": _("状态"),
    "submitted_at": _("提交时间"),
    "completed_at": _("办结时间"),
    "last_opinion": _("退回意见"),
    "created_by": _("填报人"),
    "created_on": _("填报时间"),
}

# The project is chosen before the form opens (选择项目) and the original
# winners and amounts come from its published result: the user chooses the
# lots and types only what changes.
FORM_COLUMNS = ["lot_codes", "new_supplier", "new_amount", "reason", "explanation"]
API_FORM_COLUMNS = ["plan", "lots", "new_supplier", "new_amount", "reason", "explanation"]


def _amount(label):
    def check(form, field):
        if message := amount_error(field.data, label):
            raise ValidationError(message)
    return check


def _lots_in_result(form, field):
    awards = winner_changes.awards_in_force(_form_plan())
    if stray := [code for code in field.data or [] if code not in awards]:
        raise ValidationError(f"标段 {'、'.join(stray)} 不在本项目已发布的结果公告中，请重新选择涉及标段")


def _supplier_changes(form, field):
    awards = winner_changes.awards_in_force(_form_plan())
    originals = {awards[code].supplier for code in form.lot_codes.data or [] if code in awards}
    if (field.data or "").strip() in originals:
        raise ValidationError("变更后供应商不能与原中标供应商相同")


def _explained(form, field):
    if form.reason.data == "其他" and len((field.data or "").strip()) < 10:
        raise ValidationError("变更原因为“其他”时，请在变更情况说明中写明具体原因（不少于10个字）")


def _pdf(form, field):
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return  # optional on 保存; 提交 requires it
    name, data = attachments.read_upload(upload)
    upload.stream.seek(0)
    if message := attachments.pdf_error(name, data):
        raise ValidationError(message)


def _resulted_plans(search: str = ""):
    """选择项目: the user's filed plans whose 结果公告 is published, those
    whose 计划编号 or 项目名称 contains `search` if given."""
    query = db.session.query(Plan).filter(plan_clause(current_user()), Plan.state == "已备案",
                                          winner_changes.with_published_result())
    if search:
        query = query.filter(or_(Plan.plan_no.contains(search, autoescape=True),
                                 Plan.project_name.contains(search, autoescape=True)))
    return query.order_by(Plan.id.desc())


class ResultedPlans(ScopeFilter):
    """REST's plan dropdown: the same projects as 选择项目."""

    @staticmethod
    def clause(user):
        return plan_clause(user) & winner_changes.with_published_result()


def _form_plan():
    """The project the open form is about: the filing's (edit) or the one
    chosen at 选择项目 (add, ?plan=)."""
    pk = (request.view_args or {}).get("pk")
    if pk is not None:
        item = db.session.get(WinnerChange, int(pk)) if str(pk).isdigit() else None
        return item.plan if item is not None else None
    plan_id = request.args.get("plan", type=int)
    return _resulted_plans().filter(Plan.id == plan_id).one_or_none() if plan_id else None


def _with_result(widgets):
    plan = _form_plan()
    widgets["plan"], widgets["awards"] = plan, winner_changes.awards_in_force(plan)
    return widgets


def _lot_choices():
    """涉及标段: the lots of the project's published result, each with its
    original winner and amount."""
    return [(code, str(award))
            for code, award in winner_changes.awards_in_force(_form_plan()).items()]


class WinnerChangeView(ApprovalViews, ReadWriteModelView):
    datamodel = CappedCount(WinnerChange)
    chain = WinnerChangeChain
    class_permission_name = "WinnerChange"
    extra_args = {"history_entity": "WinnerChange"}  # 【历史】 on the detail page
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "submit": "submit", "review": "review", "statement": "read"}
    route_base = "/winner-changes"
    list_template = "winner_change/list.html"
    own_add_button = True  # its 【新增】/【增加】 above the list
    hide_refused_buttons = True
    add_template = "winner_change/add.html"
    edit_template = "winner_change/edit.html"
    show_template = "winner_change/show.html"
    review_template = "winner_change/review.html"

    list_title = _("中标结果变更备案")
    show_title = _("中标结果变更备案详情")
    add_title = _("中标结果变更备案填报")
    edit_title = _("修改中标结果变更备案")

    label_columns = LABELS
    list_columns = ["filing_no", "plan", "unit", "original_supplier", "new_supplier",
                    "reason", "state", "submitted_at"]
    add_columns = FORM_COLUMNS + ["statement_file"]
    edit_columns = add_columns
    show_fieldsets = [
        (_("项目信息"), {"fields": ["filing_no", "plan", "unit", "region", "lots"]}),
        (_("变更内容"), {"fields": ["original_supplier", "original_amount", "new_supplier",
                                  "new_amount", "reason", "explanation"]}),
        (_("办理情况"), {"fields": ["state", "submitted_at", "completed_at", "last_opinion",
                                  "created_by", "created_on"]}),
    ]
    search_columns = ["filing_no", "plan", "unit", "original_supplier", "new_supplier",
                      "reason", "state"]
    base_order = ("id", "desc")
    base_filters = [["id", WinnerChangeScope, None]]
    formatters_columns = {"submitted_at": when, "completed_at": when, "created_on": when,
                          "last_opinion": text, "lots": text, "original_amount": yuan,
                          "new_amount": yuan}
    description_columns = {
        "lot_codes": _("只能选择本项目已发布结果公告中的标段；原中标供应商和原中标金额取自结果公告"),
        "new_amount": _("涉及多个标段时填写变更后的合计金额"),
        "explanation": _("说明变更的事实和依据，原因为“其他”时必须写明"),
    }
    validators_columns = {
        "original_amount": [_amount("原中标金额")],
        "new_amount": [_amount("变更后中标金额")],
        "new_supplier": [_supplier_changes],
        "explanation": [_explained],
    }
    # Project and reason start empty, so nobody files against the first
    # option by accident.
    add_form_extra_fields = {
        # Choices are checked by winner_changes.errors(), in Chinese.
        "lot_codes": SelectMultipleField(
            LABELS["lot_codes"], choices=_lot_choices, validate_choice=False,
            widget=Select2ManyWidget(),
            validators=[DataRequired(message="请选择涉及标段"), _lots_in_result]),
        "reason": SelectField(
            LABELS["reason"], choices=[("", "请选择变更原因")] + [
                (r, r) for r in WINNER_CHANGE_REASONS],
            validators=[DataRequired(message="请选择变更原因")], widget=Select2Widget()),
        "statement_file": FileField(
            LABELS["statement_file"], validators=[_pdf],
            description=_("仅限PDF格式，不超过10MB；保存时可暂不上传，提交前必须上传")),
    }
    edit_form_extra_fields = add_form_extra_fields
    search_form_query_rel_fields = {"unit": [["id", UnitsInScope, None]],
                                    "plan": [["id", PlanScope, None]]}
    searched_relations = {"unit": ("name",), "plan": ("plan_no", "project_name")}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """【增加】: 选择项目 first (projects with a published 结果公告), then the form."""
        if "plan" not in request.args:
            # Searched and paged: a unit's resulted projects were the whole
            # page at a province's volume (16 s, 66 MB; 38 s for Admin).
            search = (request.args.get("q") or "").strip()[:100]
            query = _resulted_plans(search)
            total = capped_count(query)
            page, pages = requested_page(total)
            plans = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
            return self.render_template("winner_change/choose_project.html",
                                        title=_("选择项目"), plans=plans, total=total,
                                        page=page, pages=pages, search=search)
        plan = _form_plan()
        if plan is None:
            flash(gettext("所选项目不存在、不属于本单位或尚未发布结果公告，请重新选择项目"), "danger")
            return redirect(url_for(".add"))
        return super().add()

    # The form pages show the project and its published result above the form.
    def _get_add_widget(self, *args, **kwargs):
        return _with_result(super()._get_add_widget(*args, **kwargs))

    def _get_edit_widget(self, *args, **kwargs):
        return _with_result(super()._get_edit_widget(*args, **kwargs))

    def post_add_redirect(self):
        # Not back to 选择项目 (the page before the form): to the list.
        return redirect(url_for(".list"))

    def pre_add(self, item):
        item.plan = _form_plan()
        winner_changes.prepare(item, g.user)
        self._check_and_attach(item)
        record(g.user, "增加", item)  # committed with the filing

    def pre_update(self, item):
        if refusal := winner_changes.edit_refusal(item):
            raise ValueError(refusal)
        self._check_and_attach(item)
        record(g.user, "修改", item)  # committed with the change

    def delete_refusal(self, item):
        return winner_changes.delete_refusal(item)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除", item)
        db.session.commit()

    @staticmethod
    def _check_and_attach(item):
        # FAB copies every form field onto the item; the file is not a column.
        upload = item.__dict__.pop("statement_file", None)
        winner_changes.fill_from_result(item)
        if errors := winner_changes.errors(item):
            raise ValueError("；".join(errors.values()))
        name, data = attachments.read_upload(upload)
        if name and (error := winner_changes.attach_statement(item, name, data, g.user)):
            raise ValueError(error)

    def edit_refusal(self, item):
        return winner_changes.edit_refusal(item)

    @expose("/statement/<pk>")
    @has_access
    def statement(self, pk):
        """The stamped statement, for whoever may see the filing."""
        item = self._scoped(pk)
        if item.statement is None:
            abort(404)
        return attachments.send(item.statement)


class WinnerChangeApi(ApprovalApi, ReadWriteApi):
    resource_name = "winner_change"
    datamodel = TypedInterface(WinnerChange)
    chain = WinnerChangeChain
    class_permission_name = "WinnerChange"
    method_permission_name = {**API_VERBS, **APPROVAL_API_VERBS, "statement": "read",
                              "upload_statement": "edit"}
    base_filters = [["id", WinnerChangeScope, None]]
    base_order = ("id", "desc")
    label_columns = LABELS
    list_columns = ["id", "filing_no", "plan_id", "unit.name", "original_supplier",
                    "new_supplier", "reason", "state", "submitted_at", "version"]
    show_columns = ["id", "filing_no", "plan_id", "unit.name", "region_code", "lots",
                    "original_supplier", "original_amount", "new_supplier", "new_amount",
                    "reason", "explanation", "state", "submitted_at", "completed_at",
                    "last_opinion", "version", "statement.original_name"]
    add_columns = API_FORM_COLUMNS
    edit_columns = API_FORM_COLUMNS
    amount_columns = {"new_amount": "变更后中标金额"}
    search_columns = ["filing_no", "state", "reason"]
    add_query_rel_fields = {"plan": [["state", FilterEqual, "已备案"],
                                     ["id", ResultedPlans, None]]}
    edit_query_rel_fields = add_query_rel_fields

    # Audited as the form's are, in the same commit.
    def pre_add(self, item):
        winner_changes.prepare(item, g.user)
        self._check(item)
        record(g.user, "增加", item)

    def pre_update(self, item):
        if refusal := winner_changes.edit_refusal(item):
            raise Rejected({"state": refusal})
        self._check(item)
        record(g.user, "修改", item)

    def pre_delete(self, item):
        if refusal := winner_changes.delete_refusal(item):
            raise Rejected({"state": refusal})

    @staticmethod
    def _check(item):
        winner_changes.fill_from_result(item)
        if errors := winner_changes.errors(item):
            raise Rejected(errors)

    @api_expose("/<int:pk>/statement", methods=["POST"])
    @protect()
    @safe
    def upload_statement(self, pk):
        """Upload the stamped statement (multipart field "file", PDF)."""
        item = self._scoped(pk)
        if item is None:
            return self.response_404()
        try:
            upload = request.files.get("file")
        except RequestEntityTooLarge:  # FAB's @safe would answer 500
            return self.response(413, message=too_large_message())
        name, data = attachments.read_upload(upload)
        if error := winner_changes.attach_statement(item, name, data, g.user):
            db.session.rollback()
            return self.response_422(message={"file": error})
        db.session.commit()
        return self.response(200, message="情况说明材料已上传",
                             statement=item.statement.original_name)

    @api_expose("/<int:pk>/statement", methods=["GET"])
    @protect()
    @safe
    def statement(self, pk):
        item = self._scoped(pk)
        if item is None or item.statement is None:
            return self.response_404()
        return attachments.send(item.statement)
