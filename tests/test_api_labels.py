"""Every REST API labels its columns and titles in the site's words, not the
English FAB makes from names ("Platform Code", "List Plan Replica")."""
import pytest
from flask_appbuilder import ModelRestApi

from tests.helpers import api_token, bearer

TITLES = ("list_title", "add_title", "edit_title", "show_title")


def _apis(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]


def _answers(app, api, client, headers):
    base = f"/api/v1/{api.resource_name}/"
    for url in (base + "?q=(page_size:1)", base + "_info"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:200])
        yield url, response.json
        for pk in (response.json.get("ids") or [])[:1]:
            shown = client.get(f"{base}{pk}", headers=headers)
            assert shown.status_code == 200
            yield f"{base}{pk}", shown.json


@pytest.mark.parametrize("site", ["gps_demo", "pds_demo"])
def test_no_api_answers_with_fabs_english_labels(request, site):
    app = request.getfixturevalue(site)
    client = app.test_client()
    headers = bearer(api_token(client, "admin"))
    english = []
    for api in _apis(app):
        for url, body in _answers(app, api, client, headers):
            for name, label in (body.get("label_columns") or {}).items():
                if label == api._prettify_column(name):
                    english.append((url, name, label))
            for key in TITLES:
                if key in body and str(body[key]).split(" ")[0] in ("List", "Add", "Edit", "Show"):
                    english.append((url, key, body[key]))
    assert english == []


def test_api_labels_follow_the_language_and_leave_pages_alone(gps_demo):
    client = gps_demo.test_client()
    headers = bearer(api_token(client, "admin"))
    zh = client.get("/api/v1/plan/?q=(page_size:1)", headers=headers).json
    en = client.get("/api/v1/plan/?q=(page_size:1)&_l_=en", headers=headers).json
    assert zh["label_columns"]["platform_code"] == "交易平台代码"
    assert zh["label_columns"]["unit.name"] == "采购单位"
    # Not 采购公告发布's “操作”, the page of plans whose id column holds buttons.
    assert zh["label_columns"]["id"] == "ID"
    assert zh["list_title"] == "采购计划备案"
    assert en["label_columns"]["platform_code"] == "Platform code"
    assert en["list_title"] == "Plan Filing"
    info = client.get("/api/v1/winner_change/_info", headers=headers).json
    assert info["add_title"] == "增加中标结果变更备案"
    lists = client.get("/api/v1/winner_change/?q=(page_size:1)", headers=headers).json
    assert lists["label_columns"]["plan_id"].endswith("ID")
    # The page's own labels are its own: the API's copy is a dict of its own.
    from app.views.gps.plans import PlanApi, PlanView

    page = next(v for v in gps_demo.appbuilder.baseviews if type(v) is PlanView)
    api = next(v for v in gps_demo.appbuilder.baseviews if type(v) is PlanApi)
    assert page.label_columns is not api.label_columns


def test_an_apis_id_is_its_key_whatever_a_page_shows_there(pds_demo):
    """组建评委会 shows a lot's 评委会状态 in its "id" column; the lot API's id
    is the lot's key."""
    client = pds_demo.test_client()
    body = client.get("/api/v1/lot/_info", headers=bearer(api_token(client, "daili"))).json
    lists = client.get("/api/v1/lot/?q=(page_size:1)",
                       headers=bearer(api_token(client, "daili"))).json
    assert lists["label_columns"]["id"] == "ID", (body.get("add_columns"), lists["label_columns"])
