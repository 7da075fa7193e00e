"""【审计日志】: who did what, read-only for everyone including Admin."""
import io

from flask import g
from flask_appbuilder import expose, has_access
from flask_babel import gettext, lazy_pgettext, pgettext
from flask_babel import lazy_gettext as _

from ... import xlsx
from ...audit import record
from ...downloads import XLSX, send_download
from ...extensions import db
from ...models import AuditLog, OrgUser
from .base import VIEW_VERBS, ReadWriteModelView
from .counting import CappedCount

MAX_EXPORT = 20000  # rows; past it, narrow the search

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
    "AuditLog": _("审计日志"),
}


def entity_name(name) -> str:
    return str(ENTITY_NAMES.get(name, name))


def action_name(action) -> str:
    return gettext(action) if action else ""


class AuditLogView(ReadWriteModelView):
    datamodel = CappedCount(AuditLog)
    class_permission_name = "AuditLog"
    method_permission_name = {**VIEW_VERBS, "export": "read"}
    route_base = "/audit"
    base_permissions = ["can_read"]
    list_template = "audit/list.html"
    list_title = _("审计日志")
    # 操作 as what was done: in English "Action", not the buttons' "Actions".
    label_columns = {"at": _("时间"), "user": _("用户"), "action": lazy_pgettext("审计", "操作"),
                     "entity": _("对象类型"), "entity_key": _("对象编号"),
                     "detail": _("详情")}
    list_columns = ["at", "user", "action", "entity", "entity_key"]
    show_columns = ["at", "user", "action", "entity", "entity_key", "detail"]
    # 用户 searched as one types (a province has thousands of accounts).
    search_columns = ["user", "action", "entity", "entity_key", "at"]
    searched_relations = {"user": ("username", "name_typed")}
    base_order = ("id", "desc")
    # An action is stored in Chinese (新增, 专家补抽 …): shown in English
    # where it has one, as 项目监督's timeline shows it.
    formatters_columns = {"entity": entity_name, "action": action_name}

    @expose("/export")
    @has_access
    def export(self):
        """【导出】: the rows as searched, newest first, as .xlsx."""
        items = self.searched("id", "desc", MAX_EXPORT)
        users = {u.id: u for u in db.session.query(OrgUser).filter(
            OrgUser.id.in_({i.user_id for i in items if i.user_id}))}
        rows = [(i.at, str(users[i.user_id]) if i.user_id in users else "",
                 action_name(i.action), entity_name(i.entity), i.entity_key or "",
                 i.detail or "") for i in items]
        out = io.BytesIO()
        xlsx.write(out, gettext("审计日志"),
                   [gettext("时间"), gettext("用户"), pgettext("审计", "操作"),
                    gettext("对象类型"), gettext("对象编号"), gettext("详情")], rows,
                   widths=(18, 16, 14, 16, 24, 60), formats=("yyyy-mm-dd hh:mm",))
        record(g.user, "导出", AuditLog(), detail=f"导出审计日志 {len(rows)} 条")
        db.session.commit()
        out.seek(0)
        return send_download(out, gettext("审计日志") + ".xlsx", "audit-log.xlsx",
                             mimetype=XLSX)
