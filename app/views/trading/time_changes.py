"""【项目管理】→【变更公告】 on a trading site: the new times after a GPS
变更公告, entered by the agency and 【提交】ed to 中心业务科室."""
from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from ... import time_changes
from ...audit import record
from ...extensions import db
from ...models import TimeChange
from ...scope import TimeChangeScope
from ...workflows.time_change import TimeChangeChain
from ..common.approval import ApprovalViews
from ..common.base import ReadWriteModelView, text, when


def _lots(codes):
    return "、".join(codes) if codes else "全部标段"


class TimeChangeView(ApprovalViews, ReadWriteModelView):
    datamodel = SQLAInterface(TimeChange)
    chain = TimeChangeChain
    class_permission_name = "TimeChange"
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "submit": "submit", "review": "review"}
    # Entries open when a 变更公告 arrives; nobody adds or deletes them.
    base_permissions = ["can_read", "can_edit", "can_submit", "can_review"]
    route_base = "/time-changes"
    list_template = "time_change/list.html"
    list_title = _("变更公告")
    show_title = _("变更公告时间调整")
    edit_title = _("调整变更后的时间")
    label_columns = {"project": _("项目"), "notice_title": _("变更公告"),
                     "lot_codes": _("涉及标段"), "received_at": _("收到时间"),
                     "new_doc_issue_end": _("变更后文件获取截止时间"),
                     "new_bid_deadline": _("变更后投标截止时间"),
                     "new_open_time": _("变更后开标时间"), "remark": _("说明"),
                     "state": _("状态"), "submitted_at": _("提交时间"),
                     "applied_at": _("生效时间"), "last_opinion": _("退回意见")}
    list_columns = ["project", "notice_title", "received_at", "new_bid_deadline",
                    "new_open_time", "state"]
    show_columns = ["project", "notice_title", "lot_codes", "received_at",
                    "new_doc_issue_end", "new_bid_deadline", "new_open_time", "remark",
                    "state", "submitted_at", "applied_at", "last_opinion"]
    edit_columns = ["new_doc_issue_end", "new_bid_deadline", "new_open_time", "remark"]
    search_columns = ["notice_title", "state"]
    base_filters = [["id", TimeChangeScope, None]]
    base_order = ("received_at", "desc")
    formatters_columns = {"lot_codes": _lots, "received_at": when, "submitted_at": when,
                          "applied_at": when, "new_doc_issue_end": when,
                          "new_bid_deadline": when, "new_open_time": when,
                          "last_opinion": text, "remark": text}

    def edit_refusal(self, item):
        return time_changes.edit_refusal(item)

    def pre_update(self, item):
        if refusal := time_changes.edit_refusal(item):
            raise ValueError(refusal)
        if errors := time_changes.errors(item):
            raise ValueError("；".join(errors.values()))

    def post_update(self, item):
        record(g.user, "调整变更时间", item.project, item.notice_title)
        db.session.commit()
