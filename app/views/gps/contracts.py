"""【合同管理】→【合同公告及备案】 (GPS manual §4) and the regulators'
【合同备案查询】: the list, 【新增】 → 选择项目 → the form (关联标段 with 本合同
金额, 补充合同, 合同原件 and 公开版 PDFs, the statutory clocks), 【保存】, the
list's 【提交】, the show page with its approval records, the review, the
signed original for those who may have it, and read-only REST.

The form is hand-made: 关联标段 are rows with an amount each. It needs no
script; the clocks are judged again each time it is shown.
"""
import datetime as dt
import io
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from ..common.typed_filters import TypedInterface
from ... import attachments, contracts, holidays
from ...audit import record
from ...downloads import XLSX, send_download
from ...errors import too_large_message
from ...extensions import db
from ...models import Contract
from ...public.sanitise import clean_html, html_as_text
from ...rules import contracts as rules
from ...scope import ContractScope, api_user, current_user, is_admin
from ...workflows.contract import ContractChain
from ..common.approval import ApprovalViews
from ..common.base import (API_VERBS, PAGE_SIZE, ReadWriteApi, ReadWriteModelView,
                           requested_page, text, when, yuan)
from ..common.counting import CappedCount, capped_count

MAX_EXPORT = 20000


def paragraphs(value):
    """其他补充事宜 as its notice shows it: stored HTML, cleaned again."""
    return Markup(clean_html(value)) if value else text(value)


LABELS = {
    "filing_no": _("备案编号"),
    "project_code": _("项目编号"),
    "project": _("项目名称"),
    "project.project_name": _("项目名称"),
    "unit": _("采购单位"),
    "region": _("所属区划"),
    "original": _("原合同"),
    "contract_no": _("合同编号"),
    "contract_name": _("合同名称"),
    "purchaser_name": _("采购人（甲方）"),
    "purchaser_address": _("采购人地址"),
    "purchaser_phone": _("采购人联系方式"),
    "supplier_name": _("供应商（乙方）"),
    "supplier_address": _("供应商地址"),
    "supplier_phone": _("供应商联系方式"),
    "supplier_credit_code": _("供应商统一社会信用代码"),
    "main_items": _("主要标的名称"),
    "spec": _("规格型号或服务要求"),
    "quantity": _("数量"),
    "unit_price": _("单价（元）"),
    "amount": _("合同金额（元）"),
    "amount_note": _("金额差异说明"),
    "performance_period": _("履约期限"),
    "performance_place": _("履约地点"),
    "procurement_method": _("采购方式"),
    "award_notice_on": _("中标（成交）通知书日期"),
    "signed_on": _("合同签订日期"),
    "announce_on": _("公告日期"),
    "announced_on": _("公告日期"),
    "other_html": _("其他补充事宜"),
    "late_reason": _("逾期原因"),
    "state": _("状态"),
    "submitted_at": _("提交时间"),
    "filed_at": _("备案时间"),
    "last_opinion": _("退回意见"),
    "notice": _("合同公告"),
    "created_by": _("填报人"),
    "created_on": _("填报时间"),
}
FIELDS = tuple(contracts.TEXT_FIELDS) + tuple(contracts.DATE_FIELDS) + ("amount", "unit_price")
# Only the unit and the regulators have a part in a contract: everyone else
# is told it does not exist, whatever they ask for.
PARTIES = ("采购单位", "监管部门")


def _refuse_outsiders():
    # A key no integer column holds ("abc", twenty digits) is no contract; on
    # PostgreSQL the lookup itself would fail with a 500.
    pk = (request.view_args or {}).get("pk")
    if pk is not None and not re.fullmatch(r"[0-9]{1,9}", str(pk)):
        abort(404)
    user = api_user() if request.path.startswith("/api/") else current_user()
    if user is None or is_admin(user):
        return None  # anonymous: FAB sends them to log in
    org = user.organisation
    if org is None or org.org_type not in PARTIES:
        abort(404)
    return None


