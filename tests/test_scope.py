"""Row-level scope: nobody reaches another organisation's records.

jingban (平顶山市教育局) and jingban2 (方城县人民医院) file plans; chushen's
平顶山市财政局 sees 平顶山市 and below; admin sees all.
"""
import re

import pytest

from app.extensions import db
from app.models import Plan
from tests.helpers import api_token, bearer, form_token, logged_in

PDS = "410400-"
FC = "411322-"


def _plan_ids(app):
    with app.app_context():
        return {p.plan_no: p.id for p in db.session.query(Plan)}


def _listed(client):
    return set(re.findall(r"41\d{4}-20\d{2}-\d{5}", client.get("/plans/list/").get_data(as_text=True)))


@pytest.mark.parametrize("user,sees,hidden", [
    ("jingban", PDS, FC),
    ("shenhe", PDS, FC),
    ("jingban2", FC, PDS),
    ("chushen", PDS, FC),
    ("fuhe", PDS, FC),
])
def test_list_shows_only_what_the_user_may_see(gps_demo, user, sees, hidden):
    listed = _listed(logged_in(gps_demo, user))
    assert listed and all(n.startswith(sees) for n in listed)
    assert not any(n.startswith(hidden) for n in listed)


def test_admin_sees_every_region(gps_demo):
    listed = _listed(logged_in(gps_demo, "admin"))
    assert any(n.startswith(PDS) for n in listed) and any(n.startswith(FC) for n in listed)


def test_agency_sees_only_entrusted_plans(gps_demo):
    with gps_demo.app_context():
        entrusted = {p.plan_no for p in db.session.query(Plan)
                     if p.agency and p.agency.name == "河南中原招标代理有限公司"}
    assert entrusted and _listed(logged_in(gps_demo, "daili")) == entrusted


def _someone_elses_plan(app):
    ids = _plan_ids(app)
    return next(pk for no, pk in ids.items() if no.startswith(PDS))


@pytest.mark.parametrize("url", ["/plans/show/{pk}", "/plans/edit/{pk}"])
def test_other_units_plan_by_url_is_404(gps_demo, url):
    client = logged_in(gps_demo, "jingban2")
    assert client.get(url.format(pk=_someone_elses_plan(gps_demo))).status_code == 404


def test_other_units_plan_cannot_be_deleted_or_filed(gps):
    pk = _someone_elses_plan(gps)
    client = logged_in(gps, "jingban2")
    client.post(f"/plans/delete/{pk}", data={"csrf_token": form_token(client)})
    response = client.post("/plans/action_post", data={
        "action": "file_plans", "rowid": [str(pk)], "csrf_token": form_token(client)})
    assert response.status_code == 404
    with gps.app_context():
        plan = db.session.get(Plan, pk)
        assert plan is not None and plan.state in ("草稿", "已备案")
        assert plan.unit.name == "平顶山市教育局"


def test_other_units_draft_survives_a_cross_unit_delete(gps):
    with gps.app_context():
        draft = db.session.query(Plan).filter(Plan.plan_no.startswith(PDS),
                                              Plan.state == "草稿").first()
        pk = draft.id
    client = logged_in(gps, "jingban2")
    client.post(f"/plans/delete/{pk}", data={"csrf_token": form_token(client)})
    client.post("/plans/action_post", data={
        "action": "file_plans", "rowid": [str(pk)], "csrf_token": form_token(client)})
    with gps.app_context():
        assert db.session.get(Plan, pk).state == "草稿"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_units_plan_in_rest_is_404(gps, method):
    pk = _someone_elses_plan(gps)
    client = gps.test_client()
    token = api_token(client, "jingban2")
    kwargs = {"json": {"project_name": "篡改"}} if method == "put" else {}
    response = getattr(client, method)(f"/api/v1/plan/{pk}", headers=bearer(token), **kwargs)
    assert response.status_code == 404
    with gps.app_context():
        assert db.session.get(Plan, pk).project_name != "篡改"


def test_rest_list_is_scoped(gps_demo):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/?q=(page_size:100)",
                          headers=bearer(api_token(client, "jingban2")))
    numbers = {row["plan_no"] for row in response.json["result"]}
    assert numbers and all(n.startswith(FC) for n in numbers)
    assert response.json["count"] == len(numbers)


def _unit_dropdown(app, user):
    """What the 采购单位 search filter offers: it is searched as one types
    (app/views/common/related_search.py), so every unit a few characters find."""
    client = logged_in(app, user)
    found = set()
    for text in ("市", "县", "局", "院", "会", "委", "单位"):
        answer = client.get("/plans/related/unit", query_string={"q": text}).get_json()
        found |= {row["text"] for row in answer["results"]}
    return found


def test_search_form_dropdown_lists_only_own_unit(gps_demo):
    assert _unit_dropdown(gps_demo, "jingban2") == {"方城县人民医院"}


def test_regulator_dropdown_lists_units_of_its_region(gps_demo):
    assert _unit_dropdown(gps_demo, "chushen") == {"平顶山市教育局", "平顶山市卫生健康委员会"}


def test_search_by_foreign_unit_finds_nothing(gps_demo):
    with gps_demo.app_context():
        from app.models import Organisation

        pds_unit = db.session.query(Organisation).filter_by(name="平顶山市教育局").one().id
    client = logged_in(gps_demo, "jingban2")
    page = client.get(f"/plans/list/?_flt_0_unit={pds_unit}").get_data(as_text=True)
    assert not re.findall(r"41\d{4}-20\d{2}-\d{5}", page)


def test_organisations_are_scoped(gps_demo):
    client = gps_demo.test_client()
    own = client.get("/api/v1/organisation/", headers=bearer(api_token(client, "jingban2")))
    assert [o["name"] for o in own.json["result"]] == ["方城县人民医院"]
    regional = client.get("/api/v1/organisation/?q=(page_size:100)",
                          headers=bearer(api_token(client, "chushen")))
    names = {o["name"] for o in regional.json["result"]}
    assert "平顶山市教育局" in names and "方城县人民医院" not in names
    assert "河南省财政厅" not in names  # above the regulator's region


def test_province_regulator_sees_below(site_factory):
    """A regulator of 河南省 sees plans of every city and county below it."""
    app = site_factory("gps")
    with app.app_context():
        from app.models import Organisation

        sm = app.appbuilder.sm
        user = sm.add_user("shengting", "省", "厅", "st@demo.invalid", sm.find_role("监管复核岗"),
                           password="DemoPass@2026")
        user.organisation_id = db.session.query(Organisation).filter_by(
            name="河南省财政厅").one().id
        db.session.commit()
    listed = _listed(logged_in(app, "shengting"))
    assert any(n.startswith(PDS) for n in listed) and any(n.startswith(FC) for n in listed)


def test_rest_info_dropdowns_are_scoped(gps_demo):
    client = gps_demo.test_client()
    info = client.get("/api/v1/plan/_info", headers=bearer(api_token(client, "jingban2")))
    platform_field = next(f for f in info.json["add_columns"] if f["name"] == "platform")
    names = {v["value"] for v in platform_field["values"]}
    assert names == {"方城县公共资源交易中心"}
