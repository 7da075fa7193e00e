"""Roles as code, and the security manager that knows our user model.

Each role is an explicit list of (permission, view) pairs, as in Airflow.
`flask roles sync` applies them idempotently: missing pairs are added,
pairs no longer listed are removed. Admin holds every permission of its site.

Our views map FAB's methods to four verbs (see app/views/common/base.py):
can_read, can_create, can_edit, can_delete, plus named actions (can_file).
"""
import hashlib
import hmac
import logging
import time
from types import SimpleNamespace

from flask import (
    current_app, flash, g, has_request_context, jsonify, make_response, request, session)
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_babel import force_locale, gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in
from limits import parse as parse_limit
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .models import GrantsVersion, Organisation, OrgUser
from .views.common import security_views as views
from .views.common.typed_filters import TypedInterface

log = logging.getLogger("security.auth")

# Where a browser session keeps the user's session_version from its login.
SESSION_VERSION_KEY = "session_version"
# Where load_session_user leaves the grants_version it read, for _granted.
GRANTS_VERSION_KEY = "gps.grants_version"
# JWT claim binding a token to the password it was issued under.
CREDENTIAL_CLAIM = "cred"

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
# 【专家管理】→【专家库】 and 【评审专业】 (app/experts.py): the regulators keep
# the library of their region and the regions below it. can_edit on Expert is
# what experts.may_maintain looks for: 身份证号 and mobile unmasked.
MAINTAIN_EXPERTS = [
    ("can_read", "Expert"),
    ("can_create", "Expert"),
    ("can_edit", "Expert"),
    ("can_import", "Expert"),
    ("can_read", "ExpertSpeciality"),
    ("menu_access", "ExpertMenu"),
    ("menu_access", "ExpertLibrary"),
    ("menu_access", "ExpertSpecialities"),
]
# 【专家管理】→【专家抽取申请】 (app/views/gps/expert_requests.py). The unit's
# 经办岗 and the agency file; the region's 监管初审岗 reviews (which step is
# the chain's business, app/workflows/expert_request.py); other regulators read.
READ_EXPERT_REQUESTS = [
    ("can_read", "ExpertRequest"),
    ("menu_access", "ExpertMenu"),  # 【专家管理】, shared with 【专家库】
    ("menu_access", "ExpertRequests"),
]
FILE_EXPERT_REQUESTS = READ_EXPERT_REQUESTS + [
    ("can_create", "ExpertRequest"),
    ("can_edit", "ExpertRequest"),
    ("can_delete", "ExpertRequest"),
    ("can_submit", "ExpertRequest"),
]
REVIEW_EXPERT_REQUESTS = READ_EXPERT_REQUESTS + [("can_review", "ExpertRequest")]

# 【合同管理】→【合同公告及备案】 (app/views/gps/contracts.py): the unit's 经办岗
# files, its 单位内部审核岗 approves (the chain decides which step,
# app/workflows/contract.py); the region's regulators read the filed ones in
# 【合同备案查询】 (and may open the 备案 and its signed original).
READ_CONTRACTS = [
    ("can_read", "Contract"),
    ("menu_access", "ContractMenu"),
    ("menu_access", "Contracts"),
]
FILE_CONTRACTS = READ_CONTRACTS + [
    ("can_create", "Contract"),
    ("can_edit", "Contract"),
    ("can_delete", "Contract"),
    ("can_submit", "Contract"),
]
REVIEW_CONTRACTS = READ_CONTRACTS + [("can_review", "Contract")]
QUERY_CONTRACTS = [
    ("can_read", "Contract"),
    ("can_read", "ContractQuery"),
    ("menu_access", "ContractMenu"),
    ("menu_access", "ContractQuery"),
]

