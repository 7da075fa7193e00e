"""【专家管理】→【专家库】 (with 【导入】 and 【导出】) and 【评审专业】, and the
read-only REST API of the library. Maintainers only: the regulators of the
expert's region or above, and Admin (security.MAINTAIN_EXPERTS)."""
import io

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import ngettext
from flask_babel import lazy_gettext as _
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, StopValidation, ValidationError

from ..common.typed_filters import TypedInterface
from ... import experts
from ...audit import record
from ...downloads import XLSX, send_download
from ...extensions import db
from ...models import EXPERT_STATES, Expert, ExpertRecusal, ExpertSpeciality
from ...rules.credit_code import credit_code_error
from ...rules.personal_ids import id_number_error, mobile_error, normalise_id_number
from ...scope import ExpertScope, RegionsInScope, current_user
from ..common.base import VIEW_VERBS, ReadWriteApi, ReadWriteModelView, text, when

MAX_EXPORT = 20000

LABELS = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "mobile": _("手机号码"),
    "work_unit": _("工作单位"),
    "work_unit_credit_code": _("统一社会信用代码"),
    "specialities": _("评审专业"),
    "region": _("所在地区"),
    "region_code": _("所在地区"),
    "state": _("状态"),
    "is_regulator": _("监管部门人员"),
    "title": _("职称"),
    "remark": _("备注"),
    "recusals": _("回避单位"),
    "recusal_units": _("回避单位"),
    "created_on": _("录入时间"),
    "changed_on": _("修改时间"),
}
FORM = ["name", "id_number", "mobile", "title", "work_unit", "work_unit_credit_code",
        "specialities", "region", "state", "is_regulator", "recusal_units", "remark"]


def _masked_id(value):
    # Rows are scoped to the maintainer's region already; anyone else who
    # ever reaches a page of the library gets the mask.
    return value if experts.may_maintain(current_user()) else experts.mask_id_number(value)


def _masked_mobile(value):
    return value if experts.may_maintain(current_user()) else experts.mask_mobile(value)


def _recusals(value):
    return "；".join(f"{r.unit_name}（{r.credit_code}）" if r.credit_code else r.unit_name
                    for r in value or [])


def _id_number_valid(form, field):
    field.data = normalise_id_number(field.data)
    if message := id_number_error(field.data):
        raise ValidationError(message)
    pk = (request.view_args or {}).get("pk")
    same = db.session.query(Expert.id).filter(Expert.id_number == field.data)
    if pk is not None:
        same = same.filter(Expert.id != int(pk))
    if same.first():
        # Stop: FAB's own Unique check, next in the chain, would add its
        # "已经存在" after this sentence.
        raise StopValidation("该身份证号的专家已在专家库中")


def _mobile_valid(form, field):
    field.data = (field.data or "").strip()
    if message := mobile_error(field.data):
        raise ValidationError(message)


def _optional_credit_code(form, field):
    field.data = (field.data or "").strip().upper() or None
    if field.data and (message := credit_code_error(field.data)):
        raise ValidationError(message)


def _recusals_valid(form, field):
    _, message = experts.parse_recusals(field.data)
    if message:
        raise ValidationError(message)


