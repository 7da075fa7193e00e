"""项目阶段: 开始评标 / 评标结束, with its REST API."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ...common.stored_words import word
from ...common.typed_filters import TypedInterface
from .... import lot_settings as rules
from ....extensions import db
from ....models import TradingProject
from ...common.base import API_VERBS, VIEW_VERBS, ReadWriteApi, ReadWriteModelView
from ...common.counting import CappedCount
from .common import AcceptedProjects


# --- 项目阶段: 开始评标 / 评标结束 ------------------------------------------------------

STAGE_LABELS = {
    "project_code": _("项目编号"), "project_name": _("项目名称"), "unit_name": _("采购单位"),
    "procurement_method": _("采购方式"), "budget": _("预算金额（元）"), "agency": _("代理机构"),
    "stage": _("项目阶段"), "accepted_at": _("受理时间"), "lots": _("标段(包)"),
}
# What the confirmation dialog says will happen (stage_show.html).
CONFIRMATIONS = {
    "start_evaluation": _("开始评标后开标记录不能再修改，项目阶段将变为“评标中”并通知政府采购系统，不能撤销。"),
    "finish_evaluation": _("项目阶段将变为“评标结束”并通知政府采购系统，不能撤销。"),
}


class ProjectStageView(ReadWriteModelView):
    datamodel = CappedCount(TradingProject)
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
                # What the committee must treat as 无效投标, in view before 开始评标.
                kwargs["ceiling_bids"] = rules.project_bids_over_ceiling(item)
                kwargs["confirmations"] = CONFIRMATIONS
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
        """POST: the show page's button, confirmed in the dialog (confirm.js)
        when the browser runs scripts. A GET (an old link, a bookmark) leads
        to the show page, where the button and its dialog are."""
        item = self._scoped(pk)
        if request.method != "POST":
            return redirect(url_for(".show", pk=pk))
        label = rules.STAGE_ACTIONS[action][2]
        if refusal := rules.stage_refusal(item, action):
            flash(refusal, "danger")
            return redirect(url_for(".show", pk=pk))
        try:
            stage = rules.advance(item, action, g.user)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(gettext("该项目已被他人处理，请刷新后重试"), "danger")
        else:
            flash(gettext("项目“%(code)s”已%(action)s，当前阶段：%(stage)s，已通知政府采购系统",
                          code=item.project_code, action=word(label), stage=word(stage)),
                  "success")
        return redirect(url_for(".show", pk=pk))


class ProjectStageApi(ReadWriteApi):
    resource_name = "project_stage"
    datamodel = TypedInterface(TradingProject)
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
