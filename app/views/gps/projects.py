"""【计划管理】→【交易项目与标段】 on GPS: the projects and lots trading
platforms accepted (标段推送). Read-only: the platforms own them."""
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import lazy_gettext as _

from ..common.counting import CappedCount
from ..common.typed_filters import TypedInterface
from ... import project_info
from ...models import LotReplica, ProjectReplica
from ...scope import LotReplicaScope, ProjectReplicaScope
from ..common.base import API_VERBS, ReadWriteApi, ReadWriteModelView, text, when, yuan

LOT_LABELS = {"code": _("标段编号"), "seq": _("序号"), "name": _("标段名称"),
              "budget": _("标段预算（元）"), "content": _("采购内容"),
              "project": _("交易项目"), "project_code": _("项目编号")}


class LotReplicaView(ReadWriteModelView):
    datamodel = CappedCount(LotReplica)
    class_permission_name = "LotReplica"
    route_base = "/pushed-lots"
    show_template = "history/model_show.html"  # with 【历史】
    extra_args = {"history_entity": "LotReplica"}
    base_permissions = ["can_read"]
    list_title = _("标段(包)")
    label_columns = LOT_LABELS
    list_columns = ["code", "name", "budget"]
    formatters_columns = {"budget": yuan, "content": text}
    show_columns = ["project_code", "code", "seq", "name", "budget", "content"]
    base_filters = [["code", LotReplicaScope, None]]
    base_order = ("code", "asc")
    # FAB's select offered every project replica of every platform, in scope or not.
    search_form_query_rel_fields = {"project": [["project_code", ProjectReplicaScope, None]]}
    searched_relations = {"project": ("project_code", "project_name")}


class ProjectReplicaView(ReadWriteModelView):
    datamodel = CappedCount(ProjectReplica)
    class_permission_name = "ProjectReplica"
    route_base = "/trading-projects"
    base_permissions = ["can_read"]
    list_title = _("交易项目与标段")
    show_title = _("交易项目详情")
    label_columns = {"project_code": _("项目编号"), "platform_code": _("交易平台"),
                     "plan_no": _("计划编号"), "plan": _("采购计划"),
                     "project_name": _("项目名称"), "agency_name": _("代理机构"),
                     "budget": _("预算金额（元）"), "stage": _("项目阶段"),
                     "received_at": _("接收时间"), "lots": _("标段(包)"),
                     "encrypted": _("是否加密"), "remote_opening": _("是否为不见面开标项目")}
    list_columns = ["project_code", "project_name", "plan_no", "agency_name", "budget",
                    "stage", "received_at"]
    show_columns = ["project_code", "platform_code", "plan", "project_name", "agency_name",
                    "budget", "encrypted", "remote_opening", "stage", "received_at"]
    show_template = "project_replica/show.html"
    search_columns = ["project_code", "project_name", "plan_no", "stage"]
    formatters_columns = {"budget": yuan, "received_at": when,
                          "encrypted": project_info.yes_no,
                          "remote_opening": project_info.yes_no}
    base_filters = [["project_code", ProjectReplicaScope, None]]
    base_order = ("received_at", "desc")
    related_views = [LotReplicaView]

    def _get_show_widget(self, pk, item, **kwargs):
        # 立项信息更正记录, as the platform sent them (project.info_changed)
        widgets = super()._get_show_widget(pk, item, **kwargs)
        widgets["info_changes"] = project_info.history(item.project_code)
        return widgets


class ProjectReplicaApi(ReadWriteApi):
    resource_name = "trading_project"
    datamodel = TypedInterface(ProjectReplica)
    class_permission_name = "ProjectReplica"
    base_filters = [["project_code", ProjectReplicaScope, None]]
    list_columns = ["project_code", "project_name", "plan_no", "platform_code", "stage",
                    "budget", "version"]
    method_permission_name = {**API_VERBS, "by_code": "read"}
    include_route_methods = {"get_list", "info", "by_code"}

    @api_expose("/code/<code>", methods=["GET"])
    @protect()
    @safe
    def by_code(self, code):
        """One project by its 项目编号, with its lots (FAB's GET /<pk> wants an int)."""
        project = self.datamodel.get(code, self._base_filters)
        if project is None:
            return self.response_404()
        return self.response(200, result={
            "project_code": project.project_code, "project_name": project.project_name,
            "plan_no": project.plan_no, "platform_code": project.platform_code,
            "agency_name": project.agency_name, "budget": f"{project.budget:.2f}",
            "stage": project.stage, "version": project.version,
            "lots": [{"code": lot.code, "seq": lot.seq, "name": lot.name,
                      "budget": f"{lot.budget:.2f}", "content": lot.content}
                     for lot in project.lots]})
