"""Regions, organisations, trading platforms and the push threshold matrix."""
from flask import flash, g, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _
from flask_appbuilder.models.filters import BaseFilter
from marshmallow import ValidationError as SchemaError
from wtforms.validators import ValidationError

from .typed_filters import TypedInterface
from .validation import form_phone, schema_phone
from ...audit import record
from ...extensions import db
from ...models import Organisation, Platform, PushThreshold, Region
from ...organisations import (carry_region, created_detail, edit_detail, parent_refusal,
                              place_region, type_change_refusal, type_refusal)
from ...rules.credit_code import credit_code_error
from ...scope import OrganisationScope
from .base import ReadWriteApi, ReadWriteModelView, Rejected


def _credit_code_valid(form, field):
    message = credit_code_error(field.data)
    if message:
        raise ValidationError(message)


def _positive_amount(form, field):
    # NaN compares as an error; Infinity is no amount either.
    if field.data is None or not field.data.is_finite() or field.data <= 0:
        raise ValidationError("限额金额必须大于0元")


def _region_code_valid(form, field):
    code = field.data or ""
    if len(code) != 6 or not code.isdigit():
        raise ValidationError("行政区划代码应为6位数字")
    # The code is the key, which FAB's uniqueness check leaves out (the add
    # form only has it: an edit cannot change it).
    if db.session.get(Region, code) is not None:
        raise ValidationError("该区划代码已存在")


def _edited_region() -> Region | None:
    # Only the edit form has one: a new region has nothing below it yet.
    code = (request.view_args or {}).get("pk")
    return db.session.get(Region, code) if code else None


def _type_valid(form, field):
    code = (request.view_args or {}).get("pk")
    org = db.session.get(Organisation, code) if code else None
    if org is not None and (message := type_refusal(org.id, org.org_type, field.data)):
        raise ValidationError(gettext(message))


def _parent_valid(form, field):
    region = _edited_region() if field.data is not None else None
    if region is not None and (message := parent_refusal(region, field.data)):
        raise ValidationError(gettext(message))


class ParentChoices(BaseFilter):
    """上级区划 offers only what parent_refusal allows: not the region being
    edited, nor one below it. (_parent_valid still refuses a posted one.)"""

    name = "可选的上级区划"
    arg_name = "parent_choices"

    def apply(self, query, value):
        region = _edited_region()
        if region is None or not region.path:
            return query
        return query.filter(~Region.path.startswith(region.path, autoescape=True))


class RegionView(ReadWriteModelView):
    datamodel = TypedInterface(Region)
    class_permission_name = "Region"
    route_base = "/regions"
    list_title = _("行政区划")
    label_columns = {"code": _("区划代码"), "name": _("名称"), "level": _("级别"),
                     "parent": _("上级区划"), "path": _("路径")}
    list_columns = ["code", "name", "level", "parent"]
    show_columns = ["code", "name", "level", "parent", "path"]
    add_columns = ["code", "name", "level", "parent"]
    edit_columns = ["name", "level", "parent"]
    search_columns = ["code", "name", "level"]
    base_order = ("code", "asc")
    validators_columns = {"code": [_region_code_valid], "parent": [_parent_valid]}
    edit_form_query_rel_fields = {"parent": [["path", ParentChoices, None]]}
    confirm_changes = {"parent": (_("修改上级区划"), _(
        "保存后，本区划及其下级区划的全部记录将归入新的上级区划：原上级区划的监管部门将不再看到，"
        "新上级区划的监管部门将看到。"))}

    def pre_add(self, item):
        place_region(item)

    pre_update = pre_add


ORG_LABELS = {
    "name": _("机构名称"), "org_type": _("机构类型"), "credit_code": _("统一社会信用代码"),
    "region": _("所属区划"), "contact": _("联系人"), "phone": _("联系电话"),
    "address": _("地址"),
}
ORG_FORM = ["name", "org_type", "credit_code", "region", "contact", "phone", "address"]