# 【项目监督】 (app/supervision.py, docs/supervision.md): the region's regulators
# see every project of their region and below, its 项目向导, timeline and 预警,
# and 【监督看板】. Read-only; no other organisation sees any of it (404).
SUPERVISE = [
    ("can_read", "Supervision"),
    ("can_export", "Supervision"),
    ("menu_access", "SupervisionMenu"),
    ("menu_access", "Supervision"),
]
SUPERVISION_DASHBOARD = [
    ("can_read", "SupervisionDashboard"),
    ("menu_access", "SupervisionMenu"),
    ("menu_access", "SupervisionDashboard"),
]
# 【历史】 (app/history.py): every change of a record, field by field, to
# whoever may read the record itself (the record's own scope decides).
READ_HISTORY = [("can_read", "History")]
REVIEWER = (SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + TODO + REVIEW_WINNER_CHANGES
            + READ_NOTICES)

# The draw page of an approved 专家抽取申请 (app/expert_draw.py): the region's
# regulators draw; the applicant and agency read (sealed until the 评审时间).
READ_EXPERT_DRAW = [("can_read", "ExpertDraw")]
DRAW_EXPERTS = READ_EXPERT_DRAW + [("can_draw", "ExpertDraw")]

GPS_ROLES = {
    "采购单位经办岗": (SELF_SERVICE + FILE_PLANS + READ_ORGANISATIONS + TODO
                + FILE_WINNER_CHANGES + PUBLISH_NOTICES + FILE_EXPERT_REQUESTS
                + READ_EXPERT_DRAW + FILE_CONTRACTS + READ_HISTORY),
    "单位内部审核岗": REVIEWER + REVIEW_CONTRACTS + READ_HISTORY,
    "代理机构": (SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + PUBLISH_NOTICES
             + FILE_EXPERT_REQUESTS + READ_EXPERT_DRAW + READ_HISTORY
             # A returned 专家抽取申请 waits for the agency that filed it.
             + TODO),
    "监管初审岗": (REVIEWER + MAINTAIN_EXPERTS + REVIEW_EXPERT_REQUESTS + DRAW_EXPERTS
              + QUERY_CONTRACTS + SUPERVISE + SUPERVISION_DASHBOARD + READ_HISTORY),
    "监管复核岗": (REVIEWER + MAINTAIN_EXPERTS + READ_EXPERT_REQUESTS + DRAW_EXPERTS
              + QUERY_CONTRACTS + SUPERVISE + SUPERVISION_DASHBOARD + READ_HISTORY),
    "监管处": (SELF_SERVICE + READ_PLANS + READ_ORGANISATIONS + READ_WINNER_CHANGES
            + READ_NOTICES + MAINTAIN_EXPERTS + READ_EXPERT_REQUESTS + DRAW_EXPERTS
            + QUERY_CONTRACTS + SUPERVISE + SUPERVISION_DASHBOARD + READ_HISTORY),
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

# 更正立项信息 after 受理通过 (app/project_info.py): the centre that accepts.
REVIEW_ACCEPTANCES = READ_ACCEPTANCES + [("can_review", "Acceptance"),
                                         ("can_correct", "Acceptance")]

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

# 【组建评委会】 (app/committee.py): the agency forms its lots' committees,
# 中心业务科室 reads them.
COMMITTEE_READ = [
    ("can_read", "Committee"),
    ("menu_access", "ProjectMenu"),
    ("menu_access", "Committees"),
]
COMMITTEE_WRITE = COMMITTEE_READ + [("can_edit", "Committee")]

# 【项目公告】: the notices GPS published for the projects in the user's scope.
READ_PROJECT_NOTICES = [
    ("can_read", "ProjectNotice"),
    ("menu_access", "ProjectMenu"),
    ("menu_access", "ProjectNotices"),
]

TRADING_ROLES = {
    "代理机构": (SELF_SERVICE + READ_ORGANISATIONS + READ_RECEIVED_PLANS + TODO
             + FILE_ACCEPTANCES + ADJUST_TIME_CHANGES + LOT_SETTINGS_WRITE
             + READ_PROJECT_NOTICES + COMMITTEE_WRITE + READ_HISTORY),
    "中心业务科室": (SELF_SERVICE + READ_ORGANISATIONS + READ_RECEIVED_PLANS + TODO
               + REVIEW_ACCEPTANCES + REVIEW_TIME_CHANGES + LOT_SETTINGS_READ
               + READ_PROJECT_NOTICES + COMMITTEE_READ + READ_HISTORY),
}

ADMIN = "Admin"


def roles_for(site: str) -> dict:
    return GPS_ROLES if site == "gps" else TRADING_ROLES


def _grants_version():
    """grants_version's one number, as a column of a larger statement."""
    return select(GrantsVersion.version).where(GrantsVersion.id == 1).scalar_subquery()


class SecurityManager(FabSecurityManager):
    user_model = OrgUser
    # FAB's security pages, in the site's words (app/views/common/security_views.py).
    security_api = views.SiteSecurityApi
    userdbmodelview = views.OrgUserDBModelView
    rolemodelview = views.SiteRoleModelView
    groupmodelview = views.SiteUserGroupModelView
    permissionmodelview = views.SitePermissionModelView
    viewmenumodelview = views.SiteViewMenuModelView
    permissionviewmodelview = views.SitePermissionViewModelView
    userstatschartview = views.SiteUserStatsChartView

    # --- login throttling ------------------------------------------------
    # FAB's AUTH_RATE_LIMITED limits only the login form, in a bucket of its
    # own. We apply one limit instead, shared by the form and the REST login
    # (guessing through both doors counts once), plus one on token refresh.

    def create_limiter(self, app):
        limiter = Limiter(key_func=app.config.get("RATELIMIT_KEY_FUNC", get_remote_address))
        limiter.init_app(app)
        # Flask-Limiter's own logger holds a NullHandler, which hides its
        # warning that Redis is unreachable (then limits fall back to memory,
        # RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): log it where operators look.
        limiter.logger = log
        return limiter

    @property
    def is_auth_limited(self) -> bool:
        return False  # FAB's own form-only limit: replaced in register_views

    def register_views(self):
        super().register_views()
        if not current_app.config.get("AUTH_RATE_LIMITED"):
            return
        per_address = self.limiter.shared_limit(
            lambda: current_app.config["AUTH_RATE_LIMIT"], scope=_auth_scope,
            methods=["POST"], on_breach=self._too_many_attempts)
        # And the failed sign-ins of one account, from any address: guessing
        # one user's password from many addresses passed the limit above.
        per_account = self.limiter.shared_limit(
            lambda: current_app.config["AUTH_ACCOUNT_LIMIT"], scope=_ACCOUNT_SCOPE,
            key_func=_signing_in_as, exempt_when=lambda: not _signing_in_as(),
            deduct_when=_sign_in_refused, methods=["POST"],
            on_breach=lambda breached: self._too_many_attempts(breached, _account_locked_message))
        blueprints = [self.auth_view.blueprint] + [
            view.blueprint for view in self.appbuilder.baseviews if isinstance(view, SecurityApi)]
        for blueprint in blueprints:
            per_address(blueprint)
            per_account(blueprint)

    def unlock_sign_in(self, username: str) -> None:
        """Forget the account's failed sign-ins (`flask users unlock`): it may
        sign in again now, before AUTH_ACCOUNT_LIMIT's window passes."""
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
        keys = [_account_key(username), _ACCOUNT_SCOPE]  # as Flask-Limiter keys it
        self.limiter.limiter.clear(parse_limit(current_app.config["AUTH_ACCOUNT_LIMIT"]),
                                   *([prefix, *keys] if prefix else keys))

    def _too_many_attempts(self, breached, message=None):
        seconds = max(1, int(breached.reset_at - time.time()))
        message = message or _too_many_message
        if request.path.startswith("/api/"):
            return _api_refusal(message, 429, seconds=seconds)
        # The form: the login page again, with the reason, and 429.
        flash(message(seconds=seconds), "danger")
        view = self.auth_view
        page = view.render_template(view.login_template, title=view.title,
                                    form=LoginForm_db(), appbuilder=self.appbuilder)
        return make_response(page, 429)

    # --- permission checks, kept per process until a role changes ---------
    # FAB asks the database once per check: a list page checks a dozen
    # (each action, each related view, the menu), which was most of its
    # statements and about 70 ms of it. The (permission, view) pairs a set of
    # roles holds are read once and kept by the process, under the number the
    # permission tables' triggers raise on every change (grants_version,
    # migration e7a9c1d3f5b8). That number is read with the session user, in
    # the same statement, so a role edited by an Admin still takes effect on
    # the user's next page, in every process, at no extra statement.

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # FAB gives its own views its plain datamodel here: the typed filters
        # instead (用户 filtered on 是否启用=100 was a 500 on PostgreSQL).
        for view in (self.userdbmodelview, self.userstatschartview, self.rolemodelview,
                     self.groupmodelview, self.permissionmodelview, self.viewmenumodelview,
                     self.permissionviewmodelview):
            if view is not None:
                view.datamodel = TypedInterface(view.datamodel.obj)
        # (grants_version, {role ids: grants}): one version's grants only,
        # replaced as a whole (one assignment, safe under threads) when a
        # request reads another number, newer or, after a restore, older.
        self._kept_grants: tuple = (None, {})
        self._session_user_statement = None  # load_session_user's, built on first use

    def _granted(self, role_ids) -> frozenset | None:
        if not has_request_context():
            return None  # the CLI and jobs: FAB's own query, as before
        cache = request.environ.setdefault("gps.granted_permissions", {})
        key = frozenset(role_ids)
        if key not in cache:
            version = request.environ.get(GRANTS_VERSION_KEY)
            kept_version, kept = self._kept_grants
            grants = kept.get(key) if version is not None and version == kept_version else None
            cache[key] = grants if grants is not None else self._read_grants(key, version)
        return cache[key]

    def _read_grants(self, role_ids: frozenset, version) -> frozenset:
        # Plain rows through the session's connection: the ORM layer adds
        # nothing to pairs of names but time. The number again, in the same
        # statement: the grants are kept only if it is still the one read
        # with the user. If it moved, a change was committed in between, or
        # this request's own uncommitted edit raised it, which a rollback
        # may yet undo: read again next time.
        pv, assoc = self.permissionview_model, assoc_permissionview_role
        rows = self.session.connection().execute(
            select(self.permission_model.name, self.viewmenu_model.name, _grants_version())
            .select_from(pv)
            .join(assoc, assoc.c.permission_view_id == pv.id)
            .join(self.permission_model, self.permission_model.id == pv.permission_id)
            .join(self.viewmenu_model, self.viewmenu_model.id == pv.view_menu_id)
            .where(assoc.c.role_id.in_(role_ids)).distinct()).all()
        grants = frozenset((permission, view) for permission, view, _ in rows)
        if version is not None and rows and all(row[2] == version for row in rows):
            self._keep_grants(role_ids, version, grants)
        return grants

    def _keep_grants(self, role_ids, version, grants) -> None:
        kept_version, kept = self._kept_grants
        if version == kept_version:
            kept[role_ids] = grants
        else:
            self._kept_grants = (version, {role_ids: grants})

    def has_access(self, permission_name, view_name) -> bool:
        # Every menu entry asks this (29 times for a page's navbar), and
        # FAB's own answer walks the user proxies and roles each time. For a
        # signed-in user the roles' grants are settled once per request and
        # each question is a set lookup; everyone else: FAB's way.
        granted = self.current_grants()
        if granted is None:
            return super().has_access(permission_name, view_name)
        return (permission_name, view_name) in granted

    def current_grants(self) -> frozenset | None:
        """The (permission, view) pairs the signed-in browser user holds this
        request; None for anonymous and JWT callers (whose identity is set
        mid-request by the API's decorator), API keys and built-in roles. Keyed
        by user, since a login changes who that is mid-request."""
        if not has_request_context() or self.builtin_roles or getattr(g, "_api_key_user", False) \
                or not current_user.is_authenticated:
            return None
        memo = request.environ.setdefault("gps.access", {})
        key = current_user.id
        if key not in memo:
            user = self._get_safe_user(g.user)
            memo[key] = (self._granted([role.id for role in self.get_user_roles(user)])
                         if user and user.is_active else frozenset())
        return memo[key]

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        granted = self._granted(role_ids)
        if granted is None:
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        return (permission_name, view_name) in granted

    def find_roles_permission_view_menus(self, permission_name, role_ids):
        granted = self._granted(role_ids)
        if granted is None:
            return super().find_roles_permission_view_menus(permission_name, role_ids)
        # FAB reads .view_menu.name (the menu) and nothing else of these.
        return [SimpleNamespace(permission=SimpleNamespace(name=permission),
                                view_menu=SimpleNamespace(name=view))
                for permission, view in sorted(granted) if permission == permission_name]

    # --- ending sessions server-side -------------------------------------
    # A browser session stores the user's session_version at login and is
    # refused once the number changes; logout, a password change and a
    # deactivation change it (OrgUser.end_sessions and its model events).

    def create_login_manager(self, app):
        lm = super().create_login_manager(app)
        lm.user_loader(self.load_session_user)
        # FAB passes current_app, a proxy; the signal is sent by the app itself.
        user_logged_in.connect(_remember_session_version, current_app._get_current_object(),
                               weak=False)
        return lm

    def load_session_user(self, user_id):
        # Every page reads the user's roles (permissions), groups and
        # organisation with its region (scope): one statement, not five.
        # With them, the permission tables' grants_version, which tells
        # _granted whether the grants it keeps are still the roles' own. A
        # SELECT, not session.get: get answers from the identity map without
        # asking, and the number must be read now.
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        if self._session_user_statement is None:
            # Built once: building it and its cache key was ~4 % of a page.
            self._session_user_statement = (
                select(self.user_model, _grants_version())
                .where(self.user_model.id == bindparam("user_id"))
                .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups),
                         joinedload(OrgUser.organisation).joinedload(Organisation.region)))
        row = self.session.execute(self._session_user_statement,
                                   {"user_id": user_id}).unique().one_or_none()
        user, version = row if row is not None else (None, None)
        if has_request_context() and version is not None:
            request.environ[GRANTS_VERSION_KEY] = version
        if user is not None and not user.is_active:
            user = None
        if user is None or session.get(SESSION_VERSION_KEY) != (user.session_version or 0):
            return None
        return user

    def on_user_logout(self, user) -> None:
        user.end_sessions()
        self.update_user(user)

    def reset_password(self, userid, password):
        super().reset_password(userid, password)  # the new hash ends the sessions
        if has_request_context() and str(session.get("_user_id")) == str(userid):
            # Changing one's own password keeps this browser signed in; every
            # other copy of the session (and every other device) is ended.
            session[SESSION_VERSION_KEY] = self.get_user_by_id(userid).session_version

    # JWTs carry a stamp of the password and the session_version they were
    # issued under: a password change, a deactivation and a logout revoke
    # them, as they end every browser session of the user (an inactive user
    # is refused by FAB already). A token outliving 退出 was a way back in
    # for whoever had copied it.

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(self._credential_claims)
        jwt_manager.token_in_blocklist_loader(self._token_revoked)
        jwt_manager.revoked_token_loader(
            lambda header, payload: _api_refusal(_session_ended_message, 401))
        # Flask-JWT-Extended's own answers were English {"msg": …}, a bad
        # token even 422: every token refusal is 401 with a Chinese message.
        jwt_manager.unauthorized_loader(
            lambda reason: _api_refusal(_no_token_message, 401))
        jwt_manager.invalid_token_loader(
            lambda reason: _api_refusal(_invalid_token_message, 401))
        jwt_manager.expired_token_loader(
            lambda header, payload: _api_refusal(_expired_token_message, 401))
        jwt_manager.needs_fresh_token_loader(
            lambda header, payload: _api_refusal(_fresh_token_message, 401))
        return jwt_manager

    def credential_stamp(self, user) -> str:
        key = current_app.config["SECRET_KEY"].encode()
        issued_under = f"{user.session_version or 0}:{user.password or ''}"
        return hmac.new(key, issued_under.encode(), hashlib.sha256).hexdigest()[:32]

    def _credential_claims(self, identity):
        user = self.get_user_by_id(int(identity))
        return {CREDENTIAL_CLAIM: self.credential_stamp(user)} if user else {}

    def _token_revoked(self, jwt_header, jwt_payload) -> bool:
        user = self.get_user_by_id(int(jwt_payload["sub"]))
        return user is None or jwt_payload.get(CREDENTIAL_CLAIM) != self.credential_stamp(user)


