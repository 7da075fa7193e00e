"""Input no page or client of ours sends, found by the second attack probe:
each was a 500 (or English, or the SQL) and is now a clear refusal in the
user's language that changes nothing, or the list as if the junk were not
there. The first probe's findings: tests/test_robustness.py."""
import pytest

from app.extensions import db
from app.models import PROCUREMENT_METHODS, Organisation, Plan
from tests.helpers import api_token, bearer, csrf_token, logged_in
from tests.test_robustness import PLAN

BIG = "99999999999999999999"  # past any INTEGER key

# --- REST ?q= filters whose value is no value of the column --------------------

FILTER_REFUSALS = [
    # (site, user, url, filter, message)
    ("gps", "jingban", "/api/v1/plan/", f"(col:project_name,opr:ct,value:1)",
     "查询参数q中project_name的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:project_name,opr:eq,value:!t)",
     "查询参数q中project_name的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", f"(col:project_name,opr:eq,value:{BIG})",
     "查询参数q中project_name的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:project_name,opr:sw,value:!(a,b))",
     "查询参数q中project_name的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:project_name,opr:in,value:a)",
     "查询参数q中project_name的筛选值须为列表（如!(a,b)）。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:project_name,opr:in,value:!(a,!(b)))",
     "查询参数q中project_name的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:state,opr:eq,value:3)",
     "查询参数q中state的筛选值须为文本。"),
    ("gps", "jingban", "/api/v1/plan/", "(col:meets_push,opr:eq,value:!(!t))",
     "查询参数q中meets_push的筛选值须为true或false（!t或!f）。"),
    ("pds", "keshi", "/api/v1/lot/", f"(col:project,opr:rel_o_m,value:{BIG})",
     "查询参数q中project的筛选值须为记录编号（整数）。"),
    ("pds", "keshi", "/api/v1/lot/", "(col:project,opr:rel_o_m,value:abc)",
     "查询参数q中project的筛选值须为记录编号（整数）。"),
    ("pds", "keshi", "/api/v1/lot/", "(col:project,opr:rel_o_m,value:!t)",
     "查询参数q中project的筛选值须为记录编号（整数）。"),
    ("pds", "keshi", "/api/v1/lot/", "(col:project,opr:rel_o_m,value:!(1,2))",
     "查询参数q中project的筛选值须为记录编号（整数）。"),
    # A date FAB cannot read did not narrow under 大于/小于: every row.
    ("gps", "admin", "/api/v1/trading_project/", "(col:received_at,opr:gt,value:abc)",
     "查询参数q中received_at的筛选值须为日期或时间（如2026-01-31或2026-01-31 09:30）。"),
    ("gps", "admin", "/api/v1/trading_project/", "(col:received_at,opr:lt,value:'2026-13-40')",
     "查询参数q中received_at的筛选值须为日期或时间（如2026-01-31或2026-01-31 09:30）。"),
    ("gps", "admin", "/api/v1/trading_project/", "(col:received_at,opr:eq,value:!t)",
     "查询参数q中received_at的筛选值须为日期或时间（如2026-01-31或2026-01-31 09:30）。"),
    ("pds", "keshi", "/api/v1/lot/", "(col:experts_received_at,opr:eq,value:abc)",
     "查询参数q中experts_received_at的筛选值须为日期或时间（如2026-01-31或2026-01-31 09:30）。"),
]


@pytest.mark.parametrize("site, user, url, flt, message", FILTER_REFUSALS)
def test_a_filter_value_of_the_wrong_kind_is_a_400(gps_demo, pds_demo, site, user, url,
                                                    flt, message):
    app = gps_demo if site == "gps" else pds_demo
    client = app.test_client()
    response = client.get(url, query_string={"q": f"(filters:!({flt}))"},
                          headers=bearer(api_token(client, user)))
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.json["message"] == message


def _listed(client, user, url, flt=None, q=None):
    query = {"q": f"(filters:!({flt}))"} if flt else {"q": q} if q else {}
    response = client.get(url, query_string=query, headers=bearer(api_token(client, user)))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json


def test_a_filter_value_of_the_right_kind_still_lists(gps_demo, pds_demo):
    client = gps_demo.test_client()
    name = _listed(client, "jingban", "/api/v1/plan/")["result"][0]["project_name"]
    state = _listed(client, "jingban", "/api/v1/plan/")["result"][0]["state"]
    for flt in (f"(col:project_name,opr:ct,value:'{name[2:6]}')",
                f"(col:project_name,opr:in,value:!('{name}',x))",
                f"(col:state,opr:eq,value:'{state}')"):
        assert _listed(client, "jingban", "/api/v1/plan/", flt)["count"] > 0, flt
    for flt in ("(col:project_name,opr:in,value:!())",):
        assert _listed(client, "jingban", "/api/v1/plan/", flt)["count"] == 0, flt

    client = pds_demo.test_client()  # a key as a number or as text, up to the largest
    for key in ("1", "'1'", "2147483647", "-2147483648"):
        _listed(client, "daili", "/api/v1/lot/", f"(col:project,opr:rel_o_m,value:{key})")

    client = gps_demo.test_client()  # a date or a time, as FAB reads them
    everything = _listed(client, "admin", "/api/v1/trading_project/")["count"]
    for value, count in (("'2000-01-01'", everything), ("'2000-01-01 08:30'", everything),
                         ("'2099-12-31'", 0)):
        listed = _listed(client, "admin", "/api/v1/trading_project/",
                         f"(col:received_at,opr:gt,value:{value})")
        assert listed["count"] == count, value


