"""FAB's permission checks answer from grants each process keeps per set of
roles (SecurityManager._granted), under the number the permission tables'
triggers raise on every change (grants_version, read with the session user):
a page asks the permission tables at most once, usually never, and a role an
Admin edits (through any process, or by SQL) takes effect on the user's next
page. Who may open what is tests/test_access_matrix.py's, unchanged."""
import pytest
from sqlalchemy import delete, event, insert, select, text, update

from tests.conftest import _dispose, make_app
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


def _version(app) -> int:
    from app.extensions import db
    from app.models import GrantsVersion

    with app.app_context():
        return db.session.scalar(select(GrantsVersion.version))


@pytest.mark.parametrize("username,url", [
    ("jingban", "/plans/list/"),
    ("jingban", "/todo/"),
    ("jianguan", "/plans/list/"),
    ("admin", "/users/list/"),
])
def test_a_page_reads_the_permissions_once_and_then_keeps_them(gps_demo, username, url):
    client = logged_in(gps_demo, username)
    response, queries = _permission_queries(gps_demo, lambda: client.get(url))
    assert response.status_code == 200
    assert queries <= 1
    response, queries = _permission_queries(gps_demo, lambda: client.get(url))
    assert response.status_code == 200
    assert queries == 0


def test_an_api_call_reads_the_permissions_once(gps_demo):
    # A token's user is not the session user: no grants_version, FAB's
    # question asked once per request as before.
    client = gps_demo.test_client()
    headers = bearer(api_token(client, "jingban"))
    for _ in range(2):
        response, queries = _permission_queries(
            gps_demo, lambda: client.get("/api/v1/plan/", headers=headers))
        assert response.status_code == 200
        assert queries == 1


def _kept(app, url, username="jingban"):
    """A signed-in client whose process has read and kept its grants (the
    second request answers from them)."""
    client = logged_in(app, username)
    for _ in range(2):
        assert client.get(url).status_code == 200
    return client


def _revoke(app, permission, view, username="jingban") -> list:
    with app.app_context():
        sm = app.appbuilder.sm
        pv = sm.find_permission_view_menu(permission, view)
        assert pv is not None
        removed = []
        for role in sm.find_user(username).roles:
            if pv in role.permissions:
                sm.del_permission_role(role, pv)
                removed.append(role.name)
        assert removed, f"{username} had no {permission} on {view}"
        return removed


def test_a_role_edited_by_the_admin_counts_from_the_next_page(gps):
    client = _kept(gps, "/plans/add")
    _revoke(gps, "can_create", "Plan")
    assert client.get("/plans/add").status_code == 403
    assert client.get("/plans/list/").status_code == 200


def test_a_role_edited_in_another_process_counts_from_the_next_page(gps, redis_url):
    # Two gunicorn workers: each keeps its own grants; the one that did not
    # make the change learns of it from the number, not from a message.
    other = make_app("gps", gps.config["SQLALCHEMY_DATABASE_URI"], redis_url)
    try:
        client = _kept(gps, "/plans/add")
        before = _version(gps)
        _revoke(other, "can_create", "Plan")
        assert _version(gps) > before
        assert client.get("/plans/add").status_code == 403
    finally:
        _dispose(other)


def test_a_permission_deleted_by_sql_counts_from_the_next_page(gps):
    from app.extensions import db

    client = _kept(gps, "/plans/add")
    with gps.app_context():
        sm = gps.appbuilder.sm
        pv = sm.find_permission_view_menu("can_create", "Plan")
        db.session.execute(text("DELETE FROM ab_permission_view_role WHERE permission_view_id = :id"),
                           {"id": pv.id})
        db.session.commit()
    assert client.get("/plans/add").status_code == 403


def test_a_role_taken_from_the_user_counts_from_the_next_page(gps):
    client = _kept(gps, "/plans/list/")
    with gps.app_context():
        from app.extensions import db

        sm = gps.appbuilder.sm
        user = sm.find_user("jingban")
        user.roles = []
        db.session.commit()
    assert client.get("/plans/list/").status_code in (302, 403)


