"""【信息发布】→【采购公告发布】 on GPS: the user's filed, interconnected plans,
each with 【项目向导】; the wizard's 【起草公告】 (step one: the lots; step two:
the notice), 保存草稿, 预览, 【发布】, and the OCDS export. The rules are
app/notices.py's; this module turns forms into calls and answers into pages.
"""
import datetime as dt
import json

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (BooleanField, DecimalField, Form, SelectMultipleField, StringField,
                     TextAreaField, widgets)
from wtforms.validators import Length, Optional, ValidationError

from ..common.typed_filters import TypedInterface
from ... import committee, notices
from ...extensions import db
from ...models import CHANGE_ITEMS, Notice, Plan
from ...rules.money import amount_error
from ...scope import NoticeScope, PlanScope, current_user, notice_clause
from ..common.base import API_VERBS, VIEW_VERBS, ReadWriteApi, ReadWriteModelView, when, yuan
from ..common.counting import CappedCount
from ..common.widgets import DateTimeMinuteField, DayField
LOT_COLUMNS = ("max_price", "requirement_html", "supplier_name", "supplier_address",
               "award_amount", "main_items")
# What step two shows for each type, in the order of the national format.
FORM_FIELDS = {
    "采购公告": ("title", "performance_period", "joint_bid", "qualification_html", "doc_start",
             "doc_end", "doc_place", "doc_method", "doc_price", "bid_deadline", "open_time",
             "open_place"),
    "变更公告": ("title", "change_items", "change_html", "doc_end", "bid_deadline", "open_time",
             "open_place"),
    "结果公告": ("title", "confirmed_on", "experts", "agency_fee", "late_reason"),
    "结果更正公告": ("title", "change_html", "confirmed_on", "experts", "agency_fee"),
    "终止公告": ("title", "reason"),
}
CONTACT_FIELDS = notices.CONTACTS + notices.AGENCY_CONTACTS + ("other_html",)
LOT_FIELDS = {"采购公告": ("max_price", "requirement_html"), "结果公告": notices.AWARD,
              "结果更正公告": notices.AWARD}


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _when(label):
    return DateTimeMinuteField(label, validators=[Optional()])



def _fee(form, field):
    """Infinity was saved (and the draft could not be opened again), NaN
    saved as nothing: the same rule as 检查 (notices.check)."""
    if message := amount_error(field.data, notices.LABELS["doc_price"], allow_zero=True):
        raise ValidationError(message)

class NoticeForm(Form):
    """Step two. Only type conversion here: what is missing or unlawful is
    app/notices.py's report at 【发布】, so a draft may be saved half done."""

    title = StringField(notices.LABELS["title"], validators=[Optional(), Length(max=255)])
    performance_period = StringField(notices.LABELS["performance_period"],
                                     validators=[Optional(), Length(max=128)])
    joint_bid = BooleanField(notices.LABELS["joint_bid"])
    qualification_html = TextAreaField(notices.LABELS["qualification_html"])
    doc_start = _when(notices.LABELS["doc_start"])
    doc_end = _when(notices.LABELS["doc_end"])
    doc_place = StringField(notices.LABELS["doc_place"], validators=[Optional(), Length(max=200)])
    doc_method = StringField(notices.LABELS["doc_method"],
                             validators=[Optional(), Length(max=200)])
    doc_price = DecimalField(notices.LABELS["doc_price"], places=2,
                             validators=[Optional(), _fee])
    bid_deadline = _when(notices.LABELS["bid_deadline"])
    open_time = _when(notices.LABELS["open_time"])
    open_place = StringField(notices.LABELS["open_place"],
                             validators=[Optional(), Length(max=200)])
    change_items = CheckboxesField(notices.LABELS["change_items"],
                                   choices=[(c, c) for c in CHANGE_ITEMS])
    change_html = TextAreaField(notices.LABELS["change_html"])
    confirmed_on = DayField(notices.LABELS["confirmed_on"], validators=[Optional()])
    experts = TextAreaField(notices.LABELS["experts"])
    agency_fee = StringField(notices.LABELS["agency_fee"], validators=[Optional(), Length(max=200)])
    late_reason = TextAreaField(notices.LABELS["late_reason"],
                                validators=[Optional(), Length(max=500)])
    reason = TextAreaField(notices.LABELS["reason"])
    other_html = TextAreaField(notices.LABELS["other_html"])
    purchaser_name = StringField(notices.LABELS["purchaser_name"],
                                 validators=[Optional(), Length(max=128)])
    purchaser_address = StringField(notices.LABELS["purchaser_address"],
                                    validators=[Optional(), Length(max=200)])
    purchaser_phone = StringField(notices.LABELS["purchaser_phone"],
                                  validators=[Optional(), Length(max=64)])
    agency_name = StringField(notices.LABELS["agency_name"], validators=[Optional(), Length(max=128)])
    agency_address = StringField(notices.LABELS["agency_address"],
                                 validators=[Optional(), Length(max=200)])
    agency_phone = StringField(notices.LABELS["agency_phone"], validators=[Optional(), Length(max=64)])
    project_contact = StringField(notices.LABELS["project_contact"],
                                  validators=[Optional(), Length(max=64)])
    project_phone = StringField(notices.LABELS["project_phone"],
                                validators=[Optional(), Length(max=64)])


