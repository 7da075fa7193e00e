"""The navbar, rendered once per kind of user and kept.

FAB renders the whole menu for every page: 29 permission checks and some 60
strings, about 1.4 ms of a 5 ms page here (docs/benchmarks.md, 项目监督).
What it shows depends only on what the user may do, the language, the
user's name and where the app is mounted, so the HTML is kept under exactly
those. The grants in the key are this request's (SecurityManager.
current_grants, kept per process only while grants_version stands still):
when an Admin takes a permission from a role, the key changes and the very
next page shows the smaller menu.
Anonymous and API callers get FAB's rendering, as before.
"""
from __future__ import annotations

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

TEMPLATE = "appbuilder/navbar.html"
KEPT = 256  # kinds of user per process; past that, start again


def navbar() -> Markup:
    appbuilder = current_app.appbuilder
    grants = appbuilder.sm.current_grants()
    if grants is None:
        return Markup(render_template(TEMPLATE, appbuilder=appbuilder))
    key = (grants, str(get_locale()), session.get("locale"), current_user.get_full_name(),
           request.script_root)
    kept = current_app.extensions.setdefault("navbar", {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= KEPT:
            kept.clear()
        html = kept[key] = Markup(render_template(TEMPLATE, appbuilder=appbuilder))
    return html


def init_app(app) -> None:
    app.jinja_env.globals["navbar"] = navbar
