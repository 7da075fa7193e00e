"""FAB's permission checks answer from one query per request
(SecurityManager._granted): a page asks the permission tables once, and a
role an Admin edits takes effect on the user's next page. Who may open what
is tests/test_access_matrix.py's, unchanged."""
import pytest
from sqlalchemy import event

from tests.helpers import api_token, bearer, logged_in


def _permission_queries(app, call) -> tuple:
    from app.extensions import db

    seen = []

    def count(conn, cursor, statement, *args):
        if "ab_permission_view_role" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


@pytest.mark.parametrize("username,url", [
    ("jingban", "/plans/list/"),
    ("jingban", "/todo/"),
    ("jianguan", "/plans/list/"),
    ("admin", "/users/list/"),
])
def test_a_page_reads_the_permissions_once(gps_demo, username, url):
    client = logged_in(gps_demo, username)
    response, queries = _permission_queries(gps_demo, lambda: client.get(url))
    assert response.status_code == 200
    assert queries == 1


def test_an_api_call_reads_the_permissions_once(gps_demo):
    client = gps_demo.test_client()
    headers = bearer(api_token(client, "jingban"))
    response, queries = _permission_queries(
        gps_demo, lambda: client.get("/api/v1/plan/", headers=headers))
    assert response.status_code == 200
    assert queries == 1


def test_a_role_edited_by_the_admin_counts_from_the_next_page(gps):
    client = logged_in(gps, "jingban")
    assert client.get("/plans/add").status_code == 200
    with gps.app_context():
        sm = gps.appbuilder.sm
        user = sm.find_user("jingban")
        removed = []
        for role in user.roles:
            pv = sm.find_permission_view_menu("can_create", "Plan")
            if pv in role.permissions:
                sm.del_permission_role(role, pv)
                removed.append(role.name)
        assert removed
    assert client.get("/plans/add").status_code == 403
    assert client.get("/plans/list/").status_code == 200


def test_a_menu_entry_revoked_by_the_admin_is_gone_from_the_next_page(gps):
    # The navbar asks has_access once per entry; those answers are memoised
    # for one request only.
    client = logged_in(gps, "jingban")
    assert 'href="/todo/"' in client.get("/plans/list/").get_data(as_text=True)
    with gps.app_context():
        sm = gps.appbuilder.sm
        pv = sm.find_permission_view_menu("menu_access", "Todo")
        assert pv is not None
        for role in sm.find_user("jingban").roles:
            if pv in role.permissions:
                sm.del_permission_role(role, pv)
    assert 'href="/todo/"' not in client.get("/plans/list/").get_data(as_text=True)
