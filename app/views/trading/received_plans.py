"""【互联互通】→【已接收计划】 on a trading site: the plans GPS pushed here,
the list 项目进场受理's “选择计划” chooses from. Read-only (GPS owns them)."""
from flask_babel import lazy_gettext as _
from sqlalchemy import false, true

from ..common.typed_filters import TypedInterface
from ...models import PlanReplica
from ...scope import ScopeFilter, by_organisation
from ..common.base import ReadWriteApi, ReadWriteModelView
from ..common.counting import CappedCount


def _replica_rule(org):
    if org.org_type == "交易中心":
        return true()  # every plan on this site was pushed to this centre
    if org.org_type == "代理机构":
        return PlanReplica.agency_credit_code == org.credit_code
    return false()


class ReplicaScope(ScopeFilter):
    @staticmethod
    def clause(user):
        return by_organisation(user, _replica_rule)


LABELS = {
    "plan_no": _("计划编号"), "project_name": _("项目名称"), "unit_name": _("采购单位"),
    "agency_name": _("委托代理机构"), "procurement_method": _("采购方式"),
    "category": _("采购类别"), "item_name": _("采购品目"), "budget": _("预算金额（元）"),
    "fund_source": _("资金来源"), "expected_date": _("预计采购时间"), "contact": _("联系人"),
    "phone": _("联系电话"), "filed_at": _("备案时间"), "status": _("状态"),
    "withdraw_reason": _("撤回原因"), "received_at": _("接收时间"), "version": _("版本"),
    "accepted": _("已受理"),
}


class ReceivedPlanView(ReadWriteModelView):
    datamodel = CappedCount(PlanReplica)
    class_permission_name = "ReceivedPlan"
    route_base = "/received-plans"
    base_permissions = ["can_read"]
    list_title = _("已接收计划")
    label_columns = LABELS
    list_columns = ["plan_no", "project_name", "unit_name", "agency_name",
                    "procurement_method", "budget", "status", "received_at"]
    show_columns = list(LABELS)
    search_columns = ["plan_no", "project_name", "unit_name", "status", "procurement_method"]
    base_filters = [["plan_no", ReplicaScope, None]]
    base_order = ("received_at", "desc")


class ReceivedPlanApi(ReadWriteApi):
    resource_name = "received_plan"
    datamodel = TypedInterface(PlanReplica)
    class_permission_name = "ReceivedPlan"
    include_route_methods = {"get", "get_list", "info"}
    base_filters = [["plan_no", ReplicaScope, None]]
    list_columns = ["plan_no", "project_name", "unit_name", "agency_name", "budget",
                    "status", "version"]
    show_columns = list(LABELS)

    def get_headless(self, pk, **kwargs):
        # FAB routes GET /<int:pk>, but this key is the 计划编号 (text):
        # PostgreSQL refuses to compare text with a number (was a 500).
        return super().get_headless(str(pk), **kwargs)


