"""FAB's user, role and permission pages, in the site's words.

FAB names permissions after methods (can_read, menu_access) and view menus
after classes (Plan, OrgUserDBModelView); an administrator reads them here
as 功能 and 菜单 in Chinese. Menu and view labels come from the menu the
site registered (so a new view is named without an entry here); FAB's own
views and the verbs are named below. The SecurityManager in app/security.py
swaps these subclasses in for FAB's.
"""
from flask import current_app
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget, Select2Widget
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.views import (
    PermissionModelView, PermissionViewModelView, RoleModelView, UserDBModelView,
    UserGroupModelView, UserStatsChartView, ViewMenuModelView)
from flask_appbuilder.widgets import ListWidget, RenderTemplateWidget, ShowWidget
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _

from . import formatting
from .base import ReadableValues, TranslatedResponses
from .validation import NulRefusingForms
from .widgets import NativeDateForms

PERMISSIONS = {
    "can_read": _("查看"), "can_create": _("新增"), "can_edit": _("编辑"),
    "can_delete": _("删除"), "can_file": _("备案"), "can_submit": _("提交"),
    "can_review": _("审核"), "can_publish": _("发布"), "can_advance": _("推进阶段"),
    "can_replay": _("重新推送"), "menu_access": _("菜单"),
    "can_list": _("列表"), "can_show": _("详情"), "can_add": _("新增"),
    "can_download": _("下载"), "can_get": _("读取"), "can_info": _("接口说明"),
    "can_post": _("新增"), "can_put": _("修改"), "can_chart": _("图表"),
    "can_userinfo": _("个人信息"), "userinfoedit": _("编辑个人信息"),
    "resetmypassword": _("修改本人密码"), "resetpasswords": _("重置密码"),
    "can_this_form_get": _("打开表单"), "can_this_form_post": _("提交表单"),
    "copyrole": _("复制角色"), "can_access": _("访问"),
    "can_draw": _("抽取"), "can_export": _("导出"), "can_import": _("导入"),
    "can_correct": _("更正"),
}

# FAB's own views and menus (the site's own come from its menu).
VIEW_MENUS = {
    "OrgUserDBModelView": _("用户"), "RoleModelView": _("角色"),
    "PermissionModelView": _("功能"), "ViewMenuModelView": _("菜单与视图"),
    "PermissionViewModelView": _("角色权限项"), "UserGroupModelView": _("用户组"),
    "UserStatsChartView": _("用户统计"), "ResetMyPasswordView": _("修改本人密码"),
    "ResetPasswordView": _("重置密码"), "UserInfoEditView": _("编辑个人信息"),
    "AuthDBView": _("登录"), "LocaleView": _("切换语言"), "UtilView": _("返回"),
    "HomeView": _("首页"), "MenuApi": _("菜单接口"), "OpenApi": _("接口文档"),
    "SwaggerView": _("接口文档页面"), "SecurityApi": _("登录接口"),
    "RqDashboard": _("任务队列（RQ）"), "SyncMonitor": _("同步监控"),
    "Security": _("用户权限"), "List Users": _("用户"), "List Roles": _("角色"),
    "List Groups": _("用户组"), "User's Statistics": _("用户统计"),
    "Base Permissions": _("功能"), "Views/Menus": _("菜单与视图"),
    "Permission on Views/Menus": _("角色权限项"),
}

ROLES = {"Admin": _("系统管理员"), "Public": _("公众")}


def permission_label(name) -> str:
    return str(PERMISSIONS.get(name, name))


def view_menu_label(name) -> str:
    if name in VIEW_MENUS:
        return str(VIEW_MENUS[name])
    return _site_labels().get(name, name)


def _site_labels() -> dict:
    """View-menu name → label, from the menu this site registered: a menu
    item by its name and by its view's permission name, a category by its name.
    Built once per request (a role lists hundreds of permissions)."""
    from flask import g

    if "view_menu_labels" not in g:
        g.view_menu_labels = _menu_labels()
    return g.view_menu_labels