def _wizard_button(plan_id):
    return Markup('<a class="btn btn-sm btn-primary btn-wizard" href="{}">{}</a>').format(
        url_for("NoticePublishView.wizard", plan_id=plan_id), _("项目向导"))


class NoticePublishView(ReadWriteModelView):
    datamodel = CappedCount(Plan)
    class_permission_name = "NoticePublish"
    route_base = "/notice-publish"
    base_permissions = ["can_read", "can_publish"]
    method_permission_name = {**VIEW_VERBS, "wizard": "read", "notice": "read",
                              "preview": "read", "ocds": "read", "draft": "publish",
                              "edit_notice": "publish", "delete_notice": "publish"}
    list_title = _("采购公告发布")
    label_columns = {"plan_no": _("计划编号"), "project_name": _("项目名称"),
                     "unit": _("采购单位"), "procurement_method": _("采购方式"),
                     "budget": _("预算金额（元）"), "filed_at": _("备案时间"),
                     "id": _("操作")}
    list_columns = ["plan_no", "project_name", "unit", "procurement_method", "budget",
                    "filed_at", "id"]
    # "id" holds the 项目向导 buttons: no sort link on 操作.
    order_columns = ["plan_no", "project_name", "procurement_method", "budget", "filed_at"]
    show_columns = ["plan_no", "project_name", "unit", "procurement_method", "budget",
                    "filed_at"]
    search_columns = ["plan_no", "project_name", "procurement_method"]
    formatters_columns = {"budget": yuan, "filed_at": when, "id": _wizard_button}
    base_filters = [["id", PlanScope, None], ["state", FilterEqual, "已备案"],
                    ["interconnected", FilterEqual, True]]
    base_order = ("filed_at", "desc")

    # --- helpers ---------------------------------------------------------------

    def _plan(self, plan_id) -> Plan:
        plan = self.datamodel.get(plan_id, self._base_filters)
        if plan is None:
            abort(404)
        return plan

    def _notice(self, notice_id) -> Notice:
        """The notice if the user may see it (a draft only its unit and
        agency may), else 404, as if it did not exist."""
        notice = (db.session.query(Notice)
                  .filter(Notice.id == notice_id, notice_clause(current_user()))
                  .one_or_none())
        if notice is None:
            abort(404)
        self._plan(notice.plan_id)  # a plan the wizard lists, or 404
        return notice

    def _may_publish(self) -> bool:
        return self.appbuilder.sm.has_access("can_publish", "NoticePublish")

    # --- the wizard ------------------------------------------------------------

    @expose("/wizard/<int:plan_id>")
    @has_access
    def wizard(self, plan_id):
        plan = self._plan(plan_id)
        project = notices.project_of(plan)
        user = current_user()
        rows = (db.session.query(Notice)
                .filter(Notice.plan_id == plan.id, notice_clause(user))
                .order_by(Notice.id.desc()).all())
        # Contracts still being filed are the unit's own business; others see
        # the filed ones, whose 合同公告 is public anyway.
        contracts = notices.contracts_of(
            plan, with_unfiled=getattr(user, "organisation_id", None) == plan.unit_id)
        return self.render_template(
            "notice/wizard.html", title=_("项目向导"), plan=plan, project=project,
            stages=notices.stages(plan, project, contracts), notices=rows,
            draftable=notices.draftable(project), may_publish=self._may_publish(),
            wait=notices.WAIT_FOR_LOTS)

    @expose("/wizard/<int:plan_id>/draft", methods=["GET", "POST"])
    @has_access
    def draft(self, plan_id):
        """【起草公告】 step one: the type, the notice it corrects, the lots."""
        plan = self._plan(plan_id)
        project = notices.project_of(plan)
        if project is None or not project.lots:
            flash(notices.WAIT_FOR_LOTS, "warning")
            return redirect(url_for(".wizard", plan_id=plan.id))
        kind = request.values.get("type", "采购公告")
        if kind not in notices.TITLE_SUFFIX:
            abort(404)
        choices = notices.draftable(project)[kind]
        if request.method == "POST":
            original = None
            if kind in notices.CORRECTS:
                original_id = request.form.get("original", type=int)
                original = next((n for n in choices if n.id == original_id), None)
            try:
                notice = notices.start_draft(plan, project, kind, request.form.getlist("lots"),
                                             current_user(), original)
            except notices.Refusal as refusal:
                flash(str(refusal), "danger")
            else:
                db.session.commit()
                return redirect(url_for(".edit_notice", notice_id=notice.id))
        return self.render_template("notice/choose_lots.html", title=_("起草公告"), plan=plan,
                                    project=project, kind=kind, choices=choices,
                                    corrects=notices.CORRECTS.get(kind),
                                    lot_options=_lot_options(kind, choices),
                                    chosen=request.form.getlist("lots"))

    @expose("/notice/<int:notice_id>/edit", methods=["GET", "POST"])
    @has_access
    def edit_notice(self, notice_id):
        """【起草公告】 step two: 保存草稿, 预览, 顺延, 【发布】."""
        notice = self._notice(notice_id)
        if refusal := notices.edit_refusal(notice):
            flash(refusal, "warning")
            return redirect(url_for(".notice", notice_id=notice.id))
        if request.method != "POST":
            # Shown in the form, saved with 保存草稿: a committee that arrived
            # after the draft was started still fills an empty 评审专家名单.
            committee.prefill_experts(notice)
        form = NoticeForm(request.form if request.method == "POST" else None, obj=notice)
        report, lot_errors = [], {}
        today = dt.date.today()
        if request.method == "POST":
            lot_values, lot_errors = _lot_values(notice)
            if form.validate() and not lot_errors:
                action = request.form.get("action", "save")
                answer = self._act(notice, form, lot_values, action, today)
                if answer is not None:
                    return answer
                if action == "publish":
                    report = notices.problems(notice, today)
            else:
                flash(_("有字段格式不正确，请按提示修改；未作任何保存"), "danger")
        return self.render_template(
            "notice/edit.html", title=_("起草公告"), notice=notice, form=form,
            fields=FORM_FIELDS[notice.notice_type], contact_fields=CONTACT_FIELDS,
            lot_fields=LOT_FIELDS.get(notice.notice_type, ()), lot_labels=notices.LOT_LABELS,
            lot_errors=lot_errors, report=report,
            warnings=notices.warnings(notice, today),
            period_check=notices.period_check(notice, today),
            postpone=notices.postpone_to(notice, today),
            times_in_force=(notices.current_times(notice.original)
                            if notice.notice_type == "变更公告" and notice.original else None))

    def _act(self, notice, form, lot_values, action, today):
        values = {name: form[name].data for name in FORM_FIELDS[notice.notice_type]
                  + CONTACT_FIELDS}
        if action == "postpone" and (earliest := notices.postpone_to(notice, today)):
            items = list(dict.fromkeys([*(values.get("change_items") or []), "时间"]))
            values.update(change_items=items, bid_deadline=earliest, open_time=earliest)
            flash(_("已顺延投标截止时间和开标时间至 %(at)s，请核对后发布",
                    at=earliest.strftime("%Y-%m-%d %H:%M")), "info")
        try:
            notices.save_draft(notice, values, lot_values, current_user())
            if action != "publish":
                db.session.commit()
                if action == "preview":
                    return redirect(url_for(".preview", notice_id=notice.id))
                if action == "save":
                    flash(_("草稿已保存"), "success")
                # Reload from the saved draft: the form must show what 顺延 set.
                return redirect(url_for(".edit_notice", notice_id=notice.id))
            report = notices.publish(notice, current_user())
            db.session.commit()  # the draft as typed, even when the report refuses it
        except StaleDataError:
            db.session.rollback()
            flash(_("公告已被他人修改或发布，请刷新后重试"), "danger")
            return redirect(url_for(".wizard", plan_id=notice.plan_id))
        except notices.Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "danger")
            return redirect(url_for(".wizard", plan_id=notice.plan_id))
        if report:
            flash(_("公告未发布：有 %(n)s 项需要修改，详见下方检查结果", n=len(report)), "danger")
            return None
        flash(_("公告已发布，正在同步至交易平台"), "success")
        if note := notices.provisional_note(notice, today):
            flash(note, "warning")
        return redirect(url_for(".notice", notice_id=notice.id))

    @expose("/notice/<int:notice_id>")
    @has_access
    def notice(self, notice_id):
        notice = self._notice(notice_id)
        return self.render_template("notice/show.html", title=notice.title, notice=notice,
                                    body=Markup(notices.render_body(notice)),
                                    web_url=_web_url(notice),
                                    public_document=_public_document(notice),
                                    judgments=notices.provisional_judgments(notice),
                                    may_publish=self._may_publish())

    @expose("/notice/<int:notice_id>/preview")
    @has_access
    def preview(self, notice_id):
        notice = self._notice(notice_id)
        return self.render_template("notice/preview.html", title=_("预览"), notice=notice,
                                    body=Markup(notices.render_body(notice)),
                                    may_publish=self._may_publish())

    @expose("/notice/<int:notice_id>/delete", methods=["POST"])
    @has_access
    def delete_notice(self, notice_id):
        notice = self._notice(notice_id)
        plan_id = notice.plan_id
        try:
            notices.delete_draft(notice, current_user())
            db.session.commit()
            flash(_("草稿已删除"), "success")
        except notices.Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "danger")
        return redirect(url_for(".wizard", plan_id=plan_id))

    @expose("/wizard/<int:plan_id>/ocds")
    @has_access
    def ocds(self, plan_id):
        """The project as an OCDS release package (published notices only)."""
        from ... import ocds

        plan = self._plan(plan_id)
        project = notices.project_of(plan)
        package = ocds.record_package(
            plan, project, notices.published(project.project_code) if project else [],
            uri=request.url, publisher={"name": str(self.appbuilder.app_name)})
        body = json.dumps(package, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="ocds-{plan.plan_no}.json"'})


def _lot_options(kind: str, choices: list) -> list[dict]:
    """The lots step one offers: the free lots, or a correction's originals' lots."""
    if kind not in notices.CORRECTS:
        return [{"code": lot.code, "name": lot.name, "budget": lot.budget} for lot in choices]
    seen = {}
    for original in choices:
        for lot in original.lots:
            seen.setdefault(lot.lot_code, {"code": lot.lot_code, "name": lot.name,
                                           "budget": lot.budget})
    return list(seen.values())


def _lot_values(notice: Notice) -> tuple[dict, dict]:
    """The lot part of step two, from fields named lot-<code>-<column>:
    (values by lot code, errors by field name)."""
    values, errors = {}, {}
    wanted = LOT_FIELDS.get(notice.notice_type, ())
    for lot in notice.lots:
        found = {}
        for column in wanted:
            name = f"lot-{lot.lot_code}-{column}"
            raw = (request.form.get(name) or "").strip()
            if column in ("max_price", "award_amount"):
                found[column], error = _amount(raw)
                if error:
                    errors[name] = error
            else:
                found[column] = raw or None
        values[lot.lot_code] = found
    return values, errors


def _amount(raw: str):
    from decimal import Decimal, InvalidOperation

    if not raw:
        return None, None
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None, "请填写金额（元），如 1000.00"
    if not value.is_finite() or value.as_tuple().exponent < -2:
        return None, "金额最多保留两位小数"
    return value, None


def _public_document(notice: Notice) -> dict | None:
    """A published 合同公告's public document (the redacted contract) as the
    website links it; never the signed original."""
    from ... import contract_notice

    if notice.notice_type != contract_notice.KIND or notice.state != "已发布":
        return None
    contract = contract_notice.contract_of(notice)
    base = contract_notice.public_base_url()
    if contract is None or contract.redacted_pdf is None or base is None:
        return None
    return contract_notice.document_of(contract, notice, base)


def _web_url(notice: Notice) -> str | None:
    """Where the platform's website shows it (from notice.online)."""
    from ...models import Peer

    if not notice.web_path:
        return None
    peer = db.session.get(Peer, notice.platform_code)
    return (peer.base_url.rstrip("/") + notice.web_path) if peer else notice.web_path


class NoticeApi(ReadWriteApi):
    """REST: the notices in the user's scope with where each stands, and, like
    an eSender, `GET /<pk>/check` (the validator report, machine-readable)
    and `POST /<pk>/publish` (422 with the same report when refused).
    Drafting stays in the wizard."""

    resource_name = "notice"
    datamodel = TypedInterface(Notice)
    class_permission_name = "NoticePublish"
    method_permission_name = {**API_VERBS, "check": "read", "publish": "publish"}
    include_route_methods = {"get_list", "get", "info", "check", "publish"}
    base_filters = [["id", NoticeScope, None]]
    list_columns = ["id", "notice_key", "notice_type", "title", "project_code", "state",
                    "published_at", "sync_state", "synced_at", "online_at", "web_path"]
    show_columns = list_columns + ["original.notice_key", "lots.lot_code", "lots.name"]
    search_columns = ["notice_key", "notice_type", "project_code", "state"]
    base_order = ("id", "desc")
    list_title = _("采购公告发布")
    label_columns = {"notice_key": _("公告编号"), "notice_type": _("公告类型"),
                     "title": _("公告标题"), "project_code": _("项目编号"), "state": _("状态"),
                     "published_at": _("发布时间"), "sync_state": _("同步状态"),
                     "synced_at": _("同步时间"), "online_at": _("上网时间"),
                     "web_path": _("网站地址"), "original.notice_key": _("原公告编号"),
                     "lots.lot_code": _("标段编号"), "lots.name": _("标段名称")}

    @staticmethod
    def _report(found) -> list[dict]:
        return [{"field": p.field, "label": p.label, "message": p.message} for p in found]

    @api_expose("/<int:pk>/check", methods=["GET"])
    @protect()
    @safe
    def check(self, pk):
        """The validator report for publishing today; empty: it may be published."""
        notice = self.datamodel.get(pk, self._base_filters)
        if notice is None:
            return self.response_404()
        today = dt.date.today()
        postpone = notices.postpone_to(notice, today)
        return self.response(200, problems=self._report(notices.problems(notice, today)),
                             warnings=notices.warnings(notice, today),
                             postpone_to=postpone.isoformat() if postpone else None)

    @api_expose("/<int:pk>/publish", methods=["POST"])
    @protect()
    @safe
    def publish(self, pk):
        notice = self.datamodel.get(pk, self._base_filters)
        if notice is None:
            return self.response_404()
        try:
            found = notices.publish(notice, g.user)
        except notices.Refusal as refusal:
            db.session.rollback()
            return self.response(409, message=str(refusal))
        except StaleDataError:
            db.session.rollback()
            return self.response(409, message="公告已被他人修改或发布，请刷新后重试")
        if found:
            db.session.rollback()
            return self.response_422(message={"problems": self._report(found)})
        db.session.commit()
        return self.response(200, message="公告已发布，正在同步至交易平台",
                             notice_key=notice.notice_key, state=notice.state,
                             published_at=notice.published_at.isoformat())
