"""On PostgreSQL a transaction that only read ends with COMMIT, so psycopg
keeps the connection's prepared statements (it forgets them all on every
rollback); anything that wrote is still rolled back (app/postgres.py)."""
import os

import pytest
from sqlalchemy import select, text

from app.postgres import _reads_only
from tests.helpers import logged_in

POSTGRES = pytest.mark.skipif(os.environ.get("TEST_DB") != "postgres",
                              reason="PostgreSQL only (TEST_DB=postgres)")


@pytest.mark.parametrize("statement,reads", [
    ("SELECT 1", True),
    ("  \n select id FROM ab_user", True),
    ("SELECT id FROM plan FOR UPDATE", True),
    ("INSERT INTO plan DEFAULT VALUES", False),
    ("UPDATE ab_user SET active = true", False),
    ("WITH u AS (UPDATE ab_user SET active = true RETURNING id) SELECT id FROM u", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SELECTX", True),  # not SQL anyone sends; the server refuses it, nothing is written
    ("SELECT id FROM plan WHERE project_name LIKE %(name)s", True),
    ("SELECT 1; INSERT INTO plan DEFAULT VALUES", False),
    ("SELECT * INTO plan_copy FROM plan", False),
    ("SELECT set_config('application_name', 'x', false)", False),
    ("select pg_notify('channel', 'x')", False),
    ("SELECT lo_create(0)", False),
    ("SET search_path TO public", False),
    ("", False),
])
def test_only_a_select_counts_as_reading(statement, reads):
    assert _reads_only(statement) is reads
    assert _reads_only(statement) is reads  # and again, from the answers kept


def test_the_answers_kept_are_bounded():
    from app import postgres

    for n in range(postgres._KEPT_ANSWERS + 10):
        assert _reads_only(f"SELECT {n}") is True
        assert _reads_only(f"INSERT INTO plan VALUES ({n})") is False
    assert len(postgres._ANSWERS) <= postgres._KEPT_ANSWERS


def _engine(app):
    from app.extensions import db

    with app.app_context():
        return db.engine


def _prepared(connection) -> list[str]:
    return connection.exec_driver_sql(
        "SELECT statement FROM pg_prepared_statements").scalars().all()


def _first_name(app) -> str:
    with _engine(app).connect() as connection:
        return connection.execute(
            text("SELECT first_name FROM ab_user WHERE username = 'jingban'")).scalar()


@POSTGRES
def test_a_read_only_transaction_keeps_the_prepared_statements(gps):
    # psycopg prepares a statement on its sixth execution on a connection.
    with _engine(gps).connect() as connection:
        for _ in range(6):
            connection.execute(text("SELECT id FROM ab_user WHERE username = :name"),
                               {"name": "jingban"})
        connection.rollback()
        assert any("FROM ab_user" in s for s in _prepared(connection))


@POSTGRES
@pytest.mark.parametrize("write", [
    "UPDATE ab_user SET first_name = 'x' WHERE username = 'jingban'",
    "WITH u AS (UPDATE ab_user SET first_name = 'x' WHERE username = 'jingban' RETURNING id)"
    " SELECT id FROM u",
])
def test_a_transaction_that_wrote_is_rolled_back(gps, write):
    before = _first_name(gps)
    with _engine(gps).connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.execute(text(write))
        connection.execute(text("SELECT 1"))
        connection.rollback()
    assert _first_name(gps) == before != "x"


@POSTGRES
def test_a_write_in_a_released_savepoint_is_rolled_back_with_its_transaction(gps):
    before = _first_name(gps)
    with _engine(gps).connect() as connection:
        connection.execute(text("SELECT 1"))
        with connection.begin_nested():
            connection.execute(text(
                "UPDATE ab_user SET first_name = 'x' WHERE username = 'jingban'"))
        connection.execute(text("SELECT 1"))
        connection.rollback()
    assert _first_name(gps) == before != "x"


@POSTGRES
def test_a_failed_statement_is_rolled_back_and_the_connection_still_works(gps):
    from sqlalchemy.exc import DataError

    with _engine(gps).connect() as connection:
        with pytest.raises(DataError):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.execute(text("SELECT 2")).scalar() == 2


@POSTGRES
def test_a_session_that_flushed_is_rolled_back(gps):
    from app.extensions import db
    from app.models import OrgUser

    before = _first_name(gps)
    with gps.app_context():
        db.session.scalar(select(OrgUser).where(OrgUser.username == "jingban")).first_name = "x"
        db.session.flush()
        db.session.rollback()
    assert _first_name(gps) == before != "x"


@POSTGRES
def test_pages_reuse_their_prepared_statements(gps):
    from sqlalchemy import event

    client = logged_in(gps, "jingban")
    used = []

    def note(conn, cursor, *rest):
        used.append(cursor.connection)

    engine = _engine(gps)
    event.listen(engine, "before_cursor_execute", note)
    try:
        for _ in range(8):
            used.clear()
            assert client.get("/plans/list/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    # The last page's connection kept, among others, the session user's
    # statement prepared by the pages before it.
    dbapi = used[-1]
    cursor = dbapi.cursor()
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    statements = [row[0] for row in cursor.fetchall()]
    dbapi.rollback()
    assert any("FROM ab_user" in s for s in statements), statements


def _terminate(app, pid) -> None:
    with _engine(app).connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        other.commit()


@POSTGRES
def test_a_connection_lost_mid_transaction_is_still_rolled_back(gps):
    from sqlalchemy.exc import OperationalError

    with _engine(gps).connect() as connection:
        _terminate(gps, connection.execute(text("SELECT pg_backend_pid()")).scalar())
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT 1"))
        connection.rollback()  # not PendingRollbackError: the listener leaves it alone
        assert connection.execute(text("SELECT 2")).scalar() == 2


@POSTGRES
def test_health_says_the_database_was_lost_and_then_that_it_is_back(gps):
    from app.extensions import db
    from app.views.common.health import _database_state

    with gps.app_context():
        _terminate(gps, db.session.execute(text("SELECT pg_backend_pid()")).scalar())
        assert _database_state() == {"ok": False, "error": "OperationalError"}
        assert _database_state()["ok"] is True


def _plain_connection(app):
    """A psycopg connection to the site's database outside its pool (none of
    the site's SETs or listeners), in autocommit."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(_engine(app).url).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _server_setting(app, name) -> str:
    """The setting as a plain connection (none of the site's SETs) sees it."""
    with _plain_connection(app) as plain:
        return plain.execute(f"SHOW {name}").fetchone()[0]


def _kept_through_rollback_and_loss(app, name, value) -> None:
    """A site's connection has the setting, after a rollback (it was
    committed on its own, not undone) and after its server process was lost
    (a new one in its place gets it again)."""
    from sqlalchemy.exc import OperationalError

    with _engine(app).connect() as connection:
        assert connection.exec_driver_sql(f"SHOW {name}").scalar() == value
        connection.exec_driver_sql("UPDATE ab_user SET active = active WHERE false")
        connection.rollback()
        assert connection.exec_driver_sql(f"SHOW {name}").scalar() == value
        _terminate(app, connection.execute(text("SELECT pg_backend_pid()")).scalar())
        with pytest.raises(OperationalError):
            connection.exec_driver_sql("SELECT 1")
        connection.rollback()
        assert connection.exec_driver_sql(f"SHOW {name}").scalar() == value


@POSTGRES
def test_every_connection_of_a_site_runs_without_jit(gps):
    if _server_setting(gps, "jit") != "on":
        pytest.skip("this server already runs without JIT")
    _kept_through_rollback_and_loss(gps, "jit", "off")


@POSTGRES
def test_a_trading_sites_connections_run_without_parallel_workers(gps, site_factory):
    """A trading site (its public website) plans without parallel workers;
    GPS keeps the server's setting."""
    pds = site_factory("pds")
    server = _server_setting(pds, "max_parallel_workers_per_gather")
    if server == "0":
        pytest.skip("this server already runs without parallel workers")
    with _engine(gps).connect() as connection:
        assert connection.exec_driver_sql(
            "SHOW max_parallel_workers_per_gather").scalar() == server
    _kept_through_rollback_and_loss(pds, "max_parallel_workers_per_gather", "0")


def _backends(app) -> set[int]:
    """The server processes of the site's connections to its database (not
    autovacuum's, which come and go), seen from a connection of their own
    (outside the site's pool)."""
    with _plain_connection(app) as plain:
        return {pid for (pid,) in plain.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")}


def _terminate_all(app, pids) -> None:
    with _plain_connection(app) as plain:
        for pid in pids:  # waits (5 s at most) until each has exited
            assert plain.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]


def test_the_pool_pings_only_where_nothing_else_checks():
    from app import create_app
    from app.postgres import checks_sockets

    assert checks_sockets("postgresql+psycopg://ci:ci@127.0.0.1/x")
    assert not checks_sockets("postgresql+psycopg2://ci:ci@127.0.0.1/x")
    assert not checks_sockets("sqlite:///x.db")
    app = create_app("gps", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


@POSTGRES
def test_a_page_after_the_server_closed_the_pooled_connections_is_served(gps):
    """Without a SELECT 1 before each request (app/postgres.py): the pool
    gives up a connection the server has closed, by its socket, and the page
    is served on a new one instead of failing."""
    assert gps.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    client = logged_in(gps, "jingban")
    assert client.get("/plans/list/").status_code == 200
    pooled = _backends(gps)
    assert pooled
    _terminate_all(gps, pooled)
    response = client.get("/plans/list/")
    assert response.status_code == 200
    assert "采购计划" in response.get_data(as_text=True)
    assert not _backends(gps) & pooled


@POSTGRES
def test_a_live_pooled_connection_is_kept(gps):
    client = logged_in(gps, "jingban")
    assert client.get("/plans/list/").status_code == 200
    pooled = _backends(gps)
    assert client.get("/plans/list/").status_code == 200
    assert _backends(gps) == pooled