def _menu_labels() -> dict:
    labels = {}

    def walk(items):
        for item in items:
            label = str(item.label or item.name)
            labels.setdefault(item.name, label)
            view = getattr(item, "baseview", None)
            if view is not None:
                labels.setdefault(view.class_permission_name, label)
            walk(item.childs or [])

    walk(current_app.appbuilder.menu.get_list())
    for view in current_app.appbuilder.baseviews:
        title = getattr(view, "list_title", None)
        name = getattr(view, "class_permission_name", None)
        if name and title and name not in labels:
            labels[name] = str(title)
    return labels


def permission_view_label(pv) -> str:
    view = view_menu_label(pv.view_menu.name)
    if pv.permission.name == "menu_access":
        return gettext("菜单：%(menu)s", menu=view)
    return gettext("%(view)s：%(permission)s", view=view,
                   permission=permission_label(pv.permission.name))


def role_label(role) -> str:
    name = getattr(role, "name", role)
    return str(ROLES.get(name, name))


def _labels(function):
    def format_many(values):
        return gettext("、").join(function(v) for v in values or []) or formatting.EMPTY

    return format_many


def _permission_query():
    from ...extensions import db

    model = current_app.appbuilder.sm.permissionview_model
    return db.session.query(model)


def _role_query():
    from ...extensions import db

    return db.session.query(current_app.appbuilder.sm.role_model)


def _roles_field(description):
    return QuerySelectMultipleField(
        _("角色"), query_func=_role_query, get_label=role_label,
        get_pk_func=lambda role: role.id, widget=Select2ManyWidget(),
        description=description)


def _search_field(label, model_attribute, get_label):
    """A related column's search field, its options named in Chinese (FAB's
    would print each record with str(): "Admin", "can read on Plan")."""
    from ...extensions import db

    def query():
        return db.session.query(getattr(current_app.appbuilder.sm, model_attribute))

    return QuerySelectField(label, query_func=query, get_label=get_label,
                            get_pk_func=lambda record: record.id, widget=Select2Widget(),
                            allow_blank=True)


def _permissions_field():
    return QuerySelectMultipleField(
        _("权限"), query_func=_permission_query, get_label=permission_view_label,
        get_pk_func=lambda pv: pv.id,
        widget=Select2ManyWidget(),
        description=_("角色可用的菜单与功能"))


USER_LABELS = {
    # Chinese order: first_name holds 姓 and last_name 名, as the demo, the
    # notices' 联系人 and OrgUser.__str__ read them ("张" + "经办").
    "get_full_name": _("姓名"), "first_name": _("姓"), "last_name": _("名"),
    "username": _("用户名"), "password": _("密码"), "conf_password": _("确认密码"),
    "active": _("启用"), "email": _("电子邮箱"), "roles": _("角色"), "groups": _("用户组"),
    "organisation": _("所属组织机构"), "last_login": _("最近登录"),
    "login_count": _("登录次数"), "fail_login_count": _("登录失败次数"),
    "created_on": _("创建时间"), "created_by": _("创建人"),
    "changed_on": _("修改时间"), "changed_by": _("修改人"),
}