def test_a_filter_refusal_in_english_when_asked(gps_demo):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/", query_string={
        "q": "(filters:!((col:project_name,opr:in,value:a)))", "_l_": "en"},
        headers=bearer(api_token(client, "jingban")))
    assert response.json["message"] == \
        "The filter value for project_name in q must be a list (such as !(a,b))."


def test_a_filter_operation_the_column_lacks_is_refused_in_chinese(gps_demo):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/", query_string={
        "q": "(filters:!((col:project_name,opr:gt,value:a)))"},
        headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert response.json["message"] == "查询参数q中的筛选方式gt不可用于project_name。"


# --- REST bodies: a choice column sent a number, a list, an object -------------

@pytest.mark.parametrize("value", [0, 1.5, True, ["公开招标"], {"a": 1}])
def test_a_choice_sent_as_no_text_is_a_422(gps, value):
    client = gps.test_client()
    headers = bearer(api_token(client, "jingban"))
    response = client.post("/api/v1/plan/", headers=headers,
                           json={**PLAN, "project_name": "选项类型测试", "procurement_method": value})
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.json["message"] == {"procurement_method": [
        f"必须是以下之一：{', '.join(PROCUREMENT_METHODS)}。"]}
    with gps.app_context():
        assert db.session.query(Plan).filter_by(project_name="选项类型测试").count() == 0


@pytest.mark.parametrize("site, user, method, url, body, column", [
    ("gps", "admin", "put", "/api/v1/organisation/2", {"org_type": 1}, "org_type"),
    ("gps", "jingban", "post", "/api/v1/winner_change/", {"reason": 1}, "reason"),
    ("pds", "daili", "post", "/api/v1/scoring_item/",
     {"lot": 1, "category": 1, "name": "价格分", "weight": 100}, "category"),
])
def test_every_choice_column_refuses_a_number(site_factory, site, user, method, url, body,
                                              column):
    app = site_factory(site)
    client = app.test_client()
    response = getattr(client, method)(url, json=body,
                                       headers=bearer(api_token(client, user)))
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.json["message"][column][0].startswith("必须是以下之一：")


def test_a_database_refusal_names_no_sql(gps):
    """PUT {"region": null} (now refused before: see below) passed marshmallow
    and failed at the NOT NULL: FAB answered 422 "Database exception
    occurred: (IntegrityError)… UPDATE organisation SET…". Another unit's
    统一社会信用代码 still meets the database's UNIQUE."""
    client = gps.test_client()
    headers = bearer(api_token(client, "admin"))
    with gps.app_context():
        before = db.session.get(Organisation, 2).credit_code
        taken = db.session.get(Organisation, 3).credit_code
    response = client.put("/api/v1/organisation/2", json={"credit_code": taken}, headers=headers)
    assert response.status_code == 422
    assert response.json["message"] == "保存失败：必填项为空、与已有记录重复或引用的记录不存在，未作任何修改。"
    assert "organisation" not in response.get_data(as_text=True).lower()
    with gps.app_context():
        assert db.session.get(Organisation, 2).credit_code == before
    english = client.put("/api/v1/organisation/2?_l_=en", json={"credit_code": taken},
                         headers=headers)
    assert english.json["message"].startswith("Not saved: a required value is empty")


