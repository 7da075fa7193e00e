"""A list filter on a number or yes/no column reads its value as the
column's type first (app/views/common/typed_filters.py). FAB passed the
text on: PostgreSQL refused it (a 500 for 预算金额=100 typed into the
address, 满足推送条件=100, a number past the column), SQLite compared it
as best it could. Both databases now answer the same, here in both rounds."""
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.helpers import api_token, bearer, logged_in

ROW = re.compile(r'href="/plans/show/(\d+)"')
# FAB's filters of a number column, in order: 等于, 大于, 小于, 不等于, …
EQUAL, GREATER, SMALLER, NOT_EQUAL = range(4)


@pytest.fixture(scope="module")
def plans(gps_module):
    """The 经办岗's plans: {id: (budget, meets_push)}, and a signed-in client."""
    from app.extensions import db
    from app.models import OrgUser, Plan

    with gps_module.app_context():
        unit = db.session.scalar(select(OrgUser.organisation_id).filter_by(username="jingban"))
        rows = db.session.execute(select(Plan.id, Plan.budget, Plan.meets_push)
                                  .filter_by(unit_id=unit)).all()
    assert len({budget for _, budget, _ in rows}) > 1 and len({push for *_, push in rows}) == 2
    return {pk: (budget, push) for pk, budget, push in rows}, logged_in(gps_module, "jingban")


def listed(client, query) -> set[int]:
    response = client.get("/plans/list/?psize_PlanView=100&" + query)
    assert response.status_code == 200, query
    return {int(pk) for pk in ROW.findall(response.get_data(as_text=True))}


def test_a_budget_filter_reads_its_number(plans):
    mine, client = plans
    middle = sorted(budget for budget, _ in mine.values())[len(mine) // 2]
    assert listed(client, f"_flt_{EQUAL}_budget={middle}") == \
        {pk for pk, (budget, _) in mine.items() if budget == middle}
    assert listed(client, f"_flt_{GREATER}_budget={middle}") == \
        {pk for pk, (budget, _) in mine.items() if budget > middle}
    assert listed(client, f"_flt_{SMALLER}_budget={middle}") == \
        {pk for pk, (budget, _) in mine.items() if budget < middle}
    assert listed(client, f"_flt_{NOT_EQUAL}_budget={middle}") == \
        {pk for pk, (budget, _) in mine.items() if budget != middle}
    assert listed(client, f"_flt_{EQUAL}_budget={middle}000") == \
        {pk for pk, (budget, _) in mine.items() if budget == Decimal(middle)}


@pytest.mark.parametrize("value", ["1e20", "1" + "0" * 40, "-1e20", "1e400"])
def test_a_budget_past_the_column_is_the_number_it_is(plans, value):
    mine, client = plans
    number = Decimal(value)
    assert listed(client, f"_flt_{EQUAL}_budget={value}") == set()
    assert listed(client, f"_flt_{GREATER}_budget={value}") == \
        {pk for pk, (budget, _) in mine.items() if budget > number}
    assert listed(client, f"_flt_{SMALLER}_budget={value}") == \
        {pk for pk, (budget, _) in mine.items() if budget < number}


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "", "1e99999999", "1,000"])
def test_a_budget_that_is_no_number_matches_nothing_and_narrows_nothing(plans, value):
    mine, client = plans
    assert listed(client, f"_flt_{EQUAL}_budget={value}") == set()
    assert listed(client, f"_flt_{NOT_EQUAL}_budget={value}") == set(mine)
    assert listed(client, f"_flt_{GREATER}_budget={value}") == set(mine)


@pytest.mark.parametrize("value, wanted", [("y", True), ("true", True), ("n", False),
                                           ("100", None), ("abc", None)])
def test_a_yes_no_filter_reads_yes_or_no(plans, value, wanted):
    mine, client = plans
    expected = ({pk for pk, (_, push) in mine.items() if push is wanted}
                if wanted is not None else set())
    assert listed(client, f"_flt_0_meets_push={value}") == expected


def test_the_users_list_reads_its_yes_no_filter(gps_module):
    admin = logged_in(gps_module, "admin")
    for value in ("y", "100"):
        assert admin.get(f"/users/list/?_flt_0_active={value}").status_code == 200