class OrgUserDBModelView(NulRefusingForms, ReadableValues, UserDBModelView):
    """FAB's user admin with the user's organisation added."""

    # FAB's /download/<filename> serves an UPLOAD_FOLDER this app does not have.
    exclude_route_methods = {"download"}

    list_title = _("用户")
    show_title = _("用户详情")
    add_title = _("增加用户")
    edit_title = _("编辑用户")
    user_info_title = _("个人信息")
    label_columns = dict(USER_LABELS)
    description_columns = {
        "first_name": _("姓"),
        "last_name": _("名（姓名中姓以外的部分）"),
        "username": _("登录用的用户名"),
        "password": _("登录密码"),
        "conf_password": _("再输入一次密码"),
        "active": _("不再使用的账号请停用，不要删除"),
        "email": _("用户的电子邮箱"),
        "roles": _("用户的角色，决定其可用的菜单与功能"),
        "groups": _("用户所属的用户组，用户组带有一组角色"),
        "organisation": _("用户所属的单位、代理机构、监管部门或交易中心，决定其可见的数据"),
    }
    list_columns = ["first_name", "last_name", "username", "organisation",
                    "roles", "active"]
    show_fieldsets = [
        (_("账号信息"), {"fields": ["username", "active", "roles", "organisation",
                                 "login_count"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email"],
                         "expanded": True}),
    ]
    user_show_fieldsets = [
        (_("账号信息"), {"fields": ["username", "active", "roles", "organisation",
                                 "login_count"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email"],
                         "expanded": True}),
    ]
    add_columns = UserDBModelView.add_columns + ["organisation"]
    edit_columns = ["first_name", "last_name", "username", "active", "email",
                    "roles", "organisation"]
    search_columns = ["username", "first_name", "organisation", "roles", "active"]
    formatters_columns = {"roles": _labels(role_label)}
    add_form_extra_fields = {
        **UserDBModelView.add_form_extra_fields,
        "roles": _roles_field(description_columns["roles"])}
    edit_form_extra_fields = {"roles": _roles_field(description_columns["roles"])}
    search_form_extra_fields = {"roles": _search_field(_("角色"), "role_model", role_label)}


class SiteRoleModelView(NulRefusingForms, ReadableValues, RoleModelView):
    # FAB's /download/<filename> serves an UPLOAD_FOLDER this app does not have.
    exclude_route_methods = {"download"}
    class_permission_name = "RoleModelView"  # the permission FAB's own view holds
    # FAB's role widgets print the permission objects themselves; the plain
    # widgets print them through formatters_columns.
    list_widget = ListWidget
    show_widget = ShowWidget
    list_title = _("角色")
    show_title = _("角色详情")
    add_title = _("增加角色")
    edit_title = _("编辑角色")
    label_columns = {"name": _("角色名称"), "permissions": _("权限"), "user": _("用户"),
                     "groups": _("用户组")}
    formatters_columns = {"name": role_label, "permissions": _labels(permission_view_label)}
    add_form_extra_fields = {"permissions": _permissions_field()}
    edit_form_extra_fields = add_form_extra_fields
    search_columns = ["name", "permissions"]
    search_form_extra_fields = {"permissions": _search_field(
        _("权限"), "permissionview_model", permission_view_label)}


class SitePermissionModelView(ReadableValues, PermissionModelView):
    class_permission_name = "PermissionModelView"  # the permission FAB's own view holds
    list_title = _("功能")
    show_title = _("功能详情")
    label_columns = {"name": _("功能")}
    formatters_columns = {"name": permission_label}


class SiteViewMenuModelView(ReadableValues, ViewMenuModelView):
    class_permission_name = "ViewMenuModelView"  # the permission FAB's own view holds
    list_title = _("菜单与视图")
    show_title = _("菜单与视图详情")
    label_columns = {"name": _("菜单或视图")}
    formatters_columns = {"name": view_menu_label}


class SitePermissionViewModelView(ReadableValues, PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"  # the permission FAB's own view holds
    list_title = _("角色权限项")
    label_columns = {"permission": _("功能"), "view_menu": _("菜单或视图"), "role": _("角色")}
    formatters_columns = {"permission": lambda p: permission_label(p.name),
                          "view_menu": lambda v: view_menu_label(v.name)}
    search_columns = ["permission", "view_menu", "role"]
    search_form_extra_fields = {
        "permission": _search_field(_("功能"), "permission_model",
                                    lambda p: permission_label(p.name)),
        "view_menu": _search_field(_("菜单或视图"), "viewmenu_model",
                                   lambda v: view_menu_label(v.name)),
        "role": _search_field(_("角色"), "role_model", role_label)}


class SiteUserGroupModelView(NulRefusingForms, ReadableValues, UserGroupModelView):
    # FAB's /download/<filename> serves an UPLOAD_FOLDER this app does not have.
    exclude_route_methods = {"download"}
    class_permission_name = "UserGroupModelView"  # the permission FAB's own view holds
    list_title = _("用户组")
    show_title = _("用户组详情")
    add_title = _("增加用户组")
    edit_title = _("编辑用户组")
    label_columns = {"name": _("名称"), "label": _("显示名称"), "description": _("说明"),
                     "users": _("用户"), "roles": _("角色")}
    formatters_columns = {"roles": _labels(role_label)}
    add_form_extra_fields = {"roles": _roles_field(_("用户组带有的角色"))}
    edit_form_extra_fields = add_form_extra_fields
    search_form_extra_fields = {"roles": _search_field(_("角色"), "role_model", role_label)}


class EChartsWidget(RenderTemplateWidget):
    """FAB's chart data drawn with the vendored ECharts (its own widgets load
    Google Charts from Google's servers: a blank page on an intranet)."""
    template = "widgets/echarts_chart.html"

    def __init__(self, **kwargs):
        chart_data = {"title": str(kwargs.get("chart_title", "")),
                      "table": kwargs.get("value_columns") or {},
                      "locale": str(get_locale() or "zh")}
        super().__init__(chart_data=chart_data, **kwargs)


class SiteUserStatsChartView(NativeDateForms, UserStatsChartView):
    """FAB's 用户统计 chart; NativeDateForms: its date filters get the native fields."""
    chart_widget = EChartsWidget
    # FAB writes into its views' label dicts: each view has a dict of its own.
    route_base = "/userstatschartview"
    class_permission_name = "UserStatsChartView"
    chart_title = _("用户统计")
    label_columns = dict(USER_LABELS)
    search_form_extra_fields = {"roles": _search_field(_("角色"), "role_model", role_label)}
    definitions = [
        {"label": _("登录次数"), "group": "username", "series": ["login_count"]},
        {"label": _("登录失败次数"), "group": "username", "series": ["fail_login_count"]},
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # FAB's chart names each series and the grouped column in English
        # after the fact; put the Chinese labels back.
        self.label_columns.update(USER_LABELS)

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._known_chart)
        return blueprint

    def _known_chart(self):
        """FAB reads /chart/<n> with int() and picks its definitions[n]: a
        word or a number past them was a 500. Not a chart here: a 404."""
        from flask import abort, request

        group_by = (request.view_args or {}).get("group_by")
        if group_by is not None and not (group_by.isascii() and group_by.isdigit()
                                         and int(group_by) < len(self.definitions)):
            abort(404)


class SiteSecurityApi(TranslatedResponses, SecurityApi):
    """FAB's /api/v1/security (login, refresh), answering in the user's
    language; a refused login says why without telling which part was wrong."""

    class_permission_name = "SecurityApi"  # FAB's, as the roles already hold it

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._refuse_unreadable_login)
        return blueprint

    def _refuse_unreadable_login(self):
        """FAB's login reads body["provider"] though its schema does not
        require it (a KeyError; FAB's schema answers a body lacking more), and looks the user up with a NUL in the name
        (PostgreSQL's error): both were 500s."""
        from flask import request

        body = request.get_json(silent=True) if request.method == "POST" else None
        if not isinstance(body, dict) or not request.path.endswith("/login"):
            return None
        if "provider" not in body and {"username", "password"} <= body.keys():
            return self.response_400(message={"provider": [gettext("必填项，不能为空。")]})
        if any(isinstance(value, str) and "\x00" in value for value in body.values()):
            return self.response_400(message=gettext("提交的内容含有空字符（\\x00），请检查后重新提交。"))
        return None

    def response_401(self):
        return self.response(401, message=gettext("用户名或密码错误，或账号已停用。"))
