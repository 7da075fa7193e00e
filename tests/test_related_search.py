"""Search filters on a related record are searched as one types
(app/views/common/related_search.py): the JSON of matches keeps the user's
scope, junk gets an empty answer, the page carries only the records its
active filters name, and the filter still filters."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation
from tests.helpers import logged_in

UNITS_BY_USER = {  # who → the 采购单位 whose names contain “局” or “院” that they may filter by
    "jianguan": {"平顶山市教育局"},  # 平顶山市财政局: the city's units
    "jingban": {"平顶山市教育局"},  # its own unit
    "jingban2": {"方城县人民医院"},
    "sheng": {"平顶山市教育局", "方城县人民医院"},  # the province
}


def matches(client, column, text):
    return matches_at(client, f"/plans/related/{column}", text)


def names(found) -> set[str]:
    return {row["text"] for row in found["results"]}


def org_id(app, name) -> int:
    with app.app_context():
        return db.session.execute(select(Organisation.id).where(Organisation.name == name)).scalar_one()


@pytest.mark.parametrize("username", list(UNITS_BY_USER))
def test_units_found_are_the_ones_in_scope(gps_demo, username):
    client = logged_in(gps_demo, username)
    found = names(matches(client, "unit", "局")) | names(matches(client, "unit", "院"))
    assert found & {"平顶山市教育局", "方城县人民医院"} == UNITS_BY_USER[username]
    assert all(name in {"平顶山市教育局", "平顶山市卫生健康委员会", "方城县人民医院"}
               or "局" in name or "院" in name for name in found)


def test_agencies_are_found_by_any_part_of_their_name(gps_demo):
    client = logged_in(gps_demo, "jianguan")
    assert names(matches(client, "agency", "中原")) == {"河南中原招标代理有限公司"}
    assert names(matches(client, "agency", "有限公司")) == {"河南中原招标代理有限公司",
                                                           "南阳宛城项目管理有限公司"}
    assert names(matches(client, "agency", "财政局")) == set()  # a 监管部门, not an agency


@pytest.mark.parametrize("text", ["", " ", "%", "_", "%%%", "\x00", "a\x00b", "x" * 5000,
                                  "' OR 1=1 --", "<script>alert(1)</script>", "教育局\\"])
def test_junk_text_is_an_empty_or_plain_answer(gps_demo, text):
    found = matches(logged_in(gps_demo, "jianguan"), "unit", text)
    assert found["pagination"] == {"more": False}
    # % and _ are the characters themselves, not wildcards: no unit is named so.
    assert found["results"] == []


@pytest.mark.parametrize("column", ["state", "budget", "created_by", "password", "..%2F"])
def test_only_the_searched_columns_answer(gps_demo, column):
    assert logged_in(gps_demo, "jianguan").get(f"/plans/related/{column}?q=a").status_code == 404


def test_a_visitor_is_sent_to_sign_in(gps_demo):
    response = gps_demo.test_client().get("/plans/related/unit?q=局")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_twenty_matches_at_most_and_more_is_said(gps):
    with gps.app_context():
        for i in range(25):
            db.session.add(Organisation(name=f"平顶山市测试单位{i:02d}", org_type="采购单位",
                                        region_code="410400", credit_code=f"1141040TEST{i:07d}"))
        db.session.commit()
    found = matches(logged_in(gps, "jianguan"), "unit", "测试单位")
    assert len(found["results"]) == 20 and found["pagination"] == {"more": True}
    assert [row["text"] for row in found["results"]] == [f"平顶山市测试单位{i:02d}" for i in range(20)]


def unit_field(page: str, column: str = "unit") -> str:
    """A searched filter's field as the search form hands it to FAB's script."""
    field = re.search(rf'"{column}": "(\\u003cselect class=\\"form-control related-search.*?)"[,}}]',
                      page)
    assert field, f"no searched {column} field"
    return field.group(1).encode().decode("unicode_escape")


def test_the_page_names_only_the_units_its_filters_name(gps_demo):
    client = logged_in(gps_demo, "jianguan")
    own, elsewhere = org_id(gps_demo, "平顶山市教育局"), org_id(gps_demo, "方城县人民医院")
    assert "<option value=\"" + str(own) not in unit_field(
        client.get("/plans/list/").get_data(as_text=True))
    page = client.get(f"/plans/list/?_flt_0_unit={own}").get_data(as_text=True)
    assert f'<option value="{own}">平顶山市教育局</option>' in unit_field(page)
    # A unit outside the regulator's scope is not named, whatever the URL says.
    page = client.get(f"/plans/list/?_flt_0_unit={elsewhere}").get_data(as_text=True)
    assert "方城县人民医院" not in unit_field(page)
    # The empty box, kept per language, is empty still after a filtered page.
    assert "<option value=\"" + str(own) not in unit_field(
        client.get("/plans/list/").get_data(as_text=True))
    # A key that cannot be one: SQLite lists nothing for it and the box names
    # nothing; PostgreSQL refuses the comparison and the list says so (302).
    junk = client.get(f"/plans/list/?_flt_0_unit={own}&_flt_0_unit=abc")
    assert junk.status_code in (200, 302)
    if junk.status_code == 200:
        assert "abc" not in unit_field(junk.get_data(as_text=True))


def test_the_filter_still_filters(gps_demo):
    client = logged_in(gps_demo, "admin")
    own = org_id(gps_demo, "平顶山市教育局")
    everything = client.get("/plans/list/?psize_PlanView=100").get_data(as_text=True)
    page = client.get(f"/plans/list/?_flt_0_unit={own}&psize_PlanView=100").get_data(as_text=True)
    rows = re.findall(r"<tr><td>.*?</tr>", page, re.S)
    assert rows and all("平顶山市教育局" in row for row in rows)
    assert any("平顶山市教育局" not in row for row in re.findall(r"<tr><td>.*?</tr>", everything, re.S))


def searched(app):
    """(view, column) of every searched relation filter of a site."""
    return [(view, column) for view in app.appbuilder.baseviews
            for column in getattr(view, "searched_relations", {})]


@pytest.fixture
def pds_with_a_project(site_factory):
    """A trading site with one accepted project and its two lots."""
    from tests.acceptance_helpers import accepted_project

    app = site_factory("pds")
    accepted_project(app, "410400-2026-97001")
    return app


@pytest.mark.parametrize("key,count", [("gps", 6), ("pds", 9)])  # 审计日志 用户 on both
def test_every_searched_filter_answers_over_http_and_finds_by_its_columns(request, key, count):
    """Each view's /related/<column> answers its readers (the permission it
    maps to is read), finds a record of its scope by a part of each searched
    column, and its list page carries the box, not a list of every record."""
    from flask import url_for

    app = request.getfixturevalue({"gps": "gps_demo", "pds": "pds_with_a_project"}[key])
    pairs = searched(app)
    assert len(pairs) == count, [(view.endpoint, column) for view, column in pairs]
    client = logged_in(app, "admin")
    for view, column in pairs:
        with app.test_request_context():
            from flask import g

            from app.models import OrgUser
            g.user = db.session.query(OrgUser).filter_by(username="admin").one()
            some = view.related_choices(column)
            url, page = url_for(f"{view.endpoint}.related", column=column), \
                url_for(f"{view.endpoint}.list")
            model = view.datamodel.get_related_interface(column).obj
            record = db.session.get(model, some[0][0]) if some else None
            parts = [str(getattr(record, name))[-3:] for name in view.searched_relations[column]] \
                if record else []
        listing = client.get(page)
        assert listing.status_code == 200, page
        assert 'related-search' in listing.get_data(as_text=True), page
        assert client.get(url + "?q=").get_json() == {"results": [],
                                                      "pagination": {"more": False}}
        if not some:  # the demo has no pushed lots: test_pushed_lots_… has them
            assert type(view).__name__ == "LotReplicaView", url
            continue
        for part in parts:
            found = client.get(url, query_string={"q": part})
            assert found.status_code == 200, url
            assert some[0][0] in {row["id"] for row in found.get_json()["results"]}, (url, part)


def test_the_box_speaks_the_readers_language(gps_demo):
    client = logged_in(gps_demo, "jianguan")
    assert 'data-placeholder="输入名称查找"' in unit_field(client.get("/plans/list/").get_data(as_text=True))
    client.get("/lang/en")
    page = client.get("/plans/list/").get_data(as_text=True)
    assert 'data-placeholder="Type a name to search"' in unit_field(page)
    client.get("/lang/zh")
    page = client.get("/plans/list/").get_data(as_text=True)  # each language's box kept
    assert 'data-placeholder="输入名称查找"' in unit_field(page)
    page = client.get("/winner-changes/list/").get_data(as_text=True)
    assert re.search(r'"plan": "\\u003cselect class=\\"form-control related-search\\".*?'
                     r'data-placeholder=\\"\\u8f93\\u5165\\u7f16\\u53f7', page)  # 输入编号或名称查找


def test_pushed_lots_offer_only_the_projects_in_scope(gps):
    """【交易项目与标段】's 标段 list: FAB's select offered every project
    replica of every platform; the box finds those of the user's scope."""
    import datetime as dt

    from app.models import Plan, ProjectReplica

    with gps.app_context():
        plans = {region: db.session.execute(select(Plan.id).where(Plan.region_code == region)
                                            .order_by(Plan.id).limit(1)).scalar_one()
                 for region in ("410400", "411322")}
        for region, plan_id in plans.items():
            db.session.add(ProjectReplica(
                project_code=f"{region}-GC-0001", platform_code=region, plan_id=plan_id,
                project_name=f"复制项目{region}", budget=1, stage="已受理", version=1,
                received_at=dt.datetime(2026, 5, 1)))
        db.session.commit()
    client = logged_in(gps, "jianguan")
    found = matches_at(client, "/pushed-lots/related/project", "复制项目")
    assert names(found) == {"410400-GC-0001 复制项目410400"}
    assert [row["id"] for row in found["results"]] == ["410400-GC-0001"]
    page = client.get("/pushed-lots/list/?_flt_0_project=411322-GC-0001&_flt_0_project=410400-GC-0001")
    assert page.status_code == 200
    field = unit_field(page.get_data(as_text=True), "project")
    assert "复制项目411322" not in field
    assert '<option value="410400-GC-0001">410400-GC-0001 复制项目410400</option>' in field
    assert names(matches_at(logged_in(gps, "sheng"), "/pushed-lots/related/project", "GC-0001")) == {
        "410400-GC-0001 复制项目410400", "411322-GC-0001 复制项目411322"}


