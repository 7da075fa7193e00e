"""【计划管理】→【采购计划备案】 and its REST API."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms import BooleanField
from wtforms.validators import ValidationError

from ..common.typed_filters import TypedInterface
from ... import plans
from ...audit import record
from ...extensions import db
from ...models import Plan, ProjectReplica
from ...scope import PlanScope, PlatformsForUser, UnitsInScope, current_user
from ..common.base import ReadWriteApi, ReadWriteModelView, Rejected
from ..common.counting import CappedCount
from ..common.validation import form_phone
# 是/否 through gettext: these literals stayed Chinese on the English pages.
from ..common.formatting import yes_no as _yes_no

LABELS = {
    "plan_no": _("计划编号"),
    "project_name": _("项目名称"),
    "unit": _("采购单位"),
    "region": _("所属区划"),
    "procurement_method": _("采购方式"),
    "category": _("采购类别"),
    "item_name": _("采购品目"),
    "budget": _("预算金额（元）"),
    "fund_source": _("资金来源"),
    "expected_date": _("预计采购时间"),
    "agency": _("委托代理机构"),
    "platform": _("交易平台"),
    "interconnected": _("是否互联互通"),
    "contact": _("联系人"),
    "phone": _("联系电话"),
    "remark": _("备注"),
    "state": _("状态"),
    "filed_at": _("备案时间"),
    "meets_push": _("满足推送条件"),
    "push_reason": _("推送判定"),
    "push_state": _("推送状态"),
    "push_state_at": _("推送状态时间"),
    "pushed_to": _("已推送至"),
    "version": _("版本"),
    "withdrawn_at": _("撤回时间"),
    "withdraw_reason": _("撤回原因"),
    "created_by": _("填报人"),
    "created_on": _("填报时间"),
}

FORM_COLUMNS = ["project_name", "procurement_method", "category", "item_name",
                "budget", "fund_source", "expected_date", "agency", "platform",
                "interconnected", "contact", "phone", "remark"]


def _budget_valid(form, field):
    message = plans.budget_error(field.data)
    if message:
        raise ValidationError(message)


def _platform_valid(form, field):
    interconnected = form.interconnected.data if hasattr(form, "interconnected") else True
    user = current_user()
    message = plans.platform_error(field.data, user.organisation if user else None,
                                   interconnected)
    if message:
        raise ValidationError(message)


def _interconnected_needs_platform(form, field):
    # The platform field is optional, and WTForms stops an empty optional
    # field's validators, so the pairing is checked from this side.
    if field.data and not form.platform.data:
        raise ValidationError(plans.platform_error(None, None, True))


class PlanView(ReadWriteModelView):
    datamodel = CappedCount(Plan)
    class_permission_name = "Plan"
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "file_plans": "file", "withdraw": "file"}
    route_base = "/plans"
    list_template = "plan/list.html"
    own_add_button = True  # its 【新增】/【增加】 above the list
    hide_refused_buttons = True

    list_title = _("采购计划备案")
    show_title = _("采购计划详情")
    show_template = "plan/show.html"
    add_title = _("采购计划备案填报")
    edit_title = _("修改采购计划")

    label_columns = LABELS
    list_columns = ["plan_no", "project_name", "unit", "procurement_method",
                    "category", "budget", "platform", "state", "meets_push", "push_state"]
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    show_fieldsets = [
        (_("计划基本信息"), {"fields": ["plan_no", "project_name", "unit", "region",
                                    "procurement_method", "category", "item_name",
                                    "budget", "fund_source", "expected_date"]}),
        (_("委托与交易"), {"fields": ["agency", "platform", "interconnected"]}),
        (_("备案与推送"), {"fields": ["state", "filed_at", "meets_push", "push_reason",
                                    "push_state", "push_state_at", "pushed_to", "version",
                                    "withdrawn_at", "withdraw_reason"]}),
        (_("联系信息"), {"fields": ["contact", "phone", "remark", "created_by",
                                 "created_on"]}),
    ]
    search_columns = ["plan_no", "project_name", "unit", "procurement_method",
                      "category", "state", "meets_push", "push_state", "budget", "agency"]
    order_columns = ["plan_no", "budget", "state"]
    base_order = ("id", "desc")
    base_filters = [["id", PlanScope, None]]
    formatters_columns = {"meets_push": _yes_no, "interconnected": _yes_no}
    description_columns = {
        "platform": _("选择交易平台后，满足推送条件的会把采购计划信息推送到对应交易中心系统"),
        "budget": _("单位：元，最多两位小数"),
    }
    validators_columns = {"budget": [_budget_valid], "platform": [_platform_valid],
                          "phone": [form_phone]}
    # FAB would mark the NOT NULL boolean as required, which refuses "否".
    add_form_extra_fields = {"interconnected": BooleanField(
        LABELS["interconnected"], default=True,
        description=_("互联互通项目必须选择交易平台"),
        validators=[_interconnected_needs_platform])}
    edit_form_extra_fields = add_form_extra_fields
    add_form_query_rel_fields = {
        "platform": [["code", PlatformsForUser, None]],
        "agency": [["org_type", FilterEqual, "代理机构"]],
    }
    edit_form_query_rel_fields = add_form_query_rel_fields
    search_form_query_rel_fields = {
        "unit": [["id", UnitsInScope, None]],
        "agency": [["org_type", FilterEqual, "代理机构"]],
    }
    searched_relations = {"unit": ("name",), "agency": ("name",)}

    def pre_add(self, item):
        plans.prepare(item, g.user)
        record(g.user, "增加", item)  # committed with the plan

    def pre_update(self, item):
        plans.prepare(item, g.user)
        if refusal := plans.moving_refusal(item):
            raise ValueError(refusal)  # FAB shows it; nothing is written
        # Here, not in post_update: the edit and its outbox message must
        # commit together (FAB commits between pre_ and post_update).
        plans.update_filed(item, g.user)

    def delete_refusal(self, item):
        return plans.delete_refusal(item)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除", item)
        db.session.commit()

    def edit_refusal(self, item):
        return plans.edit_refusal(item)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The plan, and the lots its trading platform pushed (标段推送)."""
        item = self._scoped(pk)
        accepted = (db.session.query(ProjectReplica).filter_by(plan_id=item.id)
                    .order_by(ProjectReplica.received_at).all())
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=self._show(pk, item), related_views=self._related_views,
                                    plan=item, trading_projects=accepted,
                                    withdraw_refusal=plans.withdraw_refusal(item))

    def _get_show_widget(self, pk, item, **kwargs):
        widgets = super()._get_show_widget(pk, item, **kwargs)
        if item.state != "草稿":  # 【备案】 could only be refused (不能重复备案)
            shown = widgets["show"].template_args
            shown["actions"] = {name: action for name, action in shown["actions"].items()
                                if name != "file_plans"}
        return widgets

    @expose("/withdraw/<pk>", methods=["GET", "POST"])
    @has_access
    def withdraw(self, pk):
        """撤回 a filed plan, with a reason, after confirmation."""
        item = self._scoped(pk)
        if refusal := plans.withdraw_refusal(item):
            flash(refusal, "danger")
            return redirect(url_for(".show", pk=pk))
        if request.method == "POST":
            error = plans.withdraw(item, g.user, request.form.get("reason", ""))
            if error:
                flash(error, "danger")
            else:
                db.session.commit()
                flash(gettext("计划“%(no)s”已撤回", no=item.plan_no), "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template("plan/withdraw.html", plan=item,
                                    title=_("撤回采购计划"))

    @action("file_plans", _("备案"),
            _("备案后计划不能删除（只能撤回）；满足推送条件的将推送至所选交易平台，备案后的修改也会同步推送。"),
            "fa-check", single=True)
    def file_plans(self, items):
        items = items if isinstance(items, list) else [items]
        for item in items:
            # FAB's action endpoints fetch rows without base_filters, so the
            # scope is applied here again.
            scoped = item and self.datamodel.get(item.id, self._base_filters)
            if scoped is None:
                abort(404)
            error = plans.file_plan(scoped, g.user)
            if error:
                flash(error, "danger")
            else:
                flash(gettext("计划“%(no)s”已备案。%(reason)s", no=scoped.plan_no,
                              reason=scoped.push_reason), "success")
        db.session.commit()
        return redirect(request.referrer or url_for(".list"))


