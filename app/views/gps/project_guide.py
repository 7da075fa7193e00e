"""The 项目向导 of 项目监督: /supervision/project/<plan_id>, and its REST
paths /api/v1/supervision/<plan_id>/stages, /timeline, /flags.

Read-only, for the regulators (监管处, 监管初审岗, 监管复核岗) of the plan's
region and above, and Admin, through the permission the 【项目监督】 list
shares (`can_read` on `Supervision`). Anyone else, a plan out of scope, a
plan never filed or a junk id: 404, the same answer as for no plan at all.
"""
import re

from flask import abort, g, jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi, expose as api_expose, protect, safe
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _

from ... import project_guide
from ...extensions import db
from ...models import Plan
from ...scope import plan_clause
from ..common.base import TranslatedResponses
from . import supervision_names as names
from .regulators import RegulatorsOnly, outsider

def _junk_id_not_found():
    # An id no integer column holds: on PostgreSQL the lookup itself would fail.
    plan_id = (request.view_args or {}).get("plan_id")
    if plan_id is not None and not re.fullmatch(r"[0-9]{1,9}", str(plan_id)):
        if request.path.startswith("/api/"):  # the unknown id's answer, not a bare 404
            return jsonify(message=gettext("无此项目或不在您的监管范围内")), 404
        abort(404)


class OutsidersNotFound(RegulatorsOnly):
    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(_junk_id_not_found)
        return blueprint


def supervised_plan(plan_id, user) -> Plan | None:
    """A filed plan the user supervises; None for anything else, which
    looks the same as no plan at all."""
    if not re.fullmatch(r"[0-9]{1,9}", str(plan_id)) or outsider(user):
        return None
    return (db.session.query(Plan)
            .filter(Plan.id == int(plan_id), Plan.filed_at.isnot(None), plan_clause(user)).first())


def plan_or_404(plan_id, user) -> Plan:
    plan = supervised_plan(plan_id, user)
    if plan is None:
        abort(404)
    return plan


class ProjectGuideView(OutsidersNotFound, BaseView):
    route_base = "/supervision/project"
    # Shared with the 【项目监督】 list: one permission, can_read on Supervision.
    class_permission_name = "Supervision"
    method_permission_name = {"show": "read"}
    list_title = _("项目向导")
    default_view = "show"

    @expose("/<plan_id>")
    @has_access
    def show(self, plan_id):
        plan = plan_or_404(plan_id, g.user)
        stages = project_guide.stages(db.session, plan, g.user)
        return self.render_template(
            "supervision/project.html", title=_("项目向导"), plan=plan,
            project=project_guide.project_of(plan), stages=stages,
            flags=project_guide.flags(plan),
            timeline=project_guide.timeline(db.session, plan), cap=project_guide.TIMELINE_CAP,
            **names.translators())


class ProjectGuideApi(OutsidersNotFound, TranslatedResponses, BaseApi):
    """Distinct resource_name from the list's BaseApi ("supervision"), same
    route base: the blueprints do not clash, the paths read as one resource."""

    resource_name = "supervision_project"
    route_base = "/api/v1/supervision"
    class_permission_name = "Supervision"
    method_permission_name = {"stages": "read", "timeline": "read", "flags": "read"}
    allow_browser_login = False
    openapi_spec_tag = "Supervision"

    def _plan(self, plan_id):
        # Not abort(): @safe would turn the 404 into a 500.
        return supervised_plan(plan_id, g.user)

    def _not_found(self):
        return self.response(404, message=gettext("无此项目或不在您的监管范围内"))

    @api_expose("/<plan_id>/stages", methods=["GET"])
    @protect()
    @safe
    def stages(self, plan_id):
        """项目向导: the stages of a supervised plan's project.
        ---
        get:
          parameters:
          - in: path
            name: plan_id
            schema: {type: integer}
          responses:
            200:
              description: 各阶段（状态、日期、责任单位、记录链接、预警）
            404:
              description: 无此项目或不在监管范围内
        """
        plan = self._plan(plan_id)
        if plan is None:
            return self._not_found()
        with force_locale("zh"):  # machine data: the same words whatever the UI's language
            result = project_guide.stages(db.session, plan, g.user)
        return self.response(200, plan_id=plan.id, plan_no=plan.plan_no, result=result)

    @api_expose("/<plan_id>/timeline", methods=["GET"])
    @protect()
    @safe
    def timeline(self, plan_id):
        """项目向导: who did what and when, newest first (at most 200).
        ---
        get:
          parameters:
          - in: path
            name: plan_id
            schema: {type: integer}
          responses:
            200:
              description: 时间线，最新在前
            404:
              description: 无此项目或不在监管范围内
        """
        plan = self._plan(plan_id)
        if plan is None:
            return self._not_found()
        with force_locale("zh"):
            found = project_guide.timeline(db.session, plan)
        return self.response(200, plan_id=plan.id, result=found["events"],
                             capped=found["capped"])

    @api_expose("/<plan_id>/flags", methods=["GET"])
    @protect()
    @safe
    def flags(self, plan_id):
        """项目向导: the 预警 of a supervised plan's project.
        ---
        get:
          parameters:
          - in: path
            name: plan_id
            schema: {type: integer}
          responses:
            200:
              description: 预警（依据、数据、触发记录）
            404:
              description: 无此项目或不在监管范围内
        """
        plan = self._plan(plan_id)
        if plan is None:
            return self._not_found()
        with force_locale("zh"):
            found = project_guide.flags(plan)
        return self.response(200, plan_id=plan.id, result=found)
