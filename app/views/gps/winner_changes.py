"""【监督管理】→【中标结果变更备案】: filing, 【提交】, the statement PDF, REST."""
from flask import abort, g, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import DataRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from ... import attachments, winner_changes
from ...audit import record
from ...errors import too_large_message
from ...extensions import db
from ...models import WINNER_CHANGE_REASONS, Plan, WinnerChange
from ...rules.money import amount_error
from ...scope import PlanScope, UnitsInScope, WinnerChangeScope, current_user, plan_clause
from ...workflows.winner_change import WinnerChangeChain
from ..common.approval import APPROVAL_API_VERBS, ApprovalApi, ApprovalViews
from ..common.base import (API_VERBS, ReadWriteApi, ReadWriteModelView, Rejected, text, when,
                           yuan)

LABELS = {
    "filing_no": _("备案编号"),
    "plan": _("项目信息"),
    "unit": _("采购单位"),
    "region": _("所属区划"),
    "lots": _("涉及标段"),
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

FORM_COLUMNS = ["plan", "lots", "original_supplier", "original_amount", "new_supplier",
                "new_amount", "reason", "explanation"]


def _amount(label):
    def check(form, field):
        if message := amount_error(field.data, label):
            raise ValidationError(message)
    return check


def _supplier_changes(form, field):
    if (field.data or "").strip() == (form.original_supplier.data or "").strip():
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


def _filed_plans():
    """The unit's filed plans (选择项目信息), for the form's dropdown."""
    return (db.session.query(Plan).filter(plan_clause(current_user()), Plan.state == "已备案")
            .order_by(Plan.id.desc()))


class WinnerChangeView(ApprovalViews, ReadWriteModelView):
    datamodel = SQLAInterface(WinnerChange)
    chain = WinnerChangeChain
    class_permission_name = "WinnerChange"
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "submit": "submit", "review": "review", "statement": "read"}
    route_base = "/winner-changes"
    list_template = "winner_change/list.html"
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
        "lots": _("如：第1标段、第2标段；不分标段的项目可不填"),
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
        "plan": QuerySelectField(
            LABELS["plan"], query_func=_filed_plans, get_pk_func=lambda plan: plan.id,
            allow_blank=True, blank_text="请选择项目", widget=Select2Widget(),
            validators=[DataRequired(message="请选择项目信息")],
            description=_("选择本单位已备案的项目")),
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

    def pre_add(self, item):
        winner_changes.prepare(item, g.user)
        self._check_and_attach(item)

    def post_add(self, item):
        record(g.user, "增加", item)
        db.session.commit()

    def pre_update(self, item):
        if refusal := winner_changes.edit_refusal(item):
            raise ValueError(refusal)
        self._check_and_attach(item)

    def post_update(self, item):
        record(g.user, "修改", item)
        db.session.commit()

    def pre_delete(self, item):
        if refusal := winner_changes.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除", item)
        db.session.commit()

    @staticmethod
    def _check_and_attach(item):
        # FAB copies every form field onto the item; the file is not a column.
        upload = item.__dict__.pop("statement_file", None)
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
    datamodel = SQLAInterface(WinnerChange)
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
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    amount_columns = {"original_amount": "原中标金额", "new_amount": "变更后中标金额"}
    search_columns = ["filing_no", "state", "reason"]
    add_query_rel_fields = {"plan": [["state", FilterEqual, "已备案"], ["id", PlanScope, None]]}
    edit_query_rel_fields = add_query_rel_fields

    def pre_add(self, item):
        winner_changes.prepare(item, g.user)
        self._check(item)

    def pre_update(self, item):
        if refusal := winner_changes.edit_refusal(item):
            raise Rejected({"state": refusal})
        self._check(item)

    def pre_delete(self, item):
        if refusal := winner_changes.delete_refusal(item):
            raise Rejected({"state": refusal})

    @staticmethod
    def _check(item):
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