class OutsidersNotFound:
    """Mixin: 404 on every URL of the view for a 代理机构 or 交易中心, and for
    a key that cannot be a contract's."""

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(_refuse_outsiders)
        return blueprint


def _typed() -> dict:
    form = request.form
    data = {name: form.get(name, "") for name in FIELDS}
    data["original_id"] = form.get("original_id", "")
    data["parts"] = {code: form.get(f"part-{code}", "") for code in form.getlist("lots")[:200]}
    return data


def _of_item(item: Contract) -> dict:
    data = {}
    for name in FIELDS:
        value = getattr(item, name)
        if name == "other_html":
            value = html_as_text(value)  # the textarea edits text (contracts.save)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif name in ("amount", "unit_price") and value is not None:
            value = f"{value:.2f}"
        data[name] = "" if value is None else value
    data["original_id"] = str(item.original_id or "")
    data["parts"] = {lot.lot_code: f"{lot.amount:.2f}" for lot in item.lots}
    return data


def _uploads() -> dict:
    found = {}
    for role in ("signed", "redacted"):
        upload = request.files.get(f"{role}_file")
        if upload is not None and upload.filename:
            found[role] = attachments.read_upload(upload)
    return found


def _clocks(data: dict, project, item, today) -> list:
    """The clocks for the dates on the form, as they stand if filed today."""
    def day(name):
        try:
            return dt.date.fromisoformat(str(data.get(name) or ""))
        except ValueError:
            return None

    signed = day("signed_on")
    if signed is None or signed > today:
        return []
    supplement = bool(data.get("original_id"))
    award = day("award_notice_on")
    if award is None and not supplement:
        result = item.result_notice if item is not None else contracts.latest_result(
            project.project_code)
        award = result.published_at.date() if result is not None else None
    announce = max(filter(None, (day("announce_on"), today)))
    return rules.clock_checks(holidays.current(), None if supplement else award, signed,
                              announce, today)