def test_a_menu_entry_revoked_by_the_admin_is_gone_from_the_next_page(gps):
    client = logged_in(gps, "jingban")
    for _ in range(2):
        assert 'href="/todo/"' in client.get("/plans/list/").get_data(as_text=True)
    _revoke(gps, "menu_access", "Todo")
    assert 'href="/todo/"' not in client.get("/plans/list/").get_data(as_text=True)


def _tables():
    from flask_appbuilder.security.sqla.models import (
        Permission, PermissionView, ViewMenu, assoc_permissionview_role)

    return assoc_permissionview_role, PermissionView.__table__, Permission.__table__, \
        ViewMenu.__table__


@pytest.mark.parametrize("change", ["insert", "update", "delete"])
@pytest.mark.parametrize("table", ["ab_permission_view_role", "ab_permission_view",
                                   "ab_permission", "ab_view_menu"])
def test_every_change_to_the_permission_tables_raises_the_number(gps, table, change):
    from flask_appbuilder.security.sqla.models import Role

    from app.extensions import db

    assoc, pv, permission, view_menu = _tables()
    with gps.app_context():
        connection = db.session.connection()
        role, other_role = connection.execute(select(Role.id).order_by(Role.id).limit(2)).scalars()
        # Rows of its own, so each change touches something that exists.
        probe = connection.execute(
            insert(permission).values(name="can_probe").returning(permission.c.id)).scalar()
        view, other_view = (connection.execute(
            insert(view_menu).values(name=name).returning(view_menu.c.id)).scalar()
            for name in ("Probe", "OtherProbe"))
        pair, other_pair = (connection.execute(insert(pv).values(
            permission_id=probe, view_menu_id=v).returning(pv.c.id)).scalar()
            for v in (view, other_view))
        connection.execute(insert(assoc).values(permission_view_id=pair, role_id=role))
        db.session.commit()
    before = _version(gps)
    statements = {
        ("ab_permission_view_role", "insert"):
            [insert(assoc).values(permission_view_id=other_pair, role_id=role)],
        ("ab_permission_view_role", "update"):
            [update(assoc).where(assoc.c.permission_view_id == pair).values(role_id=other_role)],
        ("ab_permission_view_role", "delete"):
            [delete(assoc).where(assoc.c.permission_view_id == pair)],
        ("ab_permission_view", "insert"):
            [delete(pv).where(pv.c.id == other_pair),  # (made again below)
             insert(pv).values(permission_id=probe, view_menu_id=other_view)],
        ("ab_permission_view", "update"):
            [update(pv).where(pv.c.id == other_pair).values(view_menu_id=other_view)],
        ("ab_permission_view", "delete"): [delete(pv).where(pv.c.id == other_pair)],
        ("ab_permission", "insert"): [insert(permission).values(name="can_probe_2")],
        ("ab_permission", "update"):
            [update(permission).where(permission.c.id == probe).values(name="can_probed")],
        ("ab_permission", "delete"): [
            delete(assoc).where(assoc.c.permission_view_id == pair),
            delete(pv).where(pv.c.permission_id == probe),
            delete(permission).where(permission.c.id == probe)],
        ("ab_view_menu", "insert"): [insert(view_menu).values(name="ThirdProbe")],
        ("ab_view_menu", "update"):
            [update(view_menu).where(view_menu.c.id == view).values(name="Probed")],
        ("ab_view_menu", "delete"): [
            delete(pv).where(pv.c.id == other_pair),
            delete(view_menu).where(view_menu.c.id == other_view)],
    }[table, change]
    *preparing, tested = statements
    with gps.app_context():
        for statement in preparing:
            db.session.execute(statement)
        db.session.commit()
    middle = _version(gps)
    assert middle >= before
    with gps.app_context():
        db.session.execute(tested)
        db.session.commit()
    assert _version(gps) > middle


