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

SITES = ("gps", "trading")


def create_app(site: str = "gps", config: dict | None = None, platform: str | None = None):
    if site not in SITES:
        raise ValueError(f"unknown site {site!r}: expected one of {SITES}")
    if site == "trading":
        platform = platform or (config or {}).get("PLATFORM_CODE")
        if not platform:
            raise ValueError("a trading site needs its platform code")
    app = Flask(__name__, instance_path=str(settings_module.instance_dir(
        "gps" if site == "gps" else f"trading-{platform}")))
    app.config.update(settings_module.settings(site, platform))
    app.config.update(config or {})

    db.init_app(app)
    csrf.init_app(app)  # before AppBuilder, so FAB can exempt its REST APIs
    migrate.init_app(app, db, directory=str(settings_module.BASE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)

    from . import cli, web_security
    from .views.common.health import health

    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        _register_views(appbuilder, site)
    app.register_blueprint(health)
    web_security.init_app(app)
    if app.config.get("PROXY_COUNT"):
        # Behind nginx: take the client address from X-Forwarded-For so the
        # login throttle counts per client, not per proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    cli.init_app(app)
    return app


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