def _auth_scope(endpoint: str) -> str:
    # Login by form (AuthDBView.login) and by REST (SecurityApi.login) share
    # one bucket per client; token refresh has its own.
    return "auth-refresh" if endpoint.endswith(".refresh") else "auth-login"


# The bucket of one account's failed sign-ins, from any address.
_ACCOUNT_SCOPE = "auth-account"


def _signing_in_as() -> str:
    """The account a sign-in names (the form's or the REST body's username,
    as FAB finds it: ignoring case), hashed so that Redis holds no names;
    '' for anything else (token refresh, no name given)."""
    if not request.endpoint or not request.endpoint.endswith(".login"):
        return ""
    name = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        return ""
    return _account_key(name)


def _account_key(name: str) -> str:
    return hashlib.sha256(name.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


def _sign_in_refused(response) -> bool:
    """Whether the name and password were checked and refused: the REST login
    answers 401; the form redirects back either way, signed in or not. A
    sign-in refused before its check (another limit, a bad form) is not one."""
    if request.path.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and not current_user.is_authenticated


def _account_locked_message(seconds):
    return gettext("该账号登录失败次数过多，请%(seconds)s秒后再试。", seconds=seconds)


def _too_many_message(seconds):
    if request.endpoint and request.endpoint.endswith(".refresh"):
        return gettext("刷新令牌的请求过于频繁，请%(seconds)s秒后再试。", seconds=seconds)
    return gettext("登录尝试过于频繁，请%(seconds)s秒后再试。", seconds=seconds)


def _session_ended_message():
    return gettext("登录已失效（已退出、密码已修改或账号已停用），请重新登录。")


def _no_token_message():
    return gettext("未登录或缺少令牌，请先登录获取令牌。")


def _invalid_token_message():
    return gettext("令牌无效，请重新登录获取令牌。")


def _expired_token_message():
    return gettext("令牌已过期，请重新登录。")


def _fresh_token_message():
    return gettext("此操作需要重新登录后取得的新令牌。")


def _api_refusal(message, status, **kwargs):
    """A JSON refusal in the client's language: FAB's choice (session or
    ?_l_=), unless the request's Accept-Language prefers English."""
    if request.accept_languages and request.accept_languages.best_match(("zh", "en")) == "en" \
            and "_l_" not in request.args:
        with force_locale("en"):
            text = message(**kwargs)
    else:
        text = message(**kwargs)
    return make_response(jsonify(message=text), status)


def _remember_session_version(app, user, **extra):
    session[SESSION_VERSION_KEY] = user.session_version or 0


class CleanupRefusals(logging.Filter):
    """FAB's security cleanup warns once per permission it keeps because a
    role still holds it ("Refused to delete permission view …"): hundreds of
    lines on every start-up that say nothing is wrong. They pass only when
    the logger is at DEBUG; the others are counted for one summary line."""

    PREFIX = "Refused to delete"

    def __init__(self):
        super().__init__()
        self.count = 0
        self.last_sync = 0  # refusals during the latest sync_roles

    def filter(self, record):
        if not str(record.msg).startswith(self.PREFIX):
            return True
        self.count += 1
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(logging.DEBUG):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return True
        return False


FAB_SECURITY_LOGGER = "flask_appbuilder.security.sqla.manager"


def quiet_cleanup_refusals() -> CleanupRefusals:
    """Install the filter once per process (create_app calls this)."""
    logger = logging.getLogger(FAB_SECURITY_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, CleanupRefusals):
            return existing
    refusals = CleanupRefusals()
    logger.addFilter(refusals)
    return refusals


def sync_roles(appbuilder, site: str) -> list[str]:
    """Make the database's roles match the lists above. Returns what changed."""
    sm = appbuilder.sm
    refusals = quiet_cleanup_refusals()
    refused_before = refusals.count
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
    refusals.last_sync = refusals.count - refused_before
    return changes


def _all_permission_views(sm):
    return sm.session.query(sm.permissionview_model).all()