def test_an_unexpected_failure_says_so_in_chinese(gps):
    """FAB's @safe answered any exception with 500 "Fatal error"."""
    from app.views.gps.plans import PlanApi

    api = next(view for view in gps.appbuilder.baseviews if isinstance(view, PlanApi))
    with gps.test_request_context("/api/v1/plan/"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            response = api.response_500()
    assert response.status_code == 500
    assert response.json["message"] == "服务器内部错误，本次操作未完成，请稍后重试或联系系统管理员。"


def test_the_login_api_refuses_another_provider_in_chinese(gps_demo):
    client = gps_demo.test_client()
    response = client.post("/api/v1/security/login", json={
        "username": "jingban", "password": "x", "provider": "ldap"})
    assert response.status_code == 400
    assert response.json["message"] == {"provider": ["不支持该登录方式，provider须为db。"]}


def test_field_descriptions_are_never_the_catalogue_header(gps_demo, pds_demo):
    """FAB looks up gettext("") for a column without a description, which is
    the catalogue's header ("Project-Id-Version: …")."""
    for app, user, url in ((gps_demo, "jingban", "/api/v1/plan/_info"),
                           (pds_demo, "keshi", "/api/v1/acceptance/_info")):
        client = app.test_client()
        response = client.get(url, headers=bearer(api_token(client, user)))
        assert response.status_code == 200
        assert "Project-Id-Version" not in response.get_data(as_text=True)


# --- HTML lists: a filter index or a sort column the list does not have ------

@pytest.mark.parametrize("user, url, junk", [
    ("jingban", "/plans/list/", [("_flt_2_state", "x")]),
    ("jingban", "/plans/list/", [("_flt_9_state", "x")]),
    ("admin", "/users/list/", [("_flt_1_roles", "1")]),
    ("jingban", "/plans/list/", [("_oc_PlanView", "nope"), ("_od_PlanView", "asc")]),
    ("jingban", "/plans/list/", [("_oc_PlanView", "unit"), ("_od_PlanView", "desc")]),
    ("admin", "/regions/list/", [("_oc_RegionView", "id"), ("_od_RegionView", "asc")]),
])
def test_a_list_argument_the_list_lacks_is_left_out(gps_demo, user, url, junk):
    client = logged_in(gps_demo, user)
    response = client.get(url, query_string=[("_flt_0_project_name", "课桌椅"), *junk]
                          if url == "/plans/list/" else junk)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert all(name not in location for name, _ in junk if not name.startswith("_od_"))
    if url == "/plans/list/":
        assert "_flt_0_project_name=" in location
    assert client.get(location).status_code == 200


@pytest.mark.parametrize("args", [
    [("_flt_1_state", "已备案")],
    [("_oc_PlanView", "budget"), ("_od_PlanView", "desc")],
    [("_oc_OtherView", "nope"), ("_od_OtherView", "asc")],  # no list here: FAB ignores it
])
def test_a_list_argument_the_list_has_is_kept(gps_demo, args):
    response = logged_in(gps_demo, "jingban").get("/plans/list/", query_string=args)
    assert response.status_code == 200


# --- HTML forms: a choice that is none of the choices -------------------------

@pytest.mark.parametrize("value, message", [("x", "请从列表中选择"), ("", "该字段是必填字段")])
def test_a_form_choice_that_is_none_of_them_is_refused_in_chinese(gps, value, message):
    jingban = logged_in(gps, "jingban")
    values = {key: ("y" if value is True else value) for key, value in PLAN.items()}
    values.update(project_name="选项表单测试", procurement_method=value,
                  csrf_token=csrf_token(jingban, "/plans/add"))
    response = jingban.post("/plans/add", data=values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert message in response.get_data(as_text=True)
    with gps.app_context():
        assert db.session.query(Plan).filter_by(project_name="选项表单测试").count() == 0


def test_a_form_without_its_choice_is_refused_in_chinese(gps):
    jingban = logged_in(gps, "jingban")
    values = {key: ("y" if value is True else value) for key, value in PLAN.items()
              if key != "procurement_method"}
    values.update(project_name="选项表单测试", csrf_token=csrf_token(jingban, "/plans/add"))
    response = jingban.post("/plans/add", data=values)
    assert response.status_code == 200
    assert "该字段是必填字段" in response.get_data(as_text=True)
    with gps.app_context():
        assert db.session.query(Plan).filter_by(project_name="选项表单测试").count() == 0


def test_a_form_without_its_csrf_token_is_refused_in_chinese(gps):
    jingban = logged_in(gps, "jingban")
    response = jingban.post("/plans/add", data={**PLAN, "interconnected": "y"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面已过期" in text and "Bad Request" not in text


def test_every_forms_choice_field_refuses_junk_in_chinese(gps_demo, pds_demo):
    """Every declared add or edit form's 选择框 is ours, not FAB's EnumField."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.fields import EnumField

    from app.views.common.choices import ChoiceField

    checked = 0
    for app in (gps_demo, pds_demo):
        with app.test_request_context():
            for view in app.appbuilder.baseviews:
                if not isinstance(view, ModelView):
                    continue
                for form in (view.add_form, view.edit_form):
                    for field in form():
                        if isinstance(field, EnumField):
                            assert isinstance(field, ChoiceField), (type(view).__name__,
                                                                    field.name)
                            checked += 1
    assert checked > 10


def test_no_form_field_checks_the_same_thing_twice(gps_demo, pds_demo):
    """FAB appends its Length and InputRequired to the validators it is given;
    add and edit forms sharing them said 字段长度不能超过 128 个字符。 twice."""
    from collections import Counter

    from flask_appbuilder import ModelView

    checked = 0
    for app in (gps_demo, pds_demo):
        for view in app.appbuilder.baseviews:
            if not isinstance(view, ModelView):
                continue
            for form in (view.add_form, view.edit_form):
                for name, field in vars(form).items():
                    validators = getattr(field, "kwargs", {}).get("validators") or []
                    kinds = Counter(type(v).__name__ for v in validators)
                    repeated = [kind for kind, n in kinds.items() if n > 1 and kind != "function"]
                    assert not repeated, (type(view).__name__, name, repeated)
                    checked += bool(validators)
    assert checked > 100


def test_a_text_too_long_is_said_once(site_factory):
    import datetime as dt
    import re

    from tests.test_lot_settings import _accepted, _post_form

    pds = site_factory("pds")
    daili, _pk, _code, (lot1, _lot2) = _accepted(pds)
    page = _post_form(daili, "/objections/add", {
        "lot": str(lot1), "objector": "甲" * 129, "known_on": str(dt.date.today()),
        "received_on": str(dt.date.today()), "content": "质疑内容"}).get_data(as_text=True)
    assert len(re.findall("不能超过 ?128 ?个字", page)) == 1



def test_a_record_chosen_that_is_not_offered_is_said_so(site_factory):
    """登记质疑 posted with a 标段 not among the form's (another agency's,
    none at all, not a number): FAB's required check cleared the select's
    own complaint and said 该字段是必填字段, though one was chosen."""
    import datetime as dt

    from app.models import Objection
    from tests.acceptance_helpers import accepted_project, hand_to_other_agency
    from tests.test_lot_settings import _accepted, _lot_ids, _post_form

    pds = site_factory("pds")
    daili, _pk, _code, (lot1, _lot2) = _accepted(pds)
    _daili, other_pk, _other_code = accepted_project(pds, "410400-2026-95002")
    hand_to_other_agency(pds, other_pk)
    others_lot = _lot_ids(pds, other_pk)[0]
    day = str(dt.date.today())
    for lot, message in ((others_lot, "所选的标段(包)不存在或不在可选范围内"),
                         ("999999", "所选的标段(包)不存在或不在可选范围内"),
                         ("abc", "所选的标段(包)不存在或不在可选范围内"),
                         ("", "该字段是必填字段")):
        response = _post_form(daili, "/objections/add", {
            "lot": str(lot), "objector": "甲供应商", "known_on": day, "received_on": day,
            "content": "质疑内容"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and page.count(message) == 1, lot
        assert lot == "" or "该字段是必填字段" not in page, lot
    with pds.app_context():
        assert db.session.query(Objection).count() == 0


def test_every_forms_record_choice_says_when_a_record_is_not_offered(gps_demo, pds_demo):
    """Each add and edit form's select of a related record checks first that
    what was posted is one of its choices (validation._form_known_choice)."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField

    from app.views.common.validation import _form_known_choice

    checked = 0
    for app in (gps_demo, pds_demo):
        for view in app.appbuilder.baseviews:
            if not isinstance(view, ModelView):
                continue
            for form, method in ((view.add_form, "add"), (view.edit_form, "edit")):
                may = "can_" + (view.method_permission_name or {}).get(method, method)
                if may not in view.base_permissions:  # a form nobody reaches
                    continue
                for name, field in vars(form).items():
                    kind = getattr(field, "field_class", None)
                    if kind is None or not issubclass(kind, QuerySelectField) \
                            or issubclass(kind, QuerySelectMultipleField):
                        continue
                    validators = field.kwargs.get("validators") or []
                    assert validators[:1] == [_form_known_choice], (type(view).__name__, name)
                    checked += 1
    assert checked > 5


@pytest.mark.parametrize("user, url, args", [
    ("admin", "/users/list/", {"_flt_0_username": "\x00"}),
    ("jingban", "/plans/list/", {"_flt_0_project_name": "课桌\x00椅"}),
    ("jingban", "/plans/list/", {"_oc_PlanView": "\x00", "_od_PlanView": "asc"}),
])
def test_a_list_argument_with_a_nul_is_left_out(gps_demo, user, url, args):
    """PostgreSQL refuses NUL in text, even in a WHERE (a 500 on the first
    query that met it)."""
    client = logged_in(gps_demo, user)
    response = client.get(url, query_string={**args, "page_x": "1"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(url + "?") and "page_x=1" in location
    assert "_flt_" not in location and "_oc_" not in location and "%00" not in location


def test_the_website_reads_a_nul_in_a_search_leniently(empty_pds):
    response = empty_pds.test_client().get("/web/caigou/", query_string={"title": "教\x00育"})
    assert response.status_code == 200


# --- the third probe's findings -------------------------------------------------

@pytest.mark.parametrize("q", ["(filters:1)", "(filters:!t)", "(filters:1.5)", '{"filters":5}'])
def test_filters_that_are_no_list_are_a_400(gps_demo, q):
    client = gps_demo.test_client()
    response = client.get("/api/v1/plan/", query_string={"q": q},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert response.json["message"].startswith("查询参数q")


@pytest.mark.parametrize("body", ["null", "[]", "1", '"s"'])
def test_a_put_body_that_is_no_object_is_a_400(gps_demo, body):
    client = gps_demo.test_client()
    response = client.put("/api/v1/organisation/2", data=body, content_type="application/json",
                          headers=bearer(api_token(client, "admin")))
    assert response.status_code == 400
    assert response.json["message"] == "请求内容须为JSON对象（{…}）。"


@pytest.mark.parametrize("body, message", [
    ({"username": "jingban", "password": "x"}, {"provider": ["必填项，不能为空。"]}),
    ({"username": "jing\x00ban", "password": "x", "provider": "db"},
     "提交的内容含有空字符（\\x00），请检查后重新提交。"),
])
def test_the_login_api_refuses_what_fab_would_fail_on(gps_demo, body, message):
    response = gps_demo.test_client().post("/api/v1/security/login", json=body)
    assert (response.status_code, response.json["message"]) == (400, message)


def test_the_login_form_refuses_a_nul_before_looking_the_user_up(gps_demo):
    client = gps_demo.test_client()
    response = client.post("/login/", data={"username": "jing\x00ban", "password": "x",
                                            "csrf_token": csrf_token(client, "/login/")})
    assert response.status_code == 303


@pytest.mark.parametrize("text, message", [
    ("a\x00b", "不能含有空字符（\\x00）"),  # FAB's uniqueness check queried with it
])
def test_a_unique_text_with_a_nul_is_refused_in_the_form(gps, text, message):
    admin = logged_in(gps, "admin")
    for url, data in (("/organisations/add", {"name": text, "org_type": "采购单位",
                                              "credit_code": "91410400MA00000001",
                                              "region": "410400"}),
                      ("/users/add", {"first_name": "甲", "last_name": "乙", "username": text,
                                      "email": "nul@example.cn", "password": "Abcdef123456!",
                                      "conf_password": "Abcdef123456!", "active": "y"}),
                      ("/roles/add", {"name": text})):
        response = admin.post(url, data={**data, "csrf_token": csrf_token(admin, url)})
        assert response.status_code == 200, url
        assert message in response.get_data(as_text=True), url


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_threshold_that_is_no_amount_is_refused(gps, amount):
    admin = logged_in(gps, "admin")
    response = admin.post("/push-thresholds/add", data={
        "region_level": "市级", "category": "货物", "amount": amount,
        "effective_from": "2026-12-01", "basis": "测试",
        "csrf_token": csrf_token(admin, "/push-thresholds/add")})
    assert response.status_code == 200
    assert "限额金额必须大于0元" in response.get_data(as_text=True)


@pytest.mark.parametrize("price, refused", [("Infinity", True), ("NaN", True), ("1e30", True),
                                            ("12.345", True), ("0", False), ("", False),
                                            ("120.50", False)])
def test_a_notice_doc_price_that_is_no_amount_is_refused(gps_demo, price, refused):
    """Infinity was saved, and the draft's edit page was a 500 ever after."""
    from werkzeug.datastructures import MultiDict

    from app.views.gps.notices import NoticeForm

    with gps_demo.test_request_context():
        form = NoticeForm(formdata=MultiDict({"doc_price": price}))
        assert form.doc_price.validate(form) is not refused, form.doc_price.errors
        if refused:
            assert form.doc_price.errors[0].startswith("采购文件售价（元）")


@pytest.mark.parametrize("url", ["/users/download/1", "/roles/download/x", "/groups/download/x"])
def test_fabs_download_routes_are_not_there(gps_demo, url):
    assert logged_in(gps_demo, "admin").get(url).status_code == 404


def test_an_unexpected_failure_is_a_chinese_page_and_json_under_api(gps_demo):
    from werkzeug.exceptions import InternalServerError

    with gps_demo.test_request_context("/plans/list/"):
        from flask import g
        from flask_login import AnonymousUserMixin

        g.user = AnonymousUserMixin()
        response = gps_demo.make_response(gps_demo.handle_http_exception(InternalServerError()))
        assert response.status_code == 500
        assert "服务器内部错误，本次操作未完成" in response.get_data(as_text=True)
    with gps_demo.test_request_context("/api/v1/plan/"):
        response = gps_demo.make_response(gps_demo.handle_http_exception(InternalServerError()))
        assert response.status_code == 500
        assert response.json["message"].startswith("服务器内部错误")


# --- shared keys with a peer ----------------------------------------------------

@pytest.mark.parametrize("key, ok", [
    ("whsec_" + "A" * 43 + "=", True), ("whsec_" + "QUJD" * 8, True),
    ("", False), ("x", False), ("😀", False), ("公开招标 ", False), ("whsec_", False),
    ("whsec_QUJD", False), ("whsec_!!!!" * 10, False), ("A" * 44, False),
])
def test_a_shared_key_must_be_long_random_base64(key, ok):
    from app.sync.signing import key_error

    assert (key_error(key) is None) == ok, key


def test_a_weak_key_is_refused_in_the_form(gps):
    admin = logged_in(gps, "admin")
    response = admin.post("/sync/keys/add", data={
        "peer": "410400", "secret": "x", "note": "试",
        "csrf_token": csrf_token(admin, "/sync/keys/add")})
    assert response.status_code == 200
    assert "密钥格式不正确" in response.get_data(as_text=True)


@pytest.mark.parametrize("chart, status", [("abc", 404), ("2147483647", 404), ("-1", 404),
                                           ("２", 404), ("0", 200), ("1", 200)])
def test_a_user_chart_that_is_not_there_is_a_404(gps_demo, chart, status):
    response = logged_in(gps_demo, "admin").get(f"/userstatschartview/chart/{chart}")
    assert response.status_code == status


def test_field_checks_read_as_sentences(gps_demo, pds_demo):
    """_info lists each field's checks; FAB printed the validator objects."""
    for app, user, url in ((gps_demo, "jingban", "/api/v1/plan/_info"),
                           (pds_demo, "keshi", "/api/v1/acceptance/_info")):
        client = app.test_client()
        info = client.get(url, headers=bearer(api_token(client, user))).json
        checks = [check for field in info["add_columns"] for check in field.get("validate", [])]
        assert checks and not [c for c in checks if "<" in c or "(" in c.split("：")[0]]
        if url.endswith("plan/_info"):
            assert "长度不能超过200个字符。" in checks
            assert "必须是以下之一：货物, 服务, 工程。" in checks


@pytest.mark.parametrize("method, url, message", [
    ("put", "/health", "不支持该请求方法"),
    ("delete", "/interop/v1/messages", "不支持该请求方法"),
    ("get", "/interop/v1/nothing", "接口不存在"),
])
def test_the_machines_addresses_answer_json_in_chinese(gps_demo, method, url, message):
    response = getattr(gps_demo.test_client(), method)(url)
    assert response.status_code in (404, 405) and response.json["message"] == message
    if response.status_code == 405:
        assert response.headers.get("Allow")


def test_the_website_answers_a_wrong_method_in_its_own_frame(pds_demo):
    response = pds_demo.test_client().put("/web/")
    page = response.get_data(as_text=True)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert "不支持这种操作方式" in page and "公共资源交易网" in page
    assert "appbuilder" not in page  # not the back office's frame


@pytest.mark.parametrize("flt", ["(col:project_name,opr:xyz,value:a)",
                                 "(col:project_name,opr:xyz,value:1)",
                                 "(col:plan_no,opr:gt,value:a)"])
def test_a_filter_operation_the_column_lacks_is_a_400_not_every_row(gps_demo, flt):
    client = gps_demo.test_client()
    response = client.get(f"/api/v1/plan/?q=(filters:!({flt}))",
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 400
    assert "查询参数q中的筛选方式" in response.json["message"]


# --- a required text of nothing but spaces or invisible characters --------------------

BLANK_PLAN = {"procurement_method": "询价", "category": "货物", "item_name": "打印纸",
              "budget": "1000.00", "fund_source": "财政性资金", "expected_date": "2026-12-31",
              "interconnected": False}


@pytest.mark.parametrize("blank", ["   ", "\u3000\u3000", "\u200b\u200b", " \ufeff\t"])
def test_a_required_text_of_only_blanks_is_refused_over_rest(gps, blank):
    from app.extensions import db
    from app.models import Plan

    client = gps.test_client()
    with gps.app_context():
        before = db.session.query(Plan).count()
    response = client.post("/api/v1/plan/", json={**BLANK_PLAN, "project_name": blank},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"]["project_name"] == ["不能只填空格或不可见字符"]
    with gps.app_context():
        assert db.session.query(Plan).count() == before


def test_an_empty_required_text_is_refused_over_rest(gps):
    """A REST schema's "required" asks only that the key be there: a PUT of
    {"name": ""} renamed a unit to nothing. Refused, nothing changed."""
    from app.extensions import db
    from app.models import Organisation, OrgUser, Plan

    client = gps.test_client()
    with gps.app_context():
        unit = db.session.query(OrgUser).filter_by(username="jingban").one().organisation_id
        plan = db.session.query(Plan).filter_by(unit_id=unit).order_by(Plan.id).first().id
    for user, url, field in (("admin", f"/api/v1/organisation/{unit}", "name"),
                             ("jingban", f"/api/v1/plan/{plan}", "project_name")):
        response = client.put(url, json={field: ""}, headers=bearer(api_token(client, user)))
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.json["message"][field] == ["必填项，不能为空。"]
    with gps.app_context():
        assert db.session.get(Organisation, unit).name
        assert db.session.get(Plan, plan).project_name


def test_a_required_relation_sent_as_null_names_its_field(gps):
    """{"region": null} was let through by marshmallow's Related field and
    refused only by the database's NOT NULL: the client read the general
    保存失败 without the field. An optional one (a plan's 代理机构) may be null."""
    from app.extensions import db
    from app.models import Organisation, OrgUser, Plan

    client = gps.test_client()
    with gps.app_context():
        unit = db.session.query(OrgUser).filter_by(username="jingban").one().organisation_id
        region = db.session.get(Organisation, unit).region_code
        plan = db.session.query(Plan).filter_by(unit_id=unit, state="草稿").order_by(Plan.id) \
            .first().id
    response = client.put(f"/api/v1/organisation/{unit}", json={"region": None},
                          headers=bearer(api_token(client, "admin")))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"] == {"region": ["不能为空值。"]}
    response = client.put(f"/api/v1/plan/{plan}", json={"agency": None},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 200, response.get_data(as_text=True)
    with gps.app_context():
        assert db.session.get(Organisation, unit).region_code == region
        assert db.session.get(Plan, plan).agency_id is None


def test_a_required_text_of_only_blanks_is_refused_in_the_form(gps):
    from tests.helpers import csrf_token

    client = logged_in(gps, "jingban")
    response = client.post("/plans/add", data={
        **BLANK_PLAN, "interconnected": "", "project_name": "\u3000\u200b",
        "csrf_token": csrf_token(client, "/plans/add")})
    assert response.status_code == 200
    assert "不能只填空格或不可见字符" in response.get_data(as_text=True)


def test_a_text_with_spaces_inside_is_kept(gps):
    client = gps.test_client()
    response = client.post("/api/v1/plan/", json={**BLANK_PLAN, "project_name": "打印纸 采购"},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("field, text", [("project_name", "课桌\x00椅"),  # String, required
                                         ("remark", "备注\x00"),  # Text
                                         ("contact", "\x00")])  # String, optional
def test_a_text_with_a_nul_is_refused_over_rest_on_every_database(gps, field, text):
    """SQLite kept it; PostgreSQL refused the INSERT with the generic 保存失败."""
    from app.extensions import db
    from app.models import Plan

    client = gps.test_client()
    with gps.app_context():
        before = db.session.query(Plan).count()
    response = client.post("/api/v1/plan/", json={**BLANK_PLAN, field: text},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"][field] == ["不能含有空字符（\\x00）"]
    with gps.app_context():
        assert db.session.query(Plan).count() == before


SURROGATE = '"\\ud800"'  # JSON's escape for a lone UTF-16 surrogate: no database stores it


@pytest.mark.parametrize("site, user, method, url, body", [
    ("gps", None, "post", "/api/v1/security/login",
     '{"username": %s, "password": "x", "provider": "db"}' % SURROGATE),
    ("gps", None, "post", "/api/v1/security/login",
     '{"username": "jingban", "password": %s, "provider": "db"}' % SURROGATE),
    ("gps", "shenhe", "post", "/api/v1/winner_change/1/review",
     '{"result": "退回", "opinion": %s}' % SURROGATE),
    ("pds", "keshi", "post", "/api/v1/acceptance/1/review",
     '{"result": "退回", "opinion": %s}' % SURROGATE),
    ("pds", "daili", "post", "/api/v1/acceptance/from_plan", '{"plan_no": %s}' % SURROGATE),
    ("gps", "admin", "put", "/api/v1/holiday/2030",
     '{"year": 2030, "state": "暂定", "holidays": [{"name": %s, "start": "2030-10-01", '
     '"end": "2030-10-03", "workdays": []}]}' % SURROGATE),
    ("gps", "jingban", "get",
     '/api/v1/plan/?q={"filters":[{"col":"project_name","opr":"ct","value":%s}]}' % SURROGATE,
     None),
])
def test_a_lone_surrogate_anywhere_in_json_is_a_400_in_chinese(
        gps_demo, pds_demo, site, user, method, url, body):
    """Each was a 500 with a traceback (the login ones without an account)."""
    app = gps_demo if site == "gps" else pds_demo
    client = app.test_client()
    headers = {"Content-Type": "application/json"}
    if user:
        headers.update(bearer(api_token(client, user)))
    response = getattr(client, method)(url, data=body.encode() if body else None,
                                       headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "无法保存的字符" in response.json["message"]


@pytest.mark.parametrize("text", ["控制字符\x07", "\x1b[31m红色", "方向\u202e符", "a\x7fb"])
def test_a_plan_name_with_a_control_character_is_refused_in_form_and_rest(gps, text):
    """Plans carried them to the trading site's 已接收计划, and on to notices."""
    from tests.helpers import csrf_token

    client = gps.test_client()
    response = client.post("/api/v1/plan/", json={**BLANK_PLAN, "project_name": text},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 422
    assert "控制字符或文字方向符" in str(response.json["message"]["project_name"])
    form = logged_in(gps, "jingban")
    page = form.post("/plans/add", data={**BLANK_PLAN, "interconnected": "", "project_name": text,
                                         "csrf_token": csrf_token(form, "/plans/add")})
    assert page.status_code == 200 and "控制字符或文字方向符" in page.get_data(as_text=True)
    with gps.app_context():
        assert db.session.query(Plan).filter(Plan.project_name == text).count() == 0


def test_a_remark_keeps_its_tabs_and_line_breaks(gps):
    client = gps.test_client()
    response = client.post("/api/v1/plan/", json={**BLANK_PLAN, "project_name": "有备注的计划",
                                                      "remark": "第一行\r\n\t第二行"},
                           headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_page_links_are_a_window_that_keeps_the_search_and_the_rest(gps):
    """A hand-made list's pager (_lists.html): 选择项目's drew a link for every
    page, 25,000 of them at a province's volume (700 KB)."""
    import re

    with gps.test_request_context():
        lists = gps.jinja_env.get_template("_lists.html").module
        html = str(lists.page_links(250, 501, "教育 局", keep={"pk": "7", "none": ""}))
    numbered = re.findall(r'\?page=(\d+)&q=[^"]*">(\d+)<', html)
    assert [int(text) for page, text in numbered if page == text] == list(range(246, 255))
    links = re.findall(r'href="([^"]*)"', html)
    assert len(links) == 9 + 4  # the window, 首页 上一页 下一页 末页
    assert all(link.endswith("&q=%E6%95%99%E8%82%B2%20%E5%B1%80&pk=7") for link in links)
    assert "?page=1&" in html and "?page=501&" in html


def test_a_list_filter_on_a_date_it_cannot_read_is_left_out_and_said_so(gps_demo):
    """?_flt_1_at=abc (大于) showed every row as if it had matched."""
    client = logged_in(gps_demo, "admin")
    response = client.get("/audit/list/?_flt_1_at=abc&_flt_0_action=x")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/audit/list/?_flt_0_action=x")
    assert "筛选条件的值无法识别" in client.get(response.headers["Location"]).get_data(as_text=True)
    for kept in ("/audit/list/?_flt_1_at=2026-01-31", "/audit/list/?_flt_1_at="):
        assert client.get(kept).status_code == 200, kept


def test_a_refused_delete_says_delete_over_rest(gps_demo):
    """An organisation others refer to: REST said 保存失败, the page 删除失败."""
    client = gps_demo.test_client()
    with gps_demo.app_context():
        org = db.session.query(Organisation).filter_by(name="平顶山市教育局").one().id
    response = client.delete(f"/api/v1/organisation/{org}",
                             headers=bearer(api_token(client, "admin")))
    assert response.status_code == 422
    assert response.json["message"] == "删除失败：仍有其他记录引用该记录，未作任何修改。"
    with gps_demo.app_context():
        assert db.session.get(Organisation, org) is not None


@pytest.mark.parametrize("path", ["/api/v1/plan/abc", "/api/v1/plan/-1", "/api/v1/plan/1.5",
                                  "/api/v1/organisation/abc", "/api/v1/plan/１"])
def test_an_item_that_cannot_exist_is_a_404_over_rest(gps_demo, path):
    """Not 405 不支持该请求方法 (only the item's PUT and DELETE took text), and
    a full-width digit is no id (it was read as 1: a PUT changed plan 1)."""
    client = gps_demo.test_client()
    auth = bearer(api_token(client, "admin"))
    assert client.get(path, headers=auth).status_code == 404
    if "１" in path:
        assert client.put(path, headers=auth, json={"remark": "x"}).status_code == 404


# --- JSON nested past Python's recursion limit (an attack probe's 500s) -------------

DEEP_JSON = "[" * 10000 + "]" * 10000


@pytest.mark.parametrize("method, url, user", [
    ("post", "/api/v1/plan/", "jingban"),
    ("post", "/api/v1/security/login", None),
    ("put", "/api/v1/holiday/2027", "admin"),
])
def test_a_body_nested_too_deep_is_a_400(site_factory, method, url, user):
    from tests.helpers import api_token, bearer

    app = site_factory("gps")
    client = app.test_client()
    headers = bearer(api_token(client, user)) if user else {}
    response = getattr(client, method)(url, data=DEEP_JSON, headers=headers,
                                       content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["message"] == "请求内容不是有效的JSON。"


@pytest.mark.parametrize("query, status", [
    ("[" * 1000 + "]" * 1000, 400),              # JSON past the limit
    ("(" + "a:(" * 3000 + ")" * 3000 + ")", 400),  # rison past the limit
    ("(" + "a:(" * 333 + ")" * 333 + ")", 200),    # rison within it: an unknown key, ignored
])
def test_a_query_nested_deep_is_never_a_500(site_factory, query, status):
    from tests.helpers import api_token, bearer

    app = site_factory("gps")
    client = app.test_client()
    response = client.get("/api/v1/plan/", query_string={"q": query},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 400:
        assert response.json["message"] == "查询参数q不是有效的Rison或JSON。"


def test_unencodable_walks_any_depth():
    from app.rules.text import unencodable

    deep = "x"
    for _ in range(100_000):
        deep = [deep]
    assert not unencodable(deep)
    deep[0] = {"\ud800": 1}
    assert unencodable(deep)


def test_the_user_chart_carries_its_data_for_echarts_not_google(gps_demo):
    import json
    import re

    page = logged_in(gps_demo, "admin").get("/userstatschartview/chart/1").get_data(as_text=True)
    assert "google" not in page.lower() and "fab_chart.js" in page
    data = json.loads(re.search(r'id="fab-chart-data">(.*?)</script>', page, re.S).group(1))
    assert data["title"] == "用户统计" and data["locale"] == "zh"
    assert [col["label"] for col in data["table"]["cols"]][1:] == ["登录失败次数"]
    assert any(row["c"][0]["v"] == "admin" for row in data["table"]["rows"])