class ContractView(OutsidersNotFound, ApprovalViews, ReadWriteModelView):
    datamodel = CappedCount(Contract)
    chain = ContractChain
    class_permission_name = "Contract"
    extra_args = {"history_entity": "Contract"}  # 【历史】 on the detail page
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "choose_project": "create", "submit": "submit",
                              "review": "review", "signed": "read", "redacted": "read"}
    route_base = "/contracts"
    list_template = "contract/list.html"
    own_add_button = True  # its 【新增】/【增加】 above the list
    hide_refused_buttons = True
    show_template = "contract/show.html"
    review_template = "contract/review.html"

    list_title = _("合同公告及备案")
    show_title = _("合同公告及备案详情")
    add_title = _("新增合同公告及备案")
    edit_title = _("修改合同公告及备案")

    label_columns = LABELS
    list_columns = ["filing_no", "contract_no", "contract_name", "project_code",
                    "supplier_name", "amount", "signed_on", "state", "submitted_at", "filed_at"]
    show_fieldsets = [
        (_("项目信息"), {"fields": ["filing_no", "project_code", "project.project_name",
                                  "procurement_method",
                                  "unit", "region", "original"]}),
        (_("合同信息"), {"fields": ["contract_no", "contract_name", "purchaser_name",
                                  "purchaser_address", "purchaser_phone", "supplier_name",
                                  "supplier_address", "supplier_phone", "supplier_credit_code",
                                  "main_items", "spec", "quantity", "unit_price", "amount",
                                  "amount_note", "performance_period", "performance_place",
                                  "award_notice_on", "signed_on", "announced_on", "other_html",
                                  "late_reason"]}),
        (_("办理情况"), {"fields": ["state", "submitted_at", "filed_at", "notice",
                                  "last_opinion", "created_by", "created_on"]}),
    ]
    # Plain columns only: FAB's search form would load whole related tables.
    search_columns = ["filing_no", "contract_no", "contract_name", "project_code",
                      "supplier_name", "signed_on", "state"]
    base_order = ("id", "desc")
    base_filters = [["id", ContractScope, None]]
    formatters_columns = {"submitted_at": when, "filed_at": when, "created_on": when,
                          "last_opinion": text, "amount": yuan, "unit_price": yuan,
                          "other_html": paragraphs}

    def edit_refusal(self, item):
        return contracts.edit_refusal(item)

    # --- 选择项目 -------------------------------------------------------------

    @expose("/choose-project", methods=["GET"])
    @has_access
    def choose_project(self):
        """The unit's projects with a published 结果公告; 【确定】 opens the form."""
        search = (request.args.get("q") or "").strip()[:100]
        query = contracts.projects_for(g.user, search)
        total = capped_count(query)  # a unit's or a city's, at a province's volume
        page, pages = requested_page(total)
        rows = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
        return self.render_template("contract/choose_project.html", title=_("选择项目"),
                                    rows=rows, total=total, page=page, pages=pages,
                                    search=search, back=url_for(".list"))

    # --- the form -------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        org = g.user.organisation
        if org is None or org.org_type != "采购单位":
            flash(gettext("只有采购单位的经办岗可以填报合同公告及备案"), "warning")
            return redirect(url_for(".list"))
        code = request.args.get("project")
        if not code:
            return redirect(url_for(".choose_project"))
        project = contracts.project_for(g.user, code)
        if project is None:
            flash(gettext("所选项目不存在、不属于本单位或尚未发布结果公告，请重新选择项目"), "danger")
            return redirect(url_for(".choose_project"))
        return self._form(None, project)

    def edit_page(self, pk, item):
        return self._form(item, item.project)

    def _form(self, item, project):
        today = dt.date.today()
        lots = contracts.relatable_lots(project.project_code, item)
        errors = {}
        if request.method == "POST":
            data = _typed()
            try:
                uploads = _uploads()
            except RequestEntityTooLarge:
                uploads, errors = {}, {"signed_file": too_large_message()}
            seen = request.form.get("version")
            # A missing version is refused too: it would overwrite unseen changes.
            if not errors and item is not None and seen != str(item.version):
                errors = {"version": f"“{item}”已被他人修改，请刷新页面后重新填写"}
            if not errors:
                try:
                    saved = contracts.save(item or Contract(), {**data,
                                           "project_code": project.project_code},
                                           data["parts"], g.user, today, uploads)
                except contracts.Invalid as invalid:
                    db.session.rollback()
                    errors = invalid.errors
                else:
                    db.session.commit()
                    flash(gettext("“%(item)s”已保存；确认无误后请在列表中勾选并点击“提交”", item=saved),
                          "success")
                    return redirect(url_for(".show", pk=saved.id))
            db.session.rollback()
            # A browser never refills a file input: say so, or the corrected
            # form was saved without the files chosen the first time.
            files = {"signed": gettext("合同原件"), "redacted": gettext("合同文本（公开版）")}
            for role in uploads:
                errors.setdefault(f"{role}_file", gettext(
                    "表单有误，所选的%(file)s未保存：改正后请重新选择", file=files[role]))
        elif item is not None:
            data = _of_item(item)
        else:
            data = {name: "" for name in FIELDS}
            data.update(contracts.prefill(project.plan, project, lots))
            data["parts"] = {lot["code"]: f"{lot['remaining']:.2f}" for lot in lots}
            data["amount"] = f"{sum(lot['remaining'] for lot in lots):.2f}" if lots else ""
            data["original_id"] = ""
        return self.render_template(
            "contract/form.html", title=self.edit_title if item else self.add_title,
            item=item, project=project, data=data, errors=errors, lots=lots,
            originals=contracts.originals(project.project_code),
            clocks=_clocks(data, project, item, today), today=today,
            action=(url_for(".edit", pk=item.id) if item
                    else url_for(".add", project=project.project_code)))

    def delete_refusal(self, item):
        return contracts.delete_refusal(item)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除", item)
        db.session.commit()

    def _chain_context(self, item) -> dict:
        context = super()._chain_context(item)
        today = dt.date.today()
        context.update(
            clocks=contracts.clocks(item, today) if item.state != "已备案" else [],
            problems=(contracts.problems(item, today)
                      if item.state in ("草稿", "已退回", "待单位审核") else []),
            may_see_signed=contracts.may_see_signed(item, g.user))
        return context

    # --- the PDFs ---------------------------------------------------------------

    @expose("/<int:pk>/signed.pdf")
    @has_access
    def signed(self, pk):
        """合同原件: the unit and its region's regulators only."""
        item = self._scoped(pk)
        if item.signed_pdf is None or not contracts.may_see_signed(item, g.user):
            abort(404)
        return attachments.send(item.signed_pdf)

    @expose("/<int:pk>/redacted.pdf")
    @has_access
    def redacted(self, pk):
        item = self._scoped(pk)
        if item.redacted_pdf is None:
            abort(404)
        return attachments.send(item.redacted_pdf)