class OrganisationView(ReadWriteModelView):
    datamodel = TypedInterface(Organisation)
    class_permission_name = "Organisation"
    route_base = "/organisations"
    list_title = _("组织机构")
    label_columns = ORG_LABELS
    list_columns = ["name", "org_type", "credit_code", "region"]
    show_columns = ORG_FORM
    add_columns = ORG_FORM
    edit_columns = ORG_FORM
    search_columns = ["name", "org_type", "credit_code"]
    base_filters = [["id", OrganisationScope, None]]
    base_order = ("id", "asc")
    validators_columns = {"credit_code": [_credit_code_valid], "org_type": [_type_valid],
                          "phone": [form_phone]}
    confirm_changes = {"region": (_("修改所属区划"), _(
        "保存后，该单位的全部记录（采购计划、公告、中标结果变更备案、合同、专家抽取申请、项目监督）"
        "将随之转入新的所属区划：原区划的监管部门将不再看到，新区划的监管部门将看到。"))}

    def pre_add(self, item):
        item.credit_code = item.credit_code.strip().upper()
        audit_added(item)

    def pre_update(self, item):
        item.credit_code = item.credit_code.strip().upper()
        moved = audit_edit(item)
        if moved:
            flash(ngettext("该单位的 %(num)d 条记录已随之转入新的所属区划",
                           "该单位的 %(num)d 条记录已随之转入新的所属区划", moved), "info")

    def pre_delete(self, item):
        audit_deleted(item)


def _credit_code_schema_valid(value):
    message = credit_code_error(value)
    if message:
        raise SchemaError(message)


class OrganisationApi(ReadWriteApi):
    resource_name = "organisation"
    datamodel = TypedInterface(Organisation)
    class_permission_name = "Organisation"
    base_filters = [["id", OrganisationScope, None]]
    list_columns = ["id", "name", "org_type", "credit_code", "region_code"]
    show_columns = ["id", "name", "org_type", "credit_code", "region_code",
                    "contact", "phone", "address"]
    add_columns = ORG_FORM
    edit_columns = ORG_FORM
    search_columns = ["name", "org_type", "credit_code"]
    validators_columns = {"credit_code": _credit_code_schema_valid, "phone": schema_phone}

    def pre_add(self, item):
        audit_added(item)

    def pre_update(self, item):
        if message := type_change_refusal(item):
            raise Rejected({"org_type": [gettext(message)]})
        audit_edit(item)

    def pre_delete(self, item):
        audit_deleted(item)


# Who changed an organisation, and how: moving a unit moves whose regulators
# see its records (a browser walk found a unit moved with no trace).

def audit_edit(item) -> int:
    """Move the unit's records if its region changed; audit the edit (the
    flush commits both). How many records moved."""
    parts, move = edit_detail(item)  # read before carry_region's UPDATEs
    moved = carry_region(item)
    if move:
        parts.append(f"{move}（{moved} 条记录随之转入）")
    if parts:
        record(g.user, "修改组织机构", item, "；".join(parts))
    return moved


def audit_added(item) -> None:
    # Committed with the organisation by FAB; its id, the entity key, is
    # filled in by the flush that inserts it (app/audit.py).
    record(g.user, "新增组织机构", item, created_detail(item))


def audit_deleted(item) -> None:
    record(g.user, "删除组织机构", item, created_detail(item))


class PlatformView(ReadWriteModelView):
    """交易平台. Its address and keys are the sync peer's (【同步监控】→【同步对端】)."""

    datamodel = TypedInterface(Platform)
    class_permission_name = "Platform"
    route_base = "/platforms"
    list_title = _("交易平台")
    label_columns = {"code": _("平台编码"), "name": _("平台名称"), "region": _("服务区划"),
                     "peer": _("同步对端"), "active": _("启用")}
    list_columns = ["code", "name", "region", "peer", "active"]
    show_columns = list_columns
    add_columns = ["peer", "name", "region", "active"]
    edit_columns = ["name", "region", "active"]

    def pre_add(self, item):
        item.code = item.peer.code


class PushThresholdView(ReadWriteModelView):
    datamodel = TypedInterface(PushThreshold)
    class_permission_name = "PushThreshold"
    route_base = "/push-thresholds"
    list_title = _("推送限额标准")
    label_columns = {"region_level": _("区划级别"), "category": _("采购类别"),
                     "amount": _("限额（元）"), "effective_from": _("执行日期"),
                     "basis": _("依据文件")}
    list_columns = ["region_level", "category", "amount", "effective_from", "basis"]
    add_columns = list_columns
    edit_columns = list_columns
    search_columns = ["region_level", "category", "effective_from"]
    base_order = ("effective_from", "desc")
    validators_columns = {"amount": [_positive_amount]}
