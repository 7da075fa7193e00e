"""PostgreSQL as a site's database: no JIT, no parallel workers on a trading
site, a transaction that only read ends with COMMIT, and a pooled
connection checked without a round trip.

JIT compilation (on by default since PostgreSQL 12) starts for any statement
the planner thinks costly, and compiling takes 30–40 ms each time: more than
the statement itself for a page's queries (a 【待办任务】 search at 1,000,000
plans spent 40 ms of its 210 compiling). A site's statements are short and
many, the case PostgreSQL's manual says JIT does not pay for, so each
connection turns it off (docs/benchmarks.md, "项目监督 and 【待办任务】 under
load").

A trading site's statements (its public website's above all: every
supplier reads it) also run without parallel workers
(PG_PARALLEL_WORKERS_PER_GATHER, 0 there). PostgreSQL planned a 标题
search's walk of 201 notices as a Gather Merge of two workers: starting
them made the statement 6.4–7.8 ms instead of 1.9–3.0 ms, and under load
they take the CPUs the requests need (docs/benchmarks.md, "The website on
PostgreSQL"). GPS keeps the server's setting: its lists at 1,000,000 plans
were not measured without them.

psycopg forgets every prepared statement of a connection when a transaction
on it is rolled back (it sends DEALLOCATE ALL: a rollback may have undone a
DROP or ALTER that a statement's plan depends on). SQLAlchemy's session ends
each request's transaction with a rollback, so without this the statements
of every page would be parsed and planned again on every request, which is
most of a short statement's time (docs/benchmarks.md, "Read-only
transactions end with COMMIT").

So when a transaction is about to be rolled back and everything it executed
was a plain SELECT, it is committed first; the rollback that follows then
finds no transaction and does nothing, and the prepared statements stay.
Anything else is rolled back as before: an INSERT, UPDATE or DELETE, a
SAVEPOINT, a WITH, any other text SQL, a failed statement, and a SELECT
that could change something a rollback would undo (two statements in one,
SELECT … INTO, or one of the functions in _SIDE_EFFECTS). A function of our
own that wrote when SELECTed would escape this; the schema has none (its
triggers run on INSERT, UPDATE and DELETE).

A pooled connection is checked before each request without a round trip.
SQLAlchemy's pool_pre_ping sends a SELECT 1 first: one round trip more on
every request of every page, while a page's own statements are 3–4 (a
GPS first page is 3 ms of SQL at 1,000,000 plans). A connection the
server has closed (a restart, pg_terminate_backend, an idle timeout) has
something to read while it sits in the pool: the server's FATAL message,
then the end of the stream. An idle connection of ours receives nothing
else (the sites never LISTEN), so one that can be read from is given up
and the pool opens another. A connection cut without the server closing
it (a firewall or NAT forgetting an idle one, a failover to another host)
shows nothing until the request's first statement, which fails where a
SELECT 1 would have found it and reconnected; SQLAlchemy then replaces the
pool's other connections (docs/operations.md).
"""
import re
import select

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

WROTE = "transaction_wrote"  # in the connection's info, reset at each BEGIN

# What a SELECT can do that a COMMIT keeps and a ROLLBACK undoes: a second
# statement, a new table, a setting, a notification, a large object.
_SIDE_EFFECTS = re.compile(r";|\binto\b|set_config|pg_notify|\blo_\w+\s*\(",
                           re.IGNORECASE)


# Each statement's answer, by its text: SQLAlchemy compiles a statement once
# and hands the same text to every execution, and searching a list page's
# long SELECTs took ~2.5 % of the page. Bounded, for text SQL with values
# written in.
_ANSWERS: dict = {}
_KEPT_ANSWERS = 4096


def _reads_only(statement: str) -> bool:
    answer = _ANSWERS.get(statement)
    if answer is None:
        answer = statement.lstrip()[:6].upper() == "SELECT" and not _SIDE_EFFECTS.search(statement)
        if len(_ANSWERS) >= _KEPT_ANSWERS:
            _ANSWERS.clear()
        _ANSWERS[statement] = answer
    return answer


def checks_sockets(url: str) -> bool:
    """Whether init_app checks the pool's connections itself (psycopg on
    PostgreSQL), so that the pool need not ping them."""
    url = make_url(url)
    return url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg"


def _closed_by_server(dbapi_connection) -> bool:
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    # poll, not select: select refuses descriptors past 1023, and a process
    # of the test suite holds many apps' pools.
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def init_app(app, db) -> None:
    with app.app_context():
        engine = db.engine
    if not checks_sockets(str(engine.url)):
        return
    from psycopg.pq import TransactionStatus

    parallel = app.config.get("PG_PARALLEL_WORKERS_PER_GATHER")

    def on_connect(dbapi_connection, _record):
        # Before the pool hands the connection out, so outside any transaction
        # of ours; SET in its own committed one, so a rollback cannot undo it.
        # (PostgreSQL 10 and older have no JIT and would refuse the name.)
        if dbapi_connection.info.server_version >= 110000:
            dbapi_connection.execute("SET jit = off")
        if parallel is not None:
            dbapi_connection.execute(f"SET max_parallel_workers_per_gather = {int(parallel)}")
        dbapi_connection.commit()

    def on_begin(conn):
        conn.info[WROTE] = False

    def before_cursor_execute(conn, _cursor, statement, *_rest):
        if not _reads_only(statement):
            conn.info[WROTE] = True

    def on_rollback(conn):
        # Before anything that touches conn.connection: on a connection
        # invalidated by a lost server, that raises PendingRollbackError.
        if conn.invalidated or conn.closed or conn.info.get(WROTE, True):
            return
        dbapi = conn.connection.dbapi_connection
        if dbapi is None or dbapi.info.transaction_status != TransactionStatus.INTRANS:
            return  # idle, or a statement failed: the rollback does what it must
        try:
            dbapi.commit()
        except Exception:  # noqa: BLE001 — the rollback that follows still runs
            pass

    def on_checkout(dbapi_connection, _record, _proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("PostgreSQL closed this pooled connection")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "rollback", on_rollback)
