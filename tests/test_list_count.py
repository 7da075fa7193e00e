"""Lists of growing tables count their rows only up to LIST_COUNT_CAP
(app/views/common/counting.py): beyond it they say “超过 N”, and the pager
still leads only to pages that exist. Under the cap nothing changes."""
import re

import pytest
from sqlalchemy import event, select, update

from tests.helpers import Statements, api_token, logged_in

COUNT = re.compile(r'id="record-count">(.*?)</span>', re.S)
ROW = re.compile(r"href=\"/plans/show/\d+\"")


def shown_count(page: str) -> str:
    return re.sub(r"<[^>]+>", "", COUNT.search(page).group(1)).strip()


def plan_list(client, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    response = client.get("/plans/list/?" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rest_count(app) -> int:
    """The 经办岗's plans as the REST list counts them (exactly)."""
    token = api_token(app.test_client(), "jingban")
    response = app.test_client().get("/api/v1/plan/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.get_json()["count"]


@pytest.fixture
def site(site_factory):
    """The GPS demo signed in as its 经办岗, and how many plans that user
    sees. The cap is read per request, so a test sets it on the running site."""
    app = site_factory("gps")
    client = logged_in(app, "jingban")
    total = rest_count(app)
    assert total >= 3, "the demo data should give the 经办岗 a few plans"
    return app, client, total


def test_under_the_cap_the_count_is_exact(site):
    app, client, total = site
    app.config["LIST_COUNT_CAP"] = total
    assert shown_count(plan_list(client)) == str(total)


def test_past_the_cap_the_list_says_more_than_and_every_page_link_exists(site):
    app, client, total = site
    cap = app.config["LIST_COUNT_CAP"] = total - 2
    page = plan_list(client, psize_PlanView=1)
    assert shown_count(page) == f"超过 {cap:,}（请用筛选缩小范围）"
    # cap + 1 rows were seen, so the pager's last page is page cap + 1 and it has a row.
    last = re.findall(r"page_PlanView=(\d+)", page)
    assert max(map(int, last)) == cap
    assert ROW.search(plan_list(client, psize_PlanView=1, page_PlanView=cap))
    # Beyond what was counted the rows are still there, for whoever types the URL.
    assert ROW.search(plan_list(client, psize_PlanView=1, page_PlanView=total - 1))


def test_the_count_stops_at_the_cap_in_the_database(site):
    from app.extensions import db

    app, client, _ = site
    app.config["LIST_COUNT_CAP"] = 2
    seen = []
    with app.app_context():
        engine = db.engine

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT COUNT") and \
                re.search(r'FROM "?plan"?\s', statement):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", watch)
    try:
        plan_list(client)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert len(seen) == 1 and "LIMIT" in seen[0][0].upper(), seen
    assert 3 in (seen[0][1].values() if isinstance(seen[0][1], dict) else seen[0][1])


def test_in_english_too(site):
    app, client, _ = site
    app.config["LIST_COUNT_CAP"] = 1
    client.get("/lang/en")
    assert shown_count(plan_list(client)) == "more than 1 (narrow it down with the filters)"


def test_the_rest_list_keeps_the_exact_count(site):
    app, _, total = site
    app.config["LIST_COUNT_CAP"] = 1
    assert rest_count(app) == total
    assert total > 2


# Lists the demo data fills; the others are checked by their datamodel below.
FILLED_LISTS = [("gps", "/plans/list/"), ("gps", "/notice-publish/list/"),
                ("gps", "/audit/list/"), ("gps", "/sync/outbox/list/"),
                ("pds", "/project-notices/list/")]
GROWING = {"Plan", "Contract", "WinnerChange", "AuditLog", "OutboxMessage", "InboxMessage",
           "SecurityEvent", "TradingProject", "PublishedNotice", "PlanReplica",
           # One or more a project: a city's ~417,000 projects at 1,000,000
           # plans (bench/trading_list_bench.py), GPS's ~500,000 replicas.
           "Lot", "ScoringItem", "ComplianceItem", "OpeningBid", "Objection", "TimeChange",
           "ProjectReplica", "LotReplica", "ExpertRequest"}


@pytest.mark.parametrize("site_key, url", FILLED_LISTS)
def test_a_list_of_a_growing_table_says_more_than(site_factory, site_key, url):
    app = site_factory(site_key, LIST_COUNT_CAP=10**9)
    client = logged_in(app, "admin")
    exact = shown_count(client.get(url).get_data(as_text=True))
    assert exact.isdigit() and int(exact) > 0, f"{url}: the demo data has no rows here"
    app.config["LIST_COUNT_CAP"] = 0
    response = client.get(url)
    assert response.status_code == 200
    assert shown_count(response.get_data(as_text=True)).startswith("超过 0")


@pytest.mark.parametrize("demo", ["gps_demo", "pds_demo"])
def test_every_page_list_of_a_growing_table_counts_with_the_cap(request, demo):
    from flask_appbuilder import ModelView

    from app.views.common.counting import CappedCount

    app = request.getfixturevalue(demo)
    lists = [view for view in app.appbuilder.baseviews
             if isinstance(view, ModelView) and view.datamodel.obj.__name__ in GROWING]
    assert lists
    uncapped = [type(view).__name__ for view in lists
                if not isinstance(view.datamodel, CappedCount)]
    assert uncapped == []


def test_a_datamodel_converts_each_column_into_filters_once():
    """ConvertedOnce: the same filters the typed converter makes (FAB's,
    typed for numbers and yes/no), made once per datamodel, and a list of
    each caller's own, since FAB's Filters extends its lists with a view's
    search_filters."""
    from flask_appbuilder.models.filters import Filters
    from flask_appbuilder.models.sqla.filters import FilterEqual

    from app.models import Plan
    from app.views.common.counting import CappedCount
    from app.views.common.typed_filters import TypedFilterConverter, TypedInterface

    ours, typed = CappedCount(Plan), TypedInterface(Plan)
    for column in typed.get_columns_list():
        mine = ours.filter_converter_class(ours).convert(column)
        theirs = TypedFilterConverter(typed).convert(column)
        assert [type(f) for f in mine or []] == [type(f) for f in theirs or []], column
        again = ours.filter_converter_class(ours).convert(column)
        assert [id(f) for f in again or []] == [id(f) for f in mine or []], column
        if mine:
            assert again is not mine  # a list of the caller's own
    extended = Filters(ours.filter_converter_class, ours, ["plan_no"],
                       {"plan_no": [FilterEqual("plan_no", ours)]})
    plain = Filters(ours.filter_converter_class, ours, ["plan_no"])
    assert len(extended.get_search_filters()["plan_no"]) == \
        len(plain.get_search_filters()["plan_no"]) + 1


def test_a_growing_lists_cells_read_as_fabs_do():
    """CappedCount._get_attr_value reads each attribute once; what it reads
    is what FAB's reads: a column, a dotted column (missing: ""), a method's
    result, an Enum's value."""
    import enum
    from types import SimpleNamespace

    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.views.common.counting import CappedCount

    class Colour(enum.Enum):
        RED = "红"

    item = SimpleNamespace(name="甲", colour=Colour.RED, unit=SimpleNamespace(name="乙"),
                           label=lambda: "丙", empty=None)
    for column in ["name", "colour", "unit.name", "unit.missing", "missing", "label", "empty"]:
        assert CappedCount._get_attr_value(item, column) == \
            SQLAInterface._get_attr_value(item, column), column


def test_a_lists_related_records_are_read_in_one_statement(site_factory):
    """An agency's 采购计划 come from several units: their 采购单位 cells are
    read in one SELECT … IN, not one lazy load per unit; a unit the session
    has already (the 经办岗's own) costs none."""
    from app.extensions import db
    from app.models import Organisation, Plan

    app = site_factory("gps")
    with app.app_context():
        agency = db.session.scalar(select(Organisation).where(
            Organisation.name == "河南中原招标代理有限公司"))
        units = db.session.scalars(select(Organisation).where(
            Organisation.org_type == "采购单位").order_by(Organisation.id)).all()
        plans = db.session.scalars(select(Plan).order_by(Plan.id)).all()
        assert len(units) >= 3 and len(plans) >= 3
        for plan, unit in zip(plans, units):  # three plans of the agency, each of its own unit
            db.session.execute(update(Plan).where(Plan.id == plan.id).values(
                agency_id=agency.id, unit_id=unit.id, changed_by_fk=plan.changed_by_fk))
        db.session.commit()
        names = [unit.name for unit in units[:3]]
    client = logged_in(app, "daili")
    client.get("/plans/list/")
    with Statements(app) as seen:
        assert client.get("/plans/list/").status_code == 200
    page = client.get("/plans/list/").get_data(as_text=True)
    assert all(name in page for name in names)
    assert sum("FROM organisation" in s for s in seen) == 1, seen
    client = logged_in(app, "jingban")
    client.get("/plans/list/")
    with Statements(app) as seen:
        assert client.get("/plans/list/").status_code == 200
    assert not any("FROM organisation" in s for s in seen), seen


def test_a_lists_rows_get_their_related_records_from_the_session(site_factory):
    """CappedCount.get_values gives each row the record its key names from
    the session, as a lazy load would, without one per row: no statement
    when the session holds them all, None for an empty key, and a record
    the session holds expired is left to the ORM (read again)."""
    from app.extensions import db
    from app.models import Organisation, Plan
    from app.views.common.counting import CappedCount

    app = site_factory("gps")
    with app.app_context():
        first, second, third = db.session.scalars(select(Plan).order_by(Plan.id).limit(3)).all()
        db.session.execute(update(Plan).where(Plan.id == first.id).values(
            agency_id=None, changed_by_fk=first.changed_by_fk))
        db.session.execute(update(Organisation).where(Organisation.id == third.unit_id)
                           .values(name="新名称单位"))
        db.session.commit()
        plans = db.session.scalars(select(Plan).where(
            Plan.id.in_([first.id, second.id, third.id])).order_by(Plan.id)).all()
        units = {plan.unit_id: db.session.get(Organisation, plan.unit_id) for plan in plans}
        agencies = [db.session.get(Organisation, plan.agency_id)
                    for plan in plans if plan.agency_id is not None]
        for unit in units.values():
            unit.name  # loaded, and the third's then expired
        db.session.expire(units[third.unit_id])
        with Statements(app) as seen:
            rows = list(CappedCount(Plan, session=db.session).get_values(plans, ["unit", "agency"]))
        assert rows[0]["agency"] is None
        assert [row["agency"] for row in rows[1:] if row["agency"] is not None] == agencies
        assert [row["unit"] for row in rows] == [units[plan.unit_id] for plan in plans]
        assert rows[2]["unit"].name == "新名称单位"
        assert all("plan" not in s for s in seen), seen  # no lazy load of a row
        assert sum("FROM organisation" in s for s in seen) <= 1, seen  # the expired unit only
        assert agencies, "the demo should entrust one of its first plans to an agency"


@pytest.mark.parametrize("user, url", [("daili", "/lots/list/"), ("daili", "/lot-fees/list/"),
                                       ("daili", "/lot-settings/list/"),
                                       ("keshi", "/committee/list/")])
def test_a_lot_lists_projects_are_read_in_one_statement(site_factory, user, url):
    """The 标段 lists show each lot's 交易项目: read for the page in one
    SELECT … IN, not one lazy load per lot (at a city's volume, 20 a page)."""
    from tests.acceptance_helpers import accepted_project

    pds = site_factory("pds")
    codes = [accepted_project(pds, f"410400-2026-9810{n}")[2] for n in range(2)]
    client = logged_in(pds, user)
    client.get(url)
    with Statements(pds) as seen:
        page = client.get(url)
    assert page.status_code == 200
    assert all(code in page.get_data(as_text=True) for code in codes)
    # A lazy load asks `id = ?`, the page's load `id IN (?, …)`; the scope's
    # EXISTS compares the id with lot.project_id.
    reads = [s for s in seen if re.search(r"WHERE trading_project\.id (= |IN \()[?%]", s)]
    assert len(reads) == 1 and " IN " in reads[0], reads
    assert any("count(*)" in s and "LIMIT" in s for s in seen), seen  # counted to the cap
