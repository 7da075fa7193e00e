"""已接收计划 on a trading site: the centre sees all, an agency only its own."""
import datetime as dt
from decimal import Decimal

from app.extensions import db
from app.models import Organisation, PlanReplica
from tests.helpers import api_token, bearer, logged_in


def _replica(plan_no, agency_code):
    return PlanReplica(plan_no=plan_no, version=1, project_name=f"项目{plan_no}",
                       unit_name="平顶山市教育局", unit_credit_code="11410400MB0000001P",
                       region_code="410400", agency_name="代理", agency_credit_code=agency_code,
                       procurement_method="公开招标", category="货物", item_name="电脑",
                       budget=Decimal("1000000"), fund_source="财政性资金",
                       expected_date=dt.date(2026, 12, 31), received_at=dt.datetime.now())


def test_agency_sees_only_plans_entrusted_to_it(site_factory):
    app = site_factory("pds")
    with app.app_context():
        own = db.session.query(Organisation).filter_by(name="河南中原招标代理有限公司").one()
        db.session.add_all([_replica("P-OWN", own.credit_code),
                            _replica("P-OTHER", "91411300MA00000058")])
        db.session.commit()
    client = app.test_client()
    listed = {
        user: {r["plan_no"] for r in client.get(
            "/api/v1/received_plan/", headers=bearer(api_token(client, user))).json["result"]}
        for user in ("daili", "keshi")}
    assert listed == {"daili": {"P-OWN"}, "keshi": {"P-OWN", "P-OTHER"}}
    page = logged_in(app, "daili").get("/received-plans/list/").get_data(as_text=True)
    assert "P-OWN" in page and "P-OTHER" not in page


def test_received_plans_are_read_only(pds_demo):
    client = pds_demo.test_client()
    token = api_token(client, "keshi")
    assert client.post("/api/v1/received_plan/", json={}, headers=bearer(token)).status_code in (403, 404, 405)
    assert logged_in(pds_demo, "admin").get("/received-plans/add").status_code in (403, 404)


def test_rest_get_by_a_number_is_404_not_500(site_factory):
    """The key is the 计划编号 (text); FAB's GET /<int:pk> compared it with a
    number, which PostgreSQL refuses (the fuzz test found a 500)."""
    from tests.helpers import api_token, bearer

    app = site_factory("pds")
    client = app.test_client()
    auth = bearer(api_token(client, "admin"))
    assert client.get("/api/v1/received_plan/405", headers=auth).status_code == 404
