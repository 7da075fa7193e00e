"""【项目管理】→【变更公告】 on a trading site: the new times after a GPS
变更公告, entered by the agency and 【提交】ed to 中心业务科室."""
from flask import flash, g, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from wtforms.validators import ValidationError

from ..common.counting import CappedCount
from ... import time_changes
from ...audit import record
from ...extensions import db
from ...models import PublishedNotice, TimeChange
from ...rules import change_times
from ...scope import TimeChangeScope
from ...workflows.time_change import TimeChangeChain
from ..common.approval import ApprovalViews
from ..common.base import ReadWriteModelView, text, when


def _lots(codes):
    return "、".join(codes) if codes else "全部标段"


def _as_notice_says(form, field):
    """Inline on the edit form, so what was typed stays on the page: a time
    that differs from the GPS notice's needs a reason (pre_update checks the
    whole entry again)."""
    pk = (request.view_args or {}).get("pk")
    change = db.session.get(TimeChange, int(pk)) if pk is not None else None
    name = field.name.removeprefix("new_")
    theirs = getattr(change, "gps_" + name, None) if change is not None else None
    reason = form.deviation_reason.data if "deviation_reason" in form._fields else None
    found = change_times.differences({name: theirs}, {name: field.data})
    if found and not (reason or "").strip():
        raise ValidationError(
            f"与政府采购系统变更公告的 {change_times.minute(theirs)} 不一致：请按变更公告填写，"
            f"或在“与变更公告不一致的原因”中说明原因")


class TimeChangeView(ApprovalViews, ReadWriteModelView):
    datamodel = CappedCount(TimeChange)
    chain = TimeChangeChain
    class_permission_name = "TimeChange"
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "submit": "submit", "review": "review"}
    # Entries open when a 变更公告 arrives; nobody adds or deletes them.
    base_permissions = ["can_read", "can_edit", "can_submit", "can_review"]
    route_base = "/time-changes"
    list_template = "time_change/list.html"
    # The GPS notice's times beside the entered ones (time_change/_compare.html).
    show_template = "time_change/show.html"
    review_template = "time_change/review.html"
    edit_template = "time_change/edit.html"
    list_title = _("变更公告")
    show_title = _("变更公告时间调整")
    edit_title = _("调整变更后的时间")
    label_columns = {"project": _("项目"), "notice_title": _("变更公告"),
                     "lot_codes": _("涉及标段"), "received_at": _("收到时间"),
                     "new_doc_issue_end": _("变更后文件获取截止时间"),
                     "new_bid_deadline": _("变更后投标截止时间"),
                     "new_open_time": _("变更后开标时间"), "remark": _("说明"),
                     "deviation_reason": _("与变更公告不一致的原因"),
                     "state": _("状态"), "submitted_at": _("提交时间"),
                     "applied_at": _("生效时间"), "last_opinion": _("退回意见")}
    list_columns = ["project", "notice_title", "received_at", "new_bid_deadline",
                    "new_open_time", "state"]
    show_columns = ["project", "notice_title", "lot_codes", "received_at",
                    "new_doc_issue_end", "new_bid_deadline", "new_open_time",
                    "deviation_reason", "remark", "state", "submitted_at", "applied_at",
                    "last_opinion"]
    edit_columns = ["new_doc_issue_end", "new_bid_deadline", "new_open_time",
                    "deviation_reason", "remark"]
    description_columns = {
        "deviation_reason": _("时间须与政府采购系统发布的变更公告一致；确需调整（如开标场地安排）的，"
                              "请说明原因，审核和审计日志中均可见"),
    }
    validators_columns = {f"new_{name}": [_as_notice_says]
                          for name, _label in change_times.FIELDS}
    search_columns = ["notice_title", "state"]
    base_filters = [["id", TimeChangeScope, None]]
    base_order = ("received_at", "desc")
    formatters_columns = {"lot_codes": _lots, "received_at": when, "submitted_at": when,
                          "applied_at": when, "new_doc_issue_end": when,
                          "new_bid_deadline": when, "new_open_time": when,
                          "last_opinion": text, "remark": text, "deviation_reason": text}

    def edit_refusal(self, item):
        return time_changes.edit_refusal(item)

    def pre_update(self, item):
        if refusal := time_changes.edit_refusal(item):
            raise ValueError(refusal)
        if errors := time_changes.errors(item):
            raise ValueError("；".join(errors.values()))
        # committed with the change
        record(g.user, "调整变更时间", item.project, time_changes.audit_detail(item))

    def post_update(self, item):
        if time_changes.differences(item):
            flash(gettext("已保存。填写的时间与政府采购系统的变更公告不一致，原因已记录，"
                          "中心业务科室审核时可见"), "warning")

    def render_template(self, template, **kwargs):
        item = kwargs.get("item")
        if item is None and template == self.edit_template:
            pk = (request.view_args or {}).get("pk")
            item = self.datamodel.get(pk, self._base_filters) if pk is not None else None
        if item is not None:
            kwargs.update(self._comparison(item))
        return super().render_template(template, **kwargs)

    @staticmethod
    def _comparison(item) -> dict:
        notice_id = db.session.query(PublishedNotice.id).filter_by(
            notice_key=item.notice_key, published=True).scalar()
        return {"change": item, "comparison": time_changes.comparison(item),
                "gps_times_known": time_changes.has_gps_times(item),
                "notice_url": url_for("website.notice", notice_id=notice_id)
                if notice_id is not None else None}