class PlanApi(ReadWriteApi):
    resource_name = "plan"
    datamodel = TypedInterface(Plan)
    class_permission_name = "Plan"
    base_filters = [["id", PlanScope, None]]
    base_order = ("id", "desc")
    list_columns = ["id", "plan_no", "project_name", "unit.name", "procurement_method",
                    "category", "budget", "platform_code", "state", "meets_push"]
    show_columns = ["id", "plan_no", "project_name", "unit.name", "region_code",
                    "procurement_method", "category", "item_name", "budget",
                    "fund_source", "expected_date", "agency.name", "platform_code",
                    "interconnected", "contact", "phone", "remark", "state",
                    "filed_at", "meets_push", "push_reason"]
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    amount_columns = {"budget": "预算金额"}
    search_columns = ["plan_no", "project_name", "state", "category", "meets_push"]
    label_columns = LABELS
    add_query_rel_fields = PlanView.add_form_query_rel_fields
    edit_query_rel_fields = PlanView.add_form_query_rel_fields

    def pre_add(self, item):
        plans.prepare(item, g.user)
        self._check(item)
        record(g.user, "增加", item)  # as the form does, committed with the plan

    def pre_update(self, item):
        if refusal := plans.edit_refusal(item):
            raise Rejected({"state": refusal})
        plans.prepare(item, g.user)
        self._check(item)
        if refusal := plans.moving_refusal(item):
            raise Rejected({"platform": refusal})
        plans.update_filed(item, g.user)  # committed with the edit

    def pre_delete(self, item):
        if refusal := plans.delete_refusal(item):
            raise Rejected({"state": refusal})

    @staticmethod
    def _check(item):
        errors = plans.plan_errors(item)
        if errors:
            raise Rejected(errors)
