"""【同步监控】 for Admin: outbox, inbox, refusals, peers and keys."""
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _
from wtforms.validators import ValidationError

from .stored_words import word
from .typed_filters import TypedInterface
from ...extensions import db
from ...models import InboxMessage, OutboxMessage, Peer, PeerKey, SecurityEvent
from ...sync import delivery
from ...sync.signing import key_error
from .base import ReadWriteModelView
from .counting import CappedCount
from .formatting import platform_name


def _envelope(body):
    from markupsafe import Markup

    # The message as sent: machine text, kept apart from the page's words.
    return Markup("<pre><code>{}</code></pre>").format(body) if body else ""


ENVELOPE = {"body": _("消息全文（信封）")}


class OutboxView(ReadWriteModelView):
    datamodel = CappedCount(OutboxMessage)
    class_permission_name = "SyncMonitor"
    method_permission_name = {**ReadWriteModelView.method_permission_name, "replay": "replay"}
    route_base = "/sync/outbox"
    base_permissions = ["can_read"]
    list_title = _("发送队列")
    label_columns = {"message_id": _("消息编号"), "type": _("类型"), "target": _("对端"),
                     "entity_key": _("业务对象"), "entity_version": _("版本"),
                     "state": _("状态"), "attempts": _("尝试次数"),
                     "next_attempt_at": _("下次尝试"), "last_status": _("最近HTTP状态"),
                     "last_error": _("最近错误"), "created_at": _("创建时间"),
                     "delivered_at": _("送达时间"), "locked_until": _("租约到期"),
                     "retry_from": _("重试起算"), **ENVELOPE}
    list_columns = ["created_at", "type", "entity_key", "target", "state", "attempts",
                    "next_attempt_at", "last_status", "last_error"]
    show_columns = ["message_id", "type", "target", "entity_key", "entity_version", "state",
                    "attempts", "created_at", "next_attempt_at", "locked_until",
                    "delivered_at", "last_status", "last_error", "body"]
    search_columns = ["type", "target", "state", "entity_key", "message_id", "created_at"]
    base_order = ("id", "desc")
    formatters_columns = {"body": _envelope, "target": platform_name}

    @action("replay", _("重新推送"), _("所选消息将重新排队推送至对方站点；对方已收到的消息不会重复处理。"), "fa-repeat", single=True)
    def replay(self, items):
        items = items if isinstance(items, list) else [items]
        count = 0
        for row in items:
            if row.state in ("死信", "推送失败"):
                delivery.replay(row)
                count += 1
            else:
                flash(gettext("消息 %(id)s 状态为%(state)s，无需重新推送", id=row.message_id,
                              state=word(row.state)), "warning")
        db.session.commit()
        if count:
            flash(ngettext("已重新推送 %(num)d 条消息", "已重新推送 %(num)d 条消息", count), "success")
        return redirect(request.referrer or url_for(".list"))


class InboxView(ReadWriteModelView):
    datamodel = CappedCount(InboxMessage)
    class_permission_name = "SyncMonitor"
    route_base = "/sync/inbox"
    base_permissions = ["can_read"]
    list_title = _("接收记录")
    label_columns = {"message_id": _("消息编号"), "type": _("类型"), "source": _("来源"),
                     "entity_key": _("业务对象"), "entity_version": _("版本"),
                     "received_at": _("接收时间"), "result": _("处理结果"),
                     "body_sha256": _("内容摘要"), **ENVELOPE}
    list_columns = ["received_at", "type", "entity_key", "entity_version", "source", "result"]
    show_columns = ["message_id", "type", "source", "entity_key", "entity_version",
                    "received_at", "result", "body_sha256", "body"]
    search_columns = ["type", "source", "result", "entity_key", "message_id", "received_at"]
    base_order = ("id", "desc")
    formatters_columns = {"body": _envelope, "source": platform_name}


class SecurityEventView(ReadWriteModelView):
    datamodel = CappedCount(SecurityEvent)
    class_permission_name = "SyncMonitor"
    route_base = "/sync/refused"
    base_permissions = ["can_read"]
    list_title = _("拒收记录")
    label_columns = {"at": _("时间"), "remote_addr": _("来源地址"),
                     "claimed_source": _("声称的对端"), "message_id": _("消息编号"),
                     "status": _("HTTP状态"), "reason": _("原因")}
    list_columns = ["at", "remote_addr", "claimed_source", "status", "reason"]
    search_columns = ["claimed_source", "status", "at"]
    base_order = ("id", "desc")
    formatters_columns = {"claimed_source": platform_name}


class PeerView(ReadWriteModelView):
    datamodel = TypedInterface(Peer)
    class_permission_name = "Peer"
    route_base = "/sync/peers"
    list_title = _("同步对端")
    label_columns = {"code": _("对端编码"), "name": _("名称"), "base_url": _("接口地址"),
                     "active": _("启用"), "keys": _("密钥")}
    list_columns = ["code", "name", "base_url", "active"]
    show_columns = ["code", "name", "base_url", "active"]
    search_columns = ["code", "name", "base_url", "active"]  # not keys: secrets are never listed
    add_columns = ["code", "name", "base_url", "active"]
    edit_columns = ["name", "base_url", "active"]


def _usable_key(form, field):
    if message := key_error(field.data or ""):
        raise ValidationError(message)


class PeerKeyView(ReadWriteModelView):
    """Keys are added and retired, never shown back or edited in place."""

    datamodel = TypedInterface(PeerKey)
    class_permission_name = "Peer"
    route_base = "/sync/keys"
    list_title = _("共享密钥")
    label_columns = {"peer": _("对端"), "secret": _("密钥"), "active": _("启用"),
                     "created_at": _("创建时间"), "retired_at": _("停用时间"), "note": _("说明")}
    list_columns = ["peer", "active", "created_at", "retired_at", "note"]
    show_columns = list_columns
    add_columns = ["peer", "secret", "note"]
    edit_columns = ["active", "note"]
    validators_columns = {"secret": [_usable_key]}


class RqDashboard(BaseView):
    """【任务队列（RQ）】: rq-dashboard (mounted at /rq) framed in the site's
    navbar. Its can_read also guards /rq itself (create_app)."""

    route_base = "/sync/rq"
    default_view = "index"
    base_permissions = ["can_read"]
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("sync/rq_frame.html")