def test_a_rest_yes_no_filter_is_true_or_false(plans, gps_module):
    mine, _ = plans
    client = gps_module.test_client()
    headers = bearer(api_token(client, "jingban"))

    def ids(filters):
        response = client.get("/api/v1/plan/", headers=headers,
                              query_string={"q": f"(filters:!({filters}),page_size:100)"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return set(response.json["ids"])

    assert ids("(col:meets_push,opr:eq,value:!t)") == \
        {pk for pk, (_, push) in mine.items() if push}
    assert ids("(col:meets_push,opr:eq,value:!f)") == \
        {pk for pk, (_, push) in mine.items() if not push}
    for junk in ("'100'", "'y'", "!n"):
        response = client.get("/api/v1/plan/", headers=headers,
                               query_string={"q": f"(filters:!((col:meets_push,opr:eq,value:{junk})))"})
        assert response.status_code == 400, junk
        assert response.json["message"] == "查询参数q中meets_push的筛选值须为true或false（!t或!f）。"
    from app.extensions import db
    from app.models import Plan

    pk = min(mine)
    with gps_module.app_context():
        number = db.session.get(Plan, pk).plan_no
    assert ids(f"(col:plan_no,opr:eq,value:'{number}')") == {pk}  # text: FAB's filter, as before


def test_a_rest_filter_value_must_be_a_value_of_its_column(gps_demo):
    from app.models import Lot, Plan
    from app.views.common.typed_filters import TypedInterface, rest_filter_refusal

    plans, lots = TypedInterface(Plan), TypedInterface(Lot)
    with gps_demo.test_request_context():
        for datamodel, column, operation, value in (
                (plans, "budget", "eq", 100), (plans, "budget", "gt", 1.5),
                (plans, "id", "in", [1, 2]), (plans, "plan_no", "eq", "x"),
                (plans, "plan_no", "in", ["x", "y"]), (plans, "meets_push", "eq", False),
                (lots, "project", "rel_o_m", 1), (lots, "project", "rel_o_m", "2147483647")):
            assert rest_filter_refusal(datamodel, column, operation, value) is None, \
                (column, operation, value)
        for datamodel, column, operation, value in (
                (plans, "budget", "eq", "100"), (plans, "budget", "eq", 10 ** 14),
                (plans, "budget", "eq", True), (plans, "id", "eq", 2 ** 31),
                (plans, "id", "in", [1, "2"]), (plans, "id", "in", 1),
                (plans, "meets_push", "eq", 1), (plans, "budget", "eq", float("nan")),
                (plans, "plan_no", "ct", 1), (plans, "plan_no", "eq", None),
                (plans, "plan_no", "sw", ["x"]), (plans, "plan_no", "in", "x"),
                (lots, "project", "rel_o_m", 2 ** 31), (lots, "project", "rel_o_m", "x"),
                (lots, "project", "rel_o_m", [1])):
            assert rest_filter_refusal(datamodel, column, operation, value), \
                (column, operation, value)


def test_the_typed_converter_is_fabs_with_numbers_and_yes_no_typed():
    """Same filters, same order, same names as FAB's; only a number or
    yes/no column's, and the text patterns (开头是, 包含…), are subclasses."""
    from flask_appbuilder.models.sqla import filters as fab
    from flask_appbuilder.models.sqla.filters import SQLAFilterConverter
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    patterns = (fab.FilterStartsWith, fab.FilterNotStartsWith, fab.FilterEndsWith,
                fab.FilterNotEndsWith, fab.FilterContains, fab.FilterNotContains)

    from app.models import Plan
    from app.views.common.typed_filters import TypedFilterConverter, TypedInterface

    typed, fabs = TypedInterface(Plan), SQLAInterface(Plan)
    kinds = ("is_integer", "is_float", "is_numeric", "is_boolean")
    for column in fabs.get_columns_list():
        mine = TypedFilterConverter(typed).convert(column) or []
        theirs = SQLAFilterConverter(fabs).convert(column) or []
        number = any(getattr(fabs, kind)(column) for kind in kinds)
        assert [str(f.name) for f in mine] == [str(f.name) for f in theirs], column
        for m, t in zip(mine, theirs):
            assert isinstance(m, type(t)), column
            assert (type(m) is not type(t)) == (number or type(t) in patterns), column



# --- text is matched as typed, not read as a LIKE pattern ------------------------------

@pytest.fixture
def odd_name(gps):
    """One of jingban's plans named with LIKE's own characters."""
    from sqlalchemy import update

    from app.extensions import db
    from app.models import OrgUser, Plan

    with gps.app_context():
        unit = db.session.scalar(select(OrgUser.organisation_id).filter_by(username="jingban"))
        pk = db.session.scalar(select(Plan.id).filter_by(unit_id=unit).order_by(Plan.id))
        db.session.execute(update(Plan).where(Plan.id == pk).values(
            project_name="预付50%_课桌椅\\采购", changed_on=Plan.changed_on,
            changed_by_fk=Plan.changed_by_fk))
        db.session.commit()
    return pk


@pytest.mark.parametrize("operation, text, found", [
    ("ct", "%", True), ("ct", "_", True), ("ct", "50%_", True), ("ct", "\\", True),
    ("ct", "%%", False), ("ct", "5_%", False), ("sw", "%", False), ("sw", "预付50%", True),
    ("ew", "\\", False), ("ew", "\\采购", True), ("nct", "%", False),
])
def test_a_text_filter_matches_what_was_typed(gps, odd_name, operation, text, found):
    """FAB put the text into LIKE as typed: 包含 “%” or “_” listed every row,
    and a text ending in “\\” was a 500 on PostgreSQL."""
    import prison

    client = gps.test_client()
    q = prison.dumps({"filters": [{"col": "project_name", "opr": operation, "value": text}],
                      "page_size": 100})
    response = client.get("/api/v1/plan/", query_string={"q": q},
                          headers=bearer(api_token(client, "jingban")))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (odd_name in response.json["ids"]) == found
    if operation == "ct" and text in ("%", "_"):
        assert response.json["count"] == 1  # not every plan


@pytest.mark.parametrize("index, text", [(0, "\\"), (1, "\\"), (2, "%"), (2, "_")])
def test_a_list_search_with_like_characters_is_literal(gps, odd_name, index, text):
    client = logged_in(gps, "jingban")
    found = listed(client, f"_flt_{index}_project_name={quote(text)}")
    assert found <= {odd_name}