class ExpertView(ReadWriteModelView):
    datamodel = TypedInterface(Expert)
    class_permission_name = "Expert"
    method_permission_name = {**VIEW_VERBS, "import_file": "import", "template": "import",
                              "export": "read"}
    # An expert leaves the library by 注销: draws and committees refer to them.
    exclude_route_methods = {"delete", "download"}
    route_base = "/experts"
    list_template = "experts/list.html"
    list_title = _("专家库")
    # FAB's would be "增加专家库", "专家库详情": one adds and reads an expert.
    add_title = _("增加专家")
    edit_title = _("修改专家")
    show_title = _("专家详情")

    label_columns = LABELS
    list_columns = ["name", "id_number", "mobile", "work_unit", "specialities", "region",
                    "state", "is_regulator"]
    show_fieldsets = [
        (_("基本信息"), {"fields": ["name", "id_number", "mobile", "title", "region", "state",
                                  "is_regulator"]}),
        (_("工作单位"), {"fields": ["work_unit", "work_unit_credit_code"]}),
        (_("评审专业与回避"), {"fields": ["specialities", "recusals"]}),
        (_("其他"), {"fields": ["remark", "created_on", "changed_on"]}),
    ]
    add_columns = FORM
    edit_columns = FORM
    search_columns = ["name", "work_unit", "specialities", "state", "region", "is_regulator"]
    base_order = ("id", "asc")
    base_filters = [["id", ExpertScope, None]]
    formatters_columns = {"id_number": _masked_id, "mobile": _masked_mobile,
                          "specialities": lambda v: "、".join(str(s) for s in v or []),
                          "recusals": _recusals, "remark": text, "created_on": when,
                          "changed_on": when}
    description_columns = {
        "specialities": _("可选多个；抽取时按所选专业及其下级专业匹配"),
        "recusal_units": _("每行一个：单位名称:统一社会信用代码（信用代码可省略）"),
        "is_regulator": _("监管部门工作人员不参加评审（财库〔2016〕198号）"),
        "state": _("暂停、注销的专家不参加抽取"),
    }
    validators_columns = {
        "id_number": [_id_number_valid],
        "mobile": [_mobile_valid],
        "work_unit_credit_code": [_optional_credit_code],
        "specialities": [DataRequired(message="请选择评审专业")],
    }
    add_form_extra_fields = {
        "state": SelectField(LABELS["state"], choices=[(s, _(s)) for s in EXPERT_STATES],
                             default="正常"),
        "recusal_units": TextAreaField(LABELS["recusal_units"], validators=[_recusals_valid]),
        # Unticked is an answer (否), not a missing one.
        "is_regulator": BooleanField(LABELS["is_regulator"], default=False),
    }
    edit_form_extra_fields = add_form_extra_fields
    add_form_query_rel_fields = {"region": [["code", RegionsInScope, None]]}
    edit_form_query_rel_fields = add_form_query_rel_fields
    search_form_query_rel_fields = add_form_query_rel_fields

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            form.recusal_units.data = experts.recusal_text(item, "\n")

    def _set_recusals(self, item):
        units, _ = experts.parse_recusals(request.form.get("recusal_units", ""))
        item.recusals = [ExpertRecusal(unit_name=n, credit_code=c) for n, c in units]
        item.id_number = normalise_id_number(item.id_number)
        experts.stamp(item, g.user)

    # Audited in the same commit as the change (app/audit.py).
    def pre_add(self, item):
        self._set_recusals(item)
        record(g.user, "增加", item)

    def pre_update(self, item):
        self._set_recusals(item)
        record(g.user, "修改", item)

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def import_file(self):
        """【导入】: all rows or none, with each refused row's number and column."""
        errors, status = [], 200
        if request.method == "POST":
            upload = request.files.get("file")
            name = (upload.filename or "") if upload else ""
            if not name:
                errors = [experts.RowError(0, "文件", "请选择要导入的电子表格文件（.xlsx）")]
            elif not name.lower().endswith(".xlsx"):
                errors = [experts.RowError(0, "文件", f"“{name[:60]}”不是.xlsx文件：请使用"
                                                    "【下载导入模板】填写后再导入")]
            else:
                result = experts.import_experts(
                    upload.read(experts.MAX_FILE_BYTES + 1), g.user)
                errors = result.errors
                if result.ok:
                    for expert in result.created:
                        record(g.user, "导入", expert, detail=name[:100])
                    db.session.commit()
                    flash(ngettext("导入成功：共导入专家 %(num)d 人", "导入成功：共导入专家 %(num)d 人",
                                   len(result.created)), "success")
                    return redirect(url_for(".list"))
            db.session.rollback()
            flash(ngettext("未导入：文件中有 %(num)d 处错误，请修改后重新导入（整个文件均未导入）",
                           "未导入：文件中有 %(num)d 处错误，请修改后重新导入（整个文件均未导入）",
                           len(errors)), "danger")
            status = 422
        return self.render_template("experts/import.html", title=_("导入专家"),
                                    errors=errors, headers=experts.HEADERS,
                                    notes=experts.HEADER_NOTES), status

    @expose("/import/template")
    @has_access
    def template(self):
        return send_download(io.BytesIO(experts.template_workbook()), "专家导入模板.xlsx",
                             "expert-import-template.xlsx", mimetype=XLSX)

    @expose("/export")
    @has_access
    def export(self):
        """【导出】: the list as searched, as .xlsx."""
        items = self.searched("id", "asc", MAX_EXPORT)
        record(g.user, "导出", Expert(), detail=f"导出专家 {len(items)} 人")
        db.session.commit()
        return send_download(io.BytesIO(experts.export_workbook(items, g.user)), "专家库.xlsx",
                             "experts.xlsx", mimetype=XLSX)


class ExpertSpecialityView(ReadWriteModelView):
    """【评审专业】: the tree, read-only (seeded by experts.seed_specialities)."""

    datamodel = TypedInterface(ExpertSpeciality)
    class_permission_name = "ExpertSpeciality"
    include_route_methods = {"list", "show"}
    route_base = "/expert-specialities"
    list_title = _("评审专业")
    label_columns = {"code": _("专业编码"), "name": _("专业名称"), "parent": _("上级专业"),
                     "path": _("层级路径")}
    list_columns = ["code", "name", "parent", "path"]
    show_columns = list_columns
    search_columns = ["code", "name"]
    base_order = ("path", "asc")
    page_size = 50


API_COLUMNS = ["id", "name", "id_number", "mobile", "work_unit", "work_unit_credit_code",
               "region_code", "state", "is_regulator", "title"]


class ExpertApi(ReadWriteApi):
    """GET /api/v1/expert/: read-only, scoped like the list; 身份证号 and
    mobile masked for anyone who does not maintain the library."""

    resource_name = "expert"
    datamodel = TypedInterface(Expert)
    class_permission_name = "Expert"
    include_route_methods = {"get", "get_list", "info"}
    base_filters = [["id", ExpertScope, None]]
    list_columns = API_COLUMNS
    show_columns = API_COLUMNS + ["specialities.code", "specialities.name"]
    # Not the personal columns: a filter on them would reveal the masked digits.
    search_columns = ["name", "work_unit", "region_code", "state", "is_regulator"]
    order_columns = ["id", "name", "region_code", "state"]
    label_columns = LABELS

    @staticmethod
    def _mask(row):
        if experts.may_maintain(current_user()):
            return
        if "id_number" in row:
            row["id_number"] = experts.mask_id_number(row["id_number"])
        if "mobile" in row:
            row["mobile"] = experts.mask_mobile(row["mobile"])

    def pre_get(self, data):
        self._mask(data.get("result") or {})

    def pre_get_list(self, data):
        for row in data.get("result") or []:
            self._mask(row)
