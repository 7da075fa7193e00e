"""【待办任务】 at volume: counted, searched and paged in SQL, newest first
across chains, and a page costs the same statements whatever the queue's size."""
import datetime as dt
import re

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import OrgUser, WinnerChange
from tests.filings import filed_plan_id
from tests.helpers import api_token, bearer, logged_in

START = dt.datetime(2026, 3, 2, 9, 0)


def waiting(app, n, first=0, name_of=None):
    """n 中标结果变更备案 of jingban's unit waiting for 单位内部审核 (shenhe),
    the k-th changed k minutes after START."""
    plan_id = filed_plan_id(app)
    with app.app_context():
        jingban = db.session.query(OrgUser).filter_by(username="jingban").one()
        unit = jingban.organisation
        for k in range(first, first + n):
            db.session.add(WinnerChange(
                filing_no=f"BGBA-T{k:05d}", unit_id=unit.id, region_code=unit.region_code,
                plan_id=plan_id, original_supplier="甲公司", original_amount=100,
                new_supplier=(name_of or (lambda k: "乙公司"))(k), new_amount=100,
                reason="其他", explanation="测试", state="待单位审核",
                created_on=START, changed_on=START + dt.timedelta(minutes=k),
                created_by_fk=jingban.id, changed_by_fk=jingban.id))
        db.session.commit()


def shown(page: str) -> list[str]:
    """The filing numbers of the page's rows, in order."""
    return re.findall(r'class="todo-row">\s*<td>[^<]*</td>\s*<td>BGBA-T(\d{5})', page)


def loaded(client, url) -> int:
    """How many 中标结果变更备案 the request loaded as objects."""
    seen = []
    hook = lambda target, context: seen.append(target.id)  # noqa: E731
    event.listen(WinnerChange, "load", hook)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(WinnerChange, "load", hook)
    return len(seen)


def test_pages_newest_first_with_the_whole_count(gps):
    waiting(gps, 45)
    client = logged_in(gps, "shenhe")
    first = client.get("/todo/").get_data(as_text=True)
    assert "共 45 项" in first
    # A window of page links, not one per page.
    assert '?page=3&q=' in first and "末页" in first and "首页" not in first
    assert shown(first) == [f"{k:05d}" for k in range(44, 24, -1)]
    third = client.get("/todo/?page=3").get_data(as_text=True)
    assert shown(third) == [f"{k:05d}" for k in range(4, -1, -1)]
    # A page past the last is the last page, not an empty one.
    assert shown(client.get("/todo/?page=99").get_data(as_text=True)) == shown(third)


def test_a_page_loads_its_own_items_only(gps):
    waiting(gps, 65)
    client = logged_in(gps, "shenhe")
    assert loaded(client, "/todo/") == 20
    assert loaded(client, "/todo/?page=4") == 5
    assert loaded(client, "/todo/?q=BGBA-T0005") == 10


def test_search_in_sql_by_number_name_or_unit_and_wildcards_are_text(gps):
    waiting(gps, 30)
    client = logged_in(gps, "shenhe")
    assert shown(client.get("/todo/?q=BGBA-T0001").get_data(as_text=True)) == [
        f"{k:05d}" for k in range(19, 9, -1)]
    with gps.app_context():
        unit = db.session.query(OrgUser).filter_by(username="jingban").one().organisation.name
    assert len(shown(client.get(f"/todo/?q={unit}").get_data(as_text=True))) == 20
    for junk in ("%", "_", "BGBA-T000%"):
        page = client.get("/todo/", query_string={"q": junk}).get_data(as_text=True)
        assert shown(page) == [], junk
        assert "暂无待办任务" in page


def test_the_api_pages_and_counts(gps):
    waiting(gps, 25)
    token = api_token(gps.test_client(), "shenhe")
    body = gps.test_client().get("/api/v1/todo/?psize=10&page=3", headers=bearer(token)).get_json()
    assert (body["count"], body["page"], body["pages"]) == (25, 3, 3)
    assert [row["label"].split()[0] for row in body["result"]] == [
        f"BGBA-T{k:05d}" for k in range(4, -1, -1)]
    body = gps.test_client().get("/api/v1/todo/?psize=abc&page=-4", headers=bearer(token)).get_json()
    assert (body["count"], body["page"], len(body["result"])) == (25, 1, 20)


