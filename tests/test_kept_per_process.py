"""What every app of a process shares to start faster (tests build hundreds):
the URL rules' compiled builders (app/templating.py, KeptBuilderRule) and the
REST APIs' marshmallow schemas (ReadWriteApi._init_model_schemas). Each app
still builds its own URLs and writes into its own database."""
from sqlalchemy import select

from tests.helpers import api_token, bearer

PLAN = {"project_name": "两个站点各自的计划", "procurement_method": "询价", "category": "货物",
        "item_name": "打印纸", "budget": "1000.00", "fund_source": "财政性资金",
        "expected_date": "2026-12-31", "interconnected": False}


def _rule(app, endpoint):
    (rule,) = app.url_map.iter_rules(endpoint)
    return rule


def test_apps_share_a_rules_builder_and_build_their_own_urls(site_factory):
    first, second = site_factory("gps"), site_factory("gps")
    shown = [_rule(app, "PlanView.show") for app in (first, second)]
    assert shown[0] is not shown[1]
    assert shown[0]._build.__func__ is shown[1]._build.__func__
    assert shown[0]._build_unknown.__func__ is shown[1]._build_unknown.__func__
    for app, root in ((first, ""), (second, "/gps")):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            assert app.url_for("PlanView.show", pk=7) == f"{root}/plans/show/7"
            assert app.url_for("PlanView.show", pk="a b", _l_="en") == (
                f"{root}/plans/show/a%20b?_l_=en")


def test_a_rule_with_defaults_compiles_its_own(site_factory):
    """A default is folded into the builder's code: such rules share nothing."""
    from flask import Blueprint

    apps = []
    for kind in ("xlsx", "csv"):
        app = site_factory("gps")
        page = Blueprint(f"kept_{kind}", __name__)
        page.add_url_rule("/kept/export", "export", lambda kind: kind, defaults={"kind": kind})
        app.register_blueprint(page, name="kept")
        apps.append(app)
    rules = [_rule(app, "kept.export") for app in apps]
    assert rules[0]._build.__func__ is not rules[1]._build.__func__
    for app in apps:
        with app.test_request_context("/"):
            assert app.url_for("kept.export") == "/kept/export"


def test_apps_share_an_apis_schemas_and_write_into_their_own_database(site_factory):
    from app.extensions import db
    from app.models import Plan

    first, second = site_factory("gps"), site_factory("gps")
    apis = [next(view for view in app.appbuilder.baseviews if type(view).__name__ == "PlanApi")
            for app in (first, second)]
    assert apis[0] is not apis[1]
    for kind in ("list", "add", "edit", "show"):
        assert getattr(apis[0], f"{kind}_model_schema") is getattr(apis[1], f"{kind}_model_schema")

    client = second.test_client()
    created = client.post("/api/v1/plan/", json=PLAN, headers=bearer(api_token(client, "jingban")))
    assert created.status_code == 201, created.get_data(as_text=True)

    def named(app):
        with app.app_context():
            return db.session.scalars(select(Plan.id).where(
                Plan.project_name == PLAN["project_name"])).all()

    assert named(second) == [created.json["id"]] and named(first) == []
    client = first.test_client()
    refused = client.post("/api/v1/plan/", json={**PLAN, "budget": "-1"},
                          headers=bearer(api_token(client, "jingban")))
    assert refused.status_code == 422 and named(first) == []
