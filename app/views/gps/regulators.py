"""项目监督 belongs to the regulators: the list, the dashboard, the 项目向导
and their REST APIs exist only for a 监管部门's staff (and Admin). For a
unit, an agency or anyone else every such URL answers 404, whatever the
method, as if there were nothing there. Anonymous users go on to FAB, which
asks them to log in (or answers 401)."""
from __future__ import annotations

from flask import abort, request
from werkzeug.exceptions import MethodNotAllowed

from ...scope import api_user, current_user, is_admin

REGULATORS = "监管部门"
PREFIXES = ("/supervision/", "/api/v1/supervision/")


def outsider(user) -> bool:
    """Signed in, not Admin, and not the staff of a 监管部门 with a region."""
    if user is None or is_admin(user):
        return False
    org = user.organisation
    return org is None or org.org_type != REGULATORS or org.region is None


def refuse_outsiders():
    user = api_user() if request.path.startswith("/api/") else current_user()
    if outsider(user):
        abort(404)


class RegulatorsOnly:
    """Mixed into each view and API of 项目监督: the guard on its blueprint."""

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(refuse_outsiders)
        return blueprint


def _other_methods():
    # A POST to a GET-only URL fails in routing, before any blueprint's guard
    # runs; a 405 would tell an outsider that the URL exists.
    if isinstance(request.routing_exception, MethodNotAllowed) \
            and (request.path + "/").startswith(PREFIXES):
        refuse_outsiders()


def init_app(app) -> None:
    app.before_request(_other_methods)
