"""Roles as code, and the security manager that knows our user model.

Each role is an explicit list of (permission, view) pairs, as in Airflow.
`flask roles sync` applies them idempotently: missing pairs are added,
pairs no longer listed are removed. Admin holds every permission of its site.

Our views map FAB's methods to four verbs (see app/views/common/base.py):
can_read, can_create, can_edit, can_delete, plus named actions (can_file).
"""
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.views import UserDBModelView

from .models import OrgUser

# Pairs every signed-in user needs: their own profile and password.
SELF_SERVICE = [
    ("can_userinfo", "OrgUserDBModelView"),
    ("resetmypassword", "OrgUserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("userinfoedit", "OrgUserDBModelView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("can_get", "MenuApi"),
    ("can_get", "OpenApi"),
]

READ_ORGANISATIONS = [
    ("can_read", "Organisation"),
    ("can_read", "Region"),
    ("menu_access", "SystemMenu"),
    ("menu_access", "Organisations"),
    ("menu_access", "Regions"),
]

READ_PLANS = [
    ("can_read", "Plan"),
    ("menu_access", "PlanMenu"),
    ("menu_access", "PlanFiling"),
    # 标段推送: the projects and lots trading platforms accepted
    ("can_read", "ProjectReplica"),
    ("can_read", "LotReplica"),
    ("menu_access", "TradingProjects"),
]

FILE_PLANS = READ_PLANS + [
    ("can_create", "Plan"),
    ("can_edit", "Plan"),
    ("can_delete", "Plan"),
    ("can_file", "Plan"),
]

# 【待办任务】: what waits for the user, in any approval chain.
TODO = [
    ("can_read", "Todo"),
    ("menu_access", "Todo"),
]

READ_WINNER_CHANGES = [
    ("can_read", "WinnerChange"),
    ("menu_access", "SuperviseMenu"),
    ("menu_access", "WinnerChanges"),
]

FILE_WINNER_CHANGES = READ_WINNER_CHANGES + [
    ("can_create", "WinnerChange"),
    ("can_edit", "WinnerChange"),
    ("can_delete", "WinnerChange"),
    ("can_submit", "WinnerChange"),
]

# Which step a reviewer may take is the chain's business
# (app/workflows/winner_change.py); this only opens the review page.
REVIEW_WINNER_CHANGES = READ_WINNER_CHANGES + [("can_review", "WinnerChange")]

# 【信息发布】→【采购公告发布】: the 项目向导 (app/views/gps/notices.py). The unit's
# 经办岗 and the entrusted agency draft and publish; reviewers and regulators
# follow the project through the wizard.
READ_NOTICES = [
    ("can_read", "NoticePublish"),
    ("menu_access", "NoticeMenu"),
    ("menu_access", "NoticePublish"),
]
PUBLISH_NOTICES = READ_NOTICES + [("can_publish", "NoticePublish")]
REVIEWER = (SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + TODO + REVIEW_WINNER_CHANGES
            + READ_NOTICES)

GPS_ROLES = {
    "采购单位经办岗": (SELF_SERVICE + FILE_PLANS + READ_ORGANISATIONS + TODO
                + FILE_WINNER_CHANGES + PUBLISH_NOTICES),
    "单位内部审核岗": REVIEWER,
    "代理机构": SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + PUBLISH_NOTICES,
    "监管初审岗": REVIEWER,
    "监管复核岗": REVIEWER,
    "监管处": (SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + READ_WINNER_CHANGES
            + READ_NOTICES),
}

READ_RECEIVED_PLANS = [
    ("can_read", "ReceivedPlan"),
    ("menu_access", "InteropMenu"),
    ("menu_access", "ReceivedPlans"),
]

READ_ACCEPTANCES = [
    ("can_read", "Acceptance"),
    ("can_read", "Lot"),
    ("menu_access", "ProjectMenu"),
    ("menu_access", "Acceptance"),
    ("menu_access", "Lots"),
]

# 项目进场受理: the agency files, 中心业务科室 reviews (app/workflows/acceptance.py).
FILE_ACCEPTANCES = READ_ACCEPTANCES + [
    ("can_create", "Acceptance"),
    ("can_edit", "Acceptance"),
    ("can_delete", "Acceptance"),
    ("can_submit", "Acceptance"),
    ("can_create", "Lot"),
    ("can_edit", "Lot"),
    ("can_delete", "Lot"),
]

REVIEW_ACCEPTANCES = READ_ACCEPTANCES + [("can_review", "Acceptance")]

# 变更公告 column: the agency adjusts times, 中心业务科室 reviews them.
READ_TIME_CHANGES = [("can_read", "TimeChange"), ("menu_access", "TimeChanges")]
ADJUST_TIME_CHANGES = READ_TIME_CHANGES + [("can_edit", "TimeChange"),
                                           ("can_submit", "TimeChange")]
REVIEW_TIME_CHANGES = READ_TIME_CHANGES + [("can_review", "TimeChange")]

# After 受理通过 (app/lot_settings.py): 资费定义, 招标文件规划与开评标配置, 评分标准,
# 符合性审查, 项目质疑, 开标记录, 项目阶段. The agency writes, 中心业务科室 reads.
LOT_SETTINGS_READ = [
    ("can_read", "LotFee"),
    ("can_read", "LotSetting"),
    ("can_read", "ScoringItem"),
    ("can_read", "ComplianceItem"),
    ("can_read", "Objection"),
    ("can_read", "OpeningBid"),
    ("can_read", "ProjectStage"),
    ("menu_access", "ProjectMenu"),
    ("menu_access", "LotFees"),
    ("menu_access", "LotSettings"),
    ("menu_access", "ScoringItems"),
    ("menu_access", "ComplianceItems"),
    ("menu_access", "Objections"),
    ("menu_access", "OpeningBids"),
    ("menu_access", "ProjectStages"),
]

LOT_SETTINGS_WRITE = LOT_SETTINGS_READ + [
    ("can_edit", "LotFee"),
    ("can_edit", "LotSetting"),
    *[(perm, view) for view in ("ScoringItem", "ComplianceItem", "Objection", "OpeningBid")
      for perm in ("can_create", "can_edit", "can_delete")],
    ("can_advance", "ProjectStage"),  # 开始评标, 评标结束
]

# 【项目公告】: the notices GPS published for the projects in the user's scope.
READ_PROJECT_NOTICES = [
    ("can_read", "ProjectNotice"),
    ("menu_access", "ProjectMenu"),
    ("menu_access", "ProjectNotices"),
]

TRADING_ROLES = {
    "代理机构": (SELF_SERVICE + READ_ORGANISATIONS + READ_RECEIVED_PLANS + TODO
             + FILE_ACCEPTANCES + ADJUST_TIME_CHANGES + LOT_SETTINGS_WRITE
             + READ_PROJECT_NOTICES),
    "中心业务科室": (SELF_SERVICE + READ_ORGANISATIONS + READ_RECEIVED_PLANS + TODO
               + REVIEW_ACCEPTANCES + REVIEW_TIME_CHANGES + LOT_SETTINGS_READ
               + READ_PROJECT_NOTICES),
}

ADMIN = "Admin"


def roles_for(site: str) -> dict:
    return GPS_ROLES if site == "gps" else TRADING_ROLES


class OrgUserDBModelView(UserDBModelView):
    """FAB's user admin with the user's organisation added."""

    list_columns = ["first_name", "last_name", "username", "organisation",
                    "roles", "active"]
    show_fieldsets = [
        ("User info", {"fields": ["username", "active", "roles", "organisation",
                                  "login_count"]}),
        ("Personal Info", {"fields": ["first_name", "last_name", "email"],
                           "expanded": True}),
    ]
    add_columns = UserDBModelView.add_columns + ["organisation"]
    edit_columns = ["first_name", "last_name", "username", "active", "email",
                    "roles", "organisation"]
    search_columns = ["username", "first_name", "organisation", "roles", "active"]


class SecurityManager(FabSecurityManager):
    user_model = OrgUser
    userdbmodelview = OrgUserDBModelView


def sync_roles(appbuilder, site: str) -> list[str]:
    """Make the database's roles match the lists above. Returns what changed."""
    sm = appbuilder.sm
    # FAB grants every new permission to the admin role while adding them,
    # so the role must exist first.
    sm.find_role(ADMIN) or sm.add_role(ADMIN)
    appbuilder.add_permissions(update_perms=True)
    sm.security_cleanup(appbuilder.baseviews, appbuilder.menu)
    changes = []
    wanted = dict(roles_for(site))
    wanted[ADMIN] = None
    for role_name, pairs in wanted.items():
        role = sm.find_role(role_name) or sm.add_role(role_name)
        if pairs is None:
            target = {(pv.permission.name, pv.view_menu.name): pv
                      for pv in _all_permission_views(sm)}
        else:
            target = {}
            for perm, view in pairs:
                pv = sm.find_permission_view_menu(perm, view)
                if pv is None:
                    raise LookupError(f"角色“{role_name}”引用了不存在的权限 {perm} on {view}")
                target[(perm, view)] = pv
        current = {(pv.permission.name, pv.view_menu.name): pv for pv in role.permissions}
        for key in target.keys() - current.keys():
            sm.add_permission_role(role, target[key])
            changes.append(f"+ {role_name}: {key[0]} on {key[1]}")
        for key in current.keys() - target.keys():
            sm.del_permission_role(role, current[key])
            changes.append(f"- {role_name}: {key[0]} on {key[1]}")
    sm.session.commit()
    return changes


def _all_permission_views(sm):
    return sm.session.query(sm.permissionview_model).all()
