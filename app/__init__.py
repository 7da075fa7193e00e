"""Application factory: one codebase, two kinds of site.

    create_app("gps")                       # 政府采购系统
    create_app("trading", platform="410400")  # 平顶山市公共资源交易平台

Everything is wired here, once per app: settings, database, a fresh
AppBuilder (one per app, see ../shared/STACK.md), views, menus, commands.
"""
from flask import Flask
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _

import config as settings_module

from .extensions import csrf, db, migrate
from .templating import Site

SITES = ("gps", "trading")


def create_app(site: str = "gps", config: dict | None = None, platform: str | None = None):
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}: expected one of {SITES}")
    if site == "trading":
        platform = platform or (config or {}).get("PLATFORM_CODE")
        if not platform:
            raise ValueError("a trading site needs its platform code")
    app = Site(__name__, instance_path=str(settings_module.instance_dir(
        "gps" if site == "gps" else f"trading-{platform}")))
    app.config.update(settings_module.settings(site, platform))
    app.config.update(config or {})
    if cache := app.config.get("JINJA_BYTECODE_CACHE"):
        # A jinja2.BytecodeCache: compiled templates reused by every app of the
        # process (the tests build hundreds). Keyed by each source's checksum.
        app.jinja_options = {**app.jinja_options, "bytecode_cache": cache}

    from . import postgres, sqlite

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
        # Each request's pooled connection is checked before use: by a round
        # trip (SELECT 1), or on PostgreSQL by its socket (app/postgres.py).
        "pool_pre_ping": not postgres.checks_sockets(app.config["SQLALCHEMY_DATABASE_URI"])})
    db.init_app(app)

    sqlite.init_app(app, db)  # before anything connects: file mode, WAL, busy timeout
    postgres.init_app(app, db)  # no JIT; read-only transactions end with COMMIT (prepared statements)
    csrf.init_app(app)  # before AppBuilder, so FAB can exempt its REST APIs
    migrate.init_app(app, db, directory=str(settings_module.BASE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)

    from . import cli, errors, navbar, web_security
    from .sync import feed, outbox  # noqa: F401 (feed adds its route to interop)
    from .sync.inbox import interop
    from .views.common import api_labels, formatting
    from .views.common.health import health

    from .security import quiet_cleanup_refusals

    quiet_cleanup_refusals()  # FAB's per-permission cleanup lines: DEBUG only
    formatting.register(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        _register_views(appbuilder, site)
        api_labels.label_apis(appbuilder)  # REST labels from the pages', not FAB's English
    from . import i18n

    i18n.init_app(app)  # templates' _(): after FAB has set Flask-Babel up
    from .views.common import list_links

    list_links.register(app)  # pager and sort links from one url_for: after FAB's filters
    app.register_blueprint(health)
    app.register_blueprint(interop)
    if site == "trading":
        from . import public

        public.init_app(app)
    outbox.init_app(app)
    from . import audit, history

    history.init_app(app)  # 【历史】: field_change rows in the flush of each change
    audit.init_app(app)  # 审计日志: a new record's key, once its flush gives it one
    from . import notice_sync, project_info

    # Domain modules own what their messages do; app/sync imports none of them.
    notice_sync.register_sync()  # notice.published, notice.online
    project_info.register_sync()  # project.info_changed (立项信息 corrected)
    from . import committee

    committee.register_sync()  # experts.drawn, committee.formed (组建评委会)
    from . import lot_status

    lot_status.register_sync()  # lot.status (招标文件/开评标配置, 质疑, 开标 → GPS)
    if site == "gps":
        from . import contract_notice

        contract_notice.init_app(app)  # /gongkai/contracts/<key>.pdf, no login
        from . import expert_draw

        expert_draw.register()  # experts.drawn released at the 评审时间 by the sweeper
        from . import supervision

        supervision.init_app(app)  # 项目监督's derived rows, rebuilt on commit and daily
        from . import supervision_tally

        supervision_tally.init_app()  # 【监督看板】's figures, counted ahead by the sweeper
    _init_calendar(app, site)
    _mount_rq_dashboard(app)
    web_security.init_app(app)
    navbar.init_app(app)  # the menu's HTML kept per grants, language and name
    errors.init_app(app)
    if app.config.get("PROXY_COUNT"):
        # Behind nginx: take the client address from X-Forwarded-For so the
        # login throttle counts per client, not per proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    cli.init_app(app)
    return app


def _init_calendar(app: Flask, site: str) -> None:
    """【节假日维护】: who re-checks verdicts given on 暂定 days when a year is
    entered, and the banner administrators see while next year is 暂定."""
    import datetime as dt

    from flask import g

    from . import holidays

    rechecks = app.extensions.setdefault("holiday_rechecks", [])
    if site == "gps":
        from . import notices

        rechecks.append(notices.recheck_provisional)

    @app.context_processor
    def calendar_banner():
        def holiday_banner():
            user = getattr(g, "user", None)
            if user is None or not user.is_authenticated \
                    or not app.appbuilder.sm.has_access("can_edit", "Holiday"):
                return None
            today = dt.date.today()
            text = holidays.banner(today)
            return {"text": text, "year": today.year + 1} if text else None

        return {"holiday_banner": holiday_banner}


def _mount_rq_dashboard(app: Flask) -> None:
    """rq-dashboard at /rq, for those holding can_read on RqDashboard (Admin).

    Its own POST actions carry no CSRF token, so our CSRF check refuses them:
    replays are done through 【同步监控】 instead. Its GET /rq/requeue/<queue>
    would requeue every failed job on a mere link (or an <img> on another
    page): refused with 405. It connects to the N-th configured Redis for
    /rq/<N>/… and raises LookupError (a 500) past the last: refused with 404.
    """
    import rq_dashboard
    from flask import abort, g

    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    rq_dashboard.web.setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/rq")

    @app.before_request
    def guard_rq_dashboard():
        from flask import request

        if request.blueprint != "rq_dashboard":
            return None
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            abort(401)
        if not app.appbuilder.sm.has_access("can_read", "RqDashboard"):
            abort(403)
        if request.endpoint == "rq_dashboard.requeue_all" and request.method != "POST":
            abort(405)
        instance = (request.view_args or {}).get("instance_number")
        if instance is not None and instance >= len(app.config["RQ_DASHBOARD_REDIS_URL"]):
            abort(404)
        return None

    @app.after_request  # runs after web_security's, which set the CSP
    def allow_rq_dashboard_script(response):
        import base64
        import hashlib
        import re

        from flask import request

        if request.blueprint != "rq_dashboard" or response.mimetype != "text/html":
            return response
        # The dashboard's own script: the one right after its bootstrap bundle
        # (its templates and its poll interval; job data arrives as JSON).
        # It compiles its row templates with underscore's _.template, which
        # builds a Function from a string: without 'unsafe-eval' every table
        # stays at "Loading...". Only these Admin-only pages allow it.
        found = re.search(r'bootstrap\.bundle\.min\.js"[^>]*></script>\s*'
                          r'<script type="text/javascript">(.*?)</script>',
                          response.get_data(as_text=True), re.S)
        policy = response.headers.get("Content-Security-Policy")
        if found and policy:
            digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode()
            response.headers["Content-Security-Policy"] = policy.replace(
                "script-src 'self'", f"script-src 'self' 'sha256-{digest}' 'unsafe-eval'", 1)
        return response


def _register_views(appbuilder: AppBuilder, site: str) -> None:
    from .views.common.audit import AuditLogView
    from .views.common.organisations import (
        OrganisationApi, OrganisationView, PlatformView, PushThresholdView, RegionView)

    system = {"category": "SystemMenu", "category_label": _("系统管理"),
              "category_icon": "fa-cogs"}
    if site == "gps":
        from .views.gps.plans import PlanApi, PlanView

        appbuilder.add_view(PlanView, "PlanFiling", label=_("采购计划备案"),
                            icon="fa-file-text-o", category="PlanMenu",
                            category_label=_("计划管理"), category_icon="fa-list")
        appbuilder.add_api(PlanApi)
        _register_gps_filings(appbuilder)
        _register_gps_experts(appbuilder)
        from .views.gps.projects import LotReplicaView, ProjectReplicaApi, ProjectReplicaView

        appbuilder.add_view(ProjectReplicaView, "TradingProjects", label=_("交易项目与标段"),
                            icon="fa-th-list", category="PlanMenu")
        appbuilder.add_view_no_menu(LotReplicaView)
        appbuilder.add_api(ProjectReplicaApi)
        from .views.gps.notices import NoticeApi, NoticePublishView

        appbuilder.add_view(NoticePublishView, "NoticePublish", label=_("采购公告发布"),
                            icon="fa-bullhorn", category="NoticeMenu",
                            category_label=_("信息发布"), category_icon="fa-newspaper-o")
        appbuilder.add_api(NoticeApi)
        from .views.gps.project_guide import ProjectGuideApi, ProjectGuideView

        # 项目向导: opened from the 【项目监督】 list, no menu entry of its own.
        appbuilder.add_view_no_menu(ProjectGuideView)
        appbuilder.add_api(ProjectGuideApi)
        appbuilder.add_view(PlatformView, "Platforms", label=_("交易平台"),
                            icon="fa-exchange", **system)
        appbuilder.add_view(PushThresholdView, "PushThresholds",
                            label=_("推送限额标准"), icon="fa-sliders", **system)
    appbuilder.add_view(OrganisationView, "Organisations", label=_("组织机构"),
                        icon="fa-building", **system)
    appbuilder.add_view(RegionView, "Regions", label=_("行政区划"), icon="fa-map",
                        **system)
    appbuilder.add_api(OrganisationApi)
    appbuilder.add_view(AuditLogView, "AuditLog", label=_("审计日志"), icon="fa-history",
                        **system)
    from .views.common.history import HistoryView

    appbuilder.add_view_no_menu(HistoryView)  # 【历史】 /history/<Entity>/<id>, from a record's page
    from .views.common.holidays import HolidayApi, HolidayView

    appbuilder.add_view(HolidayView, "Holidays", label=_("节假日维护"), icon="fa-calendar",
                        **system)
    appbuilder.add_api(HolidayApi)
    _register_sync_views(appbuilder, site)


def _register_gps_filings(appbuilder: AppBuilder) -> None:
    """【待办任务】, 【监督管理】→【中标结果变更备案】 and 【专家管理】→【专家抽取申请】,
    each with its review page."""
    from .views.common.todo import TodoApi, TodoView
    from .views.gps.expert_draw import ExpertDrawView
    from .views.gps.winner_changes import WinnerChangeApi, WinnerChangeView

    appbuilder.add_view(TodoView, "Todo", label=_("待办任务"), icon="fa-bell")
    appbuilder.add_view_no_menu(ExpertDrawView)  # /expert-draw/<id>, linked from the application
    appbuilder.add_view(WinnerChangeView, "WinnerChanges", label=_("中标结果变更备案"),
                        icon="fa-random", category="SuperviseMenu",
                        category_label=_("监督管理"), category_icon="fa-eye")
    appbuilder.add_api(WinnerChangeApi)
    appbuilder.add_api(TodoApi)
    from .views.gps.expert_requests import ExpertRequestApi, ExpertRequestView

    # One category (ExpertMenu) with 【专家库】.
    appbuilder.add_view(ExpertRequestView, "ExpertRequests", label=_("专家抽取申请"),
                        icon="fa-user-plus", category="ExpertMenu",
                        category_label=_("专家管理"), category_icon="fa-users")
    appbuilder.add_api(ExpertRequestApi)
    from .views.gps.contracts import ContractApi, ContractQueryView, ContractView

    contract_menu = {"category": "ContractMenu", "category_label": _("合同管理"),
                     "category_icon": "fa-handshake-o"}
    appbuilder.add_view(ContractView, "Contracts", label=_("合同公告及备案"),
                        icon="fa-file-text", **contract_menu)
    appbuilder.add_view(ContractQueryView, "ContractQuery", label=_("合同备案查询"),
                        icon="fa-search", **contract_menu)
    appbuilder.add_api(ContractApi)
    from .views.gps.supervision import SupervisionApi, SupervisionView
    from .views.gps.supervision_dashboard import SupervisionDashboardView

    # 【项目监督】 (docs/supervision.md): the list, then 【监督看板】; the 项目向导
    # is reached from the list.
    supervision_menu = {"category": "SupervisionMenu", "category_label": _("项目监督"),
                        "category_icon": "fa-binoculars"}
    appbuilder.add_view(SupervisionView, "Supervision", label=_("项目监督"), icon="fa-eye",
                        **supervision_menu)
    appbuilder.add_view(SupervisionDashboardView, "SupervisionDashboard", label=_("监督看板"),
                        icon="fa-bar-chart", **supervision_menu)
    appbuilder.add_api(SupervisionApi)
    from .views.gps import regulators

    regulators.init_app(appbuilder.app)
    from .errors import guard_nul

    # Forms read by hand: NUL is refused before any query meets it.
    guard_nul(appbuilder.app, "ExpertRequestView", "ExpertDrawView", "ContractView")


def _register_gps_experts(appbuilder: AppBuilder) -> None:
    """【专家管理】→【专家库】 (with 【导入】【导出】) and 【评审专业】."""
    from .views.gps.experts import ExpertApi, ExpertSpecialityView, ExpertView

    experts = {"category": "ExpertMenu", "category_label": _("专家管理"),
               "category_icon": "fa-user-md"}
    appbuilder.add_view(ExpertView, "ExpertLibrary", label=_("专家库"), icon="fa-users",
                        **experts)
    appbuilder.add_view(ExpertSpecialityView, "ExpertSpecialities", label=_("评审专业"),
                        icon="fa-sitemap", **experts)
    appbuilder.add_api(ExpertApi)


def _register_sync_views(appbuilder: AppBuilder, site: str) -> None:
    from .views.common.sync_monitor import (
        InboxView, OutboxView, PeerKeyView, PeerView, RqDashboard, SecurityEventView)

    monitor = {"category": "SyncMenu", "category_label": _("同步监控"),
               "category_icon": "fa-exchange"}
    appbuilder.add_view(OutboxView, "SyncOutbox", label=_("发送队列"), icon="fa-upload",
                        **monitor)
    appbuilder.add_view(InboxView, "SyncInbox", label=_("接收记录"), icon="fa-download",
                        **monitor)
    appbuilder.add_view(SecurityEventView, "SyncRefused", label=_("拒收记录"),
                        icon="fa-ban", **monitor)
    appbuilder.add_view(PeerView, "SyncPeers", label=_("同步对端"), icon="fa-server",
                        **monitor)
    appbuilder.add_view(PeerKeyView, "SyncKeys", label=_("共享密钥"), icon="fa-key",
                        **monitor)

    # The menu item keeps its name (RqDashboardLink), and so its menu_access.
    appbuilder.add_view(RqDashboard, "RqDashboardLink", label=_("任务队列（RQ）"),
                        icon="fa-tasks", **monitor)
    if site == "trading":
        from .views.trading.received_plans import ReceivedPlanApi, ReceivedPlanView

        appbuilder.add_view(ReceivedPlanView, "ReceivedPlans", label=_("已接收计划"),
                            icon="fa-inbox", category="InteropMenu",
                            category_label=_("互联互通"), category_icon="fa-link")
        appbuilder.add_api(ReceivedPlanApi)
        _register_trading_projects(appbuilder)


def _register_trading_projects(appbuilder: AppBuilder) -> None:
    """【待办任务】 and 【项目管理】→【项目进场受理】, 【标段(包)】."""
    from .views.common.todo import TodoApi, TodoView
    from .views.trading.acceptance import AcceptanceApi, AcceptanceView, LotApi, LotView

    projects = {"category": "ProjectMenu", "category_label": _("项目管理"),
                "category_icon": "fa-briefcase"}
    appbuilder.add_view(TodoView, "Todo", label=_("待办任务"), icon="fa-bell")
    appbuilder.add_view(AcceptanceView, "Acceptance", label=_("项目进场受理"),
                        icon="fa-sign-in", **projects)
    appbuilder.add_view(LotView, "Lots", label=_("标段(包)"), icon="fa-th-list", **projects)
    from .views.trading.time_changes import TimeChangeView

    appbuilder.add_view(TimeChangeView, "TimeChanges", label=_("变更公告"),
                        icon="fa-clock-o", **projects)
    from .views.trading.project_notices import ProjectNoticeView

    appbuilder.add_view(ProjectNoticeView, "ProjectNotices", label=_("项目公告"),
                        icon="fa-bullhorn", **projects)
    appbuilder.add_api(AcceptanceApi)
    appbuilder.add_api(LotApi)
    appbuilder.add_api(TodoApi)
    # After 受理通过: fees, documents plan, scoring, compliance, objections, opening, stages.
    from .views.trading import lot_settings as ls

    for view, name, label, icon in (
            (ls.LotFeeView, "LotFees", _("资费定义"), "fa-money"),
            (ls.LotSettingView, "LotSettings", _("招标文件规划与开评标配置"), "fa-calendar"),
            (ls.ScoringItemView, "ScoringItems", _("评分标准"), "fa-balance-scale"),
            (ls.ComplianceItemView, "ComplianceItems", _("符合性审查"), "fa-check-square-o"),
            (ls.ObjectionView, "Objections", _("项目质疑"), "fa-exclamation-circle"),
            (ls.OpeningBidView, "OpeningBids", _("开标记录"), "fa-gavel"),
            (ls.ProjectStageView, "ProjectStages", _("项目阶段"), "fa-flag-checkered")):
        appbuilder.add_view(view, name, label=label, icon=icon, **projects)
    from .views.trading.committee import CommitteeView

    # 项目阶段 【开始评标】 waits until every lot's committee is complete (manual §7).
    appbuilder.add_view(CommitteeView, "Committees", label=_("组建评委会"), icon="fa-users",
                        **projects)
    for api in (ls.LotFeeApi, ls.LotSettingApi, ls.ScoringItemApi, ls.ComplianceItemApi,
                ls.ObjectionApi, ls.OpeningBidApi, ls.ProjectStageApi):
        appbuilder.add_api(api)