@pytest.mark.parametrize("username", ["jingban", "chushen", "daili"])
def test_others_do_not_see_the_units_queue(gps, username):
    waiting(gps, 3)
    page = logged_in(gps, username).get("/todo/").get_data(as_text=True)
    assert "BGBA-T" not in page


def test_a_search_reads_its_first_page_and_total_in_one_statement(gps):
    from tests.helpers import Statements

    waiting(gps, 45)
    client = logged_in(gps, "shenhe")
    with Statements(gps) as seen:
        first = client.get("/todo/?q=BGBA-T").get_data(as_text=True)
    assert "共 45 项" in first
    assert shown(first) == [f"{k:05d}" for k in range(44, 24, -1)]
    # The search's WHERE runs once, not once to count and once for the page,
    # and reads each filing's plan name by its id: an EXISTS inside the OR
    # was answered by reading every plan's name (models._mentions).
    searched = [s for s in seen if "FROM winner_change" in s and "LIKE" in s]
    assert len(searched) == 1 and "EXISTS" not in searched[0].upper()
    with gps.app_context():
        name = db.session.query(WinnerChange).first().plan.project_name
    assert "共 45 项" in client.get("/todo/", query_string={"q": name[2:8]}).get_data(as_text=True)
    assert shown(client.get("/todo/?q=BGBA-T&page=2").get_data(as_text=True)) == [
        f"{k:05d}" for k in range(24, 4, -1)]
    assert shown(client.get("/todo/?q=BGBA-T&page=9").get_data(as_text=True)) == [
        f"{k:05d}" for k in range(4, -1, -1)]
    token = api_token(gps.test_client(), "shenhe")
    for query, count, labels in (("psize=30", 45, range(44, 14, -1)),
                                 ("psize=10&page=2", 45, range(34, 24, -1)),
                                 ("psize=100", 45, range(44, -1, -1))):
        body = gps.test_client().get(f"/api/v1/todo/?q=BGBA-T&{query}",
                                     headers=bearer(token)).get_json()
        assert body["count"] == count, query
        assert [row["label"].split()[0] for row in body["result"]] == [
            f"BGBA-T{k:05d}" for k in labels], query



def test_a_searchs_pages_merge_several_chains_from_what_it_read_with_the_count(gps):
    # Three chains of one model (even numbers, odd ones, none): the first page
    # comes from what count() read; a later page reads a chain again only if
    # that read stopped at its limit.
    from app.views.common.approval import ApprovalViews
    from app.views.common.todo import Queue
    from tests.helpers import Statements

    waiting(gps, 30)
    view = next(v for v in gps.appbuilder.baseviews
                if isinstance(v, ApprovalViews) and v.chain and v.chain.item_model is WinnerChange)
    with gps.test_request_context():
        queue = Queue(gps.appbuilder, None)
        even = WinnerChange.id % 2 == 0
        queue.parts = [(view, WinnerChange, even), (view, WinnerChange, ~even),
                       (view, WinnerChange, WinnerChange.filing_no == "无此编号")]
        queue.searching = True
        assert queue.count(8) == 30
        with Statements(gps) as seen:
            first = [row["label"].split()[0] for row in queue.page(1, 8)]
        assert first == [f"BGBA-T{k:05d}" for k in range(29, 21, -1)]
        assert not [s for s in seen if "LIMIT" in s]
        with Statements(gps) as seen:
            fourth = [row["label"].split()[0] for row in queue.page(4, 8)]
        assert fourth == [f"BGBA-T{k:05d}" for k in range(5, -1, -1)]
        assert len([s for s in seen if "LIMIT" in s]) == 2  # not the empty chain


def test_mentions_refuses_a_relation_onto_another_table():
    from app.models import Organisation, _mentions

    with pytest.raises(ValueError):
        _mentions("x", via=((WinnerChange.plan, Organisation.name),))