class ContractQueryView(OutsidersNotFound, ReadWriteModelView):
    """【合同备案查询】: the region's filed contracts, with late reasons, read-only."""

    datamodel = CappedCount(Contract)
    class_permission_name = "ContractQuery"
    route_base = "/contract-filings"
    include_route_methods = {"list", "show", "export"}
    method_permission_name = {**ReadWriteModelView.method_permission_name, "export": "read"}
    list_template = "contract/query_list.html"
    show_template = "contract/query_show.html"
    list_title = _("合同备案查询")
    show_title = _("合同备案详情")
    label_columns = LABELS
    list_columns = ["filing_no", "unit", "contract_name", "project_code", "supplier_name",
                    "amount", "signed_on", "filed_at", "late_reason"]
    show_fieldsets = ContractView.show_fieldsets
    search_columns = ["filing_no", "contract_no", "contract_name", "project_code",
                      "supplier_name", "signed_on", "filed_at"]
    base_order = ("filed_at", "desc")
    base_filters = [["id", ContractScope, None], ["state", FilterEqual, "已备案"]]
    formatters_columns = {"filed_at": when, "submitted_at": when, "created_on": when,
                          "amount": yuan, "unit_price": yuan, "other_html": paragraphs,
                          "late_reason": text, "last_opinion": text}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self._scoped(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk, item),
            related_views=self._related_views, item=item, clocks=[], problems=[],
            may_see_signed=contracts.may_see_signed(item, g.user))

    @expose("/export")
    @has_access
    def export(self):
        """【导出】: the filed contracts as searched, as .xlsx."""
        items = self.searched("filed_at", "desc", MAX_EXPORT)
        record(g.user, "导出", Contract(), detail=f"导出合同备案 {len(items)} 份")
        db.session.commit()
        return send_download(io.BytesIO(contracts.export_workbook(items)), "合同备案.xlsx",
                             "contract-filings.xlsx", mimetype=XLSX)


class ContractApi(OutsidersNotFound, ReadWriteApi):
    """Read-only: a contract is filed through its form (关联标段 rows and
    PDFs) and reviewed in 【待办任务】."""

    resource_name = "contract"
    datamodel = TypedInterface(Contract)
    class_permission_name = "Contract"
    method_permission_name = API_VERBS
    include_route_methods = {"get", "get_list", "info"}
    base_filters = [["id", ContractScope, None]]
    base_order = ("id", "desc")
    label_columns = LABELS
    list_columns = ["id", "filing_no", "project_code", "contract_no", "contract_name",
                    "supplier_name", "amount", "signed_on", "state", "submitted_at",
                    "filed_at", "version"]
    show_columns = list_columns + [
        "unit_id", "region_code", "original_id", "purchaser_name", "supplier_credit_code",
        "main_items", "procurement_method", "award_notice_on", "announce_on", "late_reason",
        "amount_note", "last_opinion", "notice.notice_key",
        "lots.lot_code", "lots.lot_name", "lots.supplier_name", "lots.award_amount",
        "lots.amount"]
    search_columns = ["filing_no", "contract_no", "contract_name", "state"]