def test_one_number_is_kept_at_a_time_newer_or_older(gps_demo):
    # Older too: a database restored under running workers goes back to an
    # older number, and what was kept under the newer one must not come back
    # when the restored database reaches it again.
    sm = gps_demo.appbuilder.sm
    saved = sm._kept_grants
    try:
        sm._kept_grants = (None, {})
        sm._keep_grants(frozenset({1}), 7, frozenset({("can_list", "PlanView")}))
        sm._keep_grants(frozenset({2}), 7, frozenset())
        assert sm._kept_grants == (7, {frozenset({1}): frozenset({("can_list", "PlanView")}),
                                       frozenset({2}): frozenset()})
        sm._keep_grants(frozenset({1}), 8, frozenset({("can_list", "New")}))
        assert sm._kept_grants == (8, {frozenset({1}): frozenset({("can_list", "New")})})
        sm._keep_grants(frozenset({1}), 3, frozenset({("can_list", "Restored")}))
        assert sm._kept_grants == (3, {frozenset({1}): frozenset({("can_list", "Restored")})})
    finally:
        sm._kept_grants = saved


def test_keeping_grants_from_many_threads_at_once_never_fails(gps_demo):
    # `flask run` (the e2e sites) serves requests on threads.
    import threading

    sm = gps_demo.appbuilder.sm
    saved, errors = sm._kept_grants, []

    def work(offset):
        try:
            for i in range(3000):
                sm._keep_grants(frozenset({offset, i % 50}), i // 500, frozenset())
                version, kept = sm._kept_grants
                kept.get(frozenset({offset}))
        except Exception as error:  # noqa: BLE001 (any failure fails the test)
            errors.append(error)

    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sm._kept_grants = saved
    assert errors == []


def test_grants_read_after_the_number_moved_are_not_kept(gps):
    # The request read the number with its user; a change committed before
    # its grants were read moves it: those grants are used, not kept.
    from flask import request

    from app.security import GRANTS_VERSION_KEY

    with gps.test_request_context("/"):
        sm = gps.appbuilder.sm
        roles = frozenset(role.id for role in sm.find_user("jingban").roles)
        sm._kept_grants = (None, {})
        request.environ[GRANTS_VERSION_KEY] = _version(gps) - 1
        assert ("can_create", "Plan") in sm._granted(roles)
        assert sm._kept_grants == (None, {})
    with gps.test_request_context("/"):
        request.environ[GRANTS_VERSION_KEY] = _version(gps)  # the number as it is
        assert ("can_create", "Plan") in sm._granted(roles)
        assert sm._kept_grants == (_version(gps), {roles: sm._granted(roles)})


def test_grants_read_after_this_requests_own_uncommitted_edit_are_not_kept(gps):
    # An edit raises the number inside its own transaction; if the request
    # then reads a role set's grants and rolls back, what it read never
    # existed, and must not be kept under the number everyone else reads.
    from flask import request

    from app.extensions import db
    from app.security import GRANTS_VERSION_KEY

    client = logged_in(gps, "jingban")
    assert client.get("/plans/add").status_code == 200
    assoc = _tables()[0]
    with gps.test_request_context("/"):
        sm = gps.appbuilder.sm
        roles = frozenset(role.id for role in sm.find_user("jingban").roles)
        sm._kept_grants = (None, {})  # as if this process had not read them yet
        request.environ[GRANTS_VERSION_KEY] = _version(gps)
        pv = sm.find_permission_view_menu("can_create", "Plan")
        db.session.execute(delete(assoc).where(assoc.c.permission_view_id == pv.id))
        assert ("can_create", "Plan") not in sm._granted(roles)  # its own edit, seen
        db.session.rollback()
    assert client.get("/plans/add").status_code == 200


def test_one_session_user_statement_serves_every_user(gps_demo):
    """load_session_user builds its statement once per site and binds each
    request's user id: users taking turns each get themselves."""
    from flask_login import current_user

    manager = gps_demo.appbuilder.sm
    clients = {name: logged_in(gps_demo, name) for name in ("jingban", "daili", "jianguan")}
    clients["jingban"].get("/plans/list/")
    statement = manager._session_user_statement
    assert statement is not None
    for _ in range(2):
        for name, client in clients.items():
            with client:
                assert client.get("/plans/list/").status_code == 200
                assert current_user.username == name
    assert manager._session_user_statement is statement
