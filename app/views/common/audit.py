"""【审计日志】: who did what, read-only for everyone including Admin."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from ...models import AuditLog
from .base import ReadWriteModelView
from .counting import CappedCount

# An audit row names its object by model class (app/audit.py); people read
# the record's name.
ENTITY_NAMES = {
    "Region": _("行政区划"), "Organisation": _("组织机构"), "OrgUser": _("用户"),
    "Platform": _("交易平台"), "Peer": _("同步对端"), "PeerKey": _("共享密钥"),
    "PushThreshold": _("推送限额标准"), "Plan": _("采购计划"),
    "OutboxMessage": _("发送消息"), "InboxMessage": _("接收消息"),
    "SecurityEvent": _("拒收记录"), "PlanReplica": _("已接收计划"),
    "Attachment": _("附件"), "WinnerChange": _("中标结果变更备案"),
    "ApprovalRecord": _("审批记录"), "TradingProject": _("交易项目"),
    "Lot": _("标段(包)"), "ScoringItem": _("评分项"), "ComplianceItem": _("符合性审查项"),
    "Objection": _("项目质疑"), "OpeningBid": _("开标记录"),
    "PublishedNotice": _("网站公告"), "ProjectReplica": _("交易项目"),
    "LotReplica": _("标段(包)"), "TimeChange": _("变更公告"), "Notice": _("公告"),
    "NoticeLot": _("公告标段"), "HolidayYear": _("节假日年度安排"),
    "HolidayDay": _("节假日"), "ProvisionalJudgment": _("暂定判断"),
    "Expert": _("专家"), "ExpertSpeciality": _("评审专业"),
    "ExpertRequest": _("专家抽取申请"), "ExpertNeed": _("专家需求"),
    "RequestRecusal": _("回避单位"), "ExpertRecusal": _("专家回避"),
    "ExpertDraw": _("专家抽取"), "DrawnExpert": _("抽取专家"),
    "CommitteeMember": _("评委会成员"), "CommitteeReplica": _("评委会"),
    "LotStatusReplica": _("标段进展"), "ProjectInfoChange": _("立项信息更正"),
    "Contract": _("合同公告及备案"), "ContractLot": _("合同关联标段"),
    "SupervisionProject": _("项目监督"), "ProjectFlag": _("预警"),
    "Role": _("角色"), "User": _("用户"), "Group": _("用户组"), "ApiKey": _("接口令牌"),
}


def entity_name(name) -> str:
    return str(ENTITY_NAMES.get(name, name))


def action_name(action) -> str:
    return gettext(action) if action else ""


class AuditLogView(ReadWriteModelView):
    datamodel = CappedCount(AuditLog)
    class_permission_name = "AuditLog"
    route_base = "/audit"
    base_permissions = ["can_read"]
    list_title = _("审计日志")
    label_columns = {"at": _("时间"), "user": _("用户"), "action": _("操作"),
                     "entity": _("对象类型"), "entity_key": _("对象编号"), "detail": _("详情")}
    list_columns = ["at", "user", "action", "entity", "entity_key"]
    show_columns = ["at", "user", "action", "entity", "entity_key", "detail"]
    search_columns = ["action", "entity", "entity_key", "at"]
    base_order = ("id", "desc")
    # An action is stored in Chinese (新增, 专家补抽 …): shown in English
    # where it has one, as 项目监督's timeline shows it.
    formatters_columns = {"entity": entity_name, "action": action_name}