def matches_at(client, url, text, **args):
    response = client.get(url, query_string={"q": text, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("key,users", [
    ("gps", ["jingban", "shenhe", "daili", "chushen", "jianguan", "sheng"]),
    ("pds", ["daili", "keshi"])])
def test_who_may_open_a_list_may_search_its_boxes_and_no_one_else(request, key, users):
    from flask import url_for

    app = request.getfixturevalue({"gps": "gps_demo", "pds": "pds_demo"}[key])
    with app.test_request_context():
        urls = [(url_for(f"{view.endpoint}.list"), url_for(f"{view.endpoint}.related", column=column))
                for view, column in searched(app)]
    for username in users:
        client = logged_in(app, username)
        for listing, related in urls:
            allowed = client.get(listing).status_code
            assert client.get(related + "?q=1").status_code == allowed, (username, related)


# --- an add form's choice of a related record ------------------------------------

FORM_BOXES = ["/objections", "/opening-bids", "/scoring-items", "/compliance-items"]


def test_an_add_forms_lot_box_lists_none_until_one_types_and_finds_only_the_forms_own(
        site_factory):
    """The 标段 of 登记质疑 and its siblings listed every accepted lot in
    scope (~120,000 for an agency at a province's volume: a 5 s page). The
    box now carries none; typing finds the form's choices (accepted lots of
    one's own projects), never another agency's, nor a lot whose project
    is not yet accepted."""
    from tests.acceptance_helpers import (accepted_project, add_lot, hand_to_other_agency,
                                          project_of, pushed_plan, take_plan)
    from tests.test_lot_settings import _lot_ids

    pds = site_factory("pds")
    daili, pk, code = accepted_project(pds, "410400-2026-96001")
    _daili, other_pk, _other_code = accepted_project(pds, "410400-2026-96002")
    hand_to_other_agency(pds, other_pk)
    pushed_plan(pds, "410400-2026-96003")
    take_plan(daili, "410400-2026-96003")
    waiting_pk, waiting_code, _state = project_of(pds, "410400-2026-96003")
    add_lot(daili, waiting_pk, "未受理的包", "100000.00")

    for base in FORM_BOXES:
        form = daili.get(f"{base}/add").get_data(as_text=True)
        box = re.search(r'<select[^>]*name="lot".*?</select>', form, re.S).group(0)
        assert "related-search" in box and f'data-url="{base}/related/lot?form=add"' in box
        assert re.findall(r'<option value="([^"]*)"', box) == [""]
        found = matches_at(daili, f"{base}/related/lot", "JY410400-2026", form="add")
        assert {row["text"].split()[0] for row in found["results"]} == {
            f"{code}001", f"{code}002"}
        assert {str(i) for i in _lot_ids(pds, pk)} == {row["id"] for row in found["results"]}
        for form in ("delete", "edit"):  # the edit forms have no 标段 box
            assert daili.get(f"{base}/related/lot?form={form}&q=JY").status_code == 404
        assert daili.get(f"{base}/related/project?form=add&q=JY").status_code == 404


def test_a_form_chosen_lot_is_shown_again_when_the_form_comes_back(site_factory):
    """A refused form keeps the 标段 chosen, by its label, as the box's one option."""
    import datetime as dt

    from tests.acceptance_helpers import accepted_project
    from tests.helpers import csrf_token
    from tests.test_lot_settings import _lot_ids

    pds = site_factory("pds")
    daili, pk, code = accepted_project(pds, "410400-2026-96001")
    lot = _lot_ids(pds, pk)[0]
    page = daili.post("/objections/add", data={
        "csrf_token": csrf_token(daili, "/objections/add"), "lot": str(lot), "objector": "",
        "known_on": str(dt.date.today()), "received_on": str(dt.date.today()),
        "content": "质疑内容"}).get_data(as_text=True)
    box = re.search(r'<select[^>]*name="lot".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)', box) == [
        ("", "", ""), (str(lot), " selected", f"{code}001 第一包 教学计算机")]
