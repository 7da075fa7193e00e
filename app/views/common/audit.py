"""【审计日志】: who did what, read-only for everyone including Admin."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from ...models import AuditLog
from .base import ReadWriteModelView


class AuditLogView(ReadWriteModelView):
    datamodel = SQLAInterface(AuditLog)
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
