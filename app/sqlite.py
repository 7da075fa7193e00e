"""SQLite as a site's database: private files, WAL, a busy timeout, a
larger page cache, and the query planner's statistics kept current.

The file holds password hashes and the peers' shared secrets, so it is made
0600 before SQLite first opens it (SQLite gives its -wal and -shm files the
same mode). WAL lets pages be read while a sync job writes, and the busy
timeout makes a writer wait for another instead of failing at once; when a
writer still cannot get the lock, app/errors.py answers 503.
"""
import logging
import os
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# The planner's statistics (sqlite_stat1): SQLite never gathers them by
# itself. Without them, at 1,000,000 plans, it sorted a 经办岗's 250,000
# plans for each 采购计划 page (560 ms) where it walks the table newest first
# with them (10 ms). Every table needs them, the small ones too: without
# region's, a regulator's 合同备案查询 was planned from region outwards
# (660 ms). Every STATS_EVERY seconds the sweeper (`refresh_statistics`)
# analyses the tables that have none (or an index that has none), or have
# grown STATS_DRIFT times since: one a sweep, more while under STATS_BUDGET
# seconds.
STATS_DRIFT = 2.0
STATS_EVERY = 3600
STATS_BUDGET = 1.0
# The public website's tables: its statements (app/public/) are written for
# SQLite without statistics, and planned with them the 采购公告 column's
# first page went from 11 to 356 ms at 1,000,000 notices. Left without (any
# statistics found for them are removed).
UNANALYSED = frozenset({"published_notice", "notice_title_gram", "notice_title_trigram",
                        "notice_code_suffix", "notice_column_count", "website_version"})
# app.extensions: (when to look next, tables of this round still to analyse)
_STATS_KEY = "sqlite_statistics"


def database_file(uri: str) -> Path | None:
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or (url.query.get("mode") == "memory"):
        return None
    return Path(url.database)


def make_private(path: Path) -> None:
    """Create the file 0600, or take away others' access to an existing one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if name.stat().st_mode & 0o077 and name.stat().st_uid == os.getuid():
                name.chmod(0o600)
        except FileNotFoundError:
            pass


def init_app(app, db) -> None:
    path = database_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return
    make_private(path)
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    cache_kb = int(app.config.get("SQLITE_CACHE_MB", 32)) * 1024

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # SQLite ignores foreign keys unless told, per connection: a 行政区划
        # deleted under its organisations left them pointing at nothing,
        # where PostgreSQL refuses the delete.
        cursor.execute("PRAGMA foreign_keys = ON")
        if cache_kb > 0:  # negative: a size in KiB, not a number of pages
            cursor.execute(f"PRAGMA cache_size = -{cache_kb}")
        cursor.close()

    with app.app_context():
        event.listen(db.engine, "connect", on_connect)
    from .sync import registry

    registry.register_periodic(refresh_statistics)


def stale_tables(conn) -> list[str]:
    """Tables (not UNANALYSED) that hold rows but have no statistics, or
    have an index without any (made since by a migration: SQLite took an
    unmeasured index for a very selective one and sorted a unit's 250,000
    contracts by it, 365 ms), or have grown STATS_DRIFT times since theirs.
    A rowid table is measured by its largest rowid (no count of a million
    rows each hour), counted only when that says it may have grown; a table
    without rowid (the grams) is analysed only when it has none."""
    kept, measured = {}, set()
    if _has_statistics(conn):
        for table, index, stat in conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1"):
            kept.setdefault(table, int((stat or "0").split()[0]))
            measured.add((table, index))
    unmeasured = {table for table, index in conn.exec_driver_sql(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'")
        if (table, index) not in measured}
    stale = []
    for table, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        if table in UNANALYSED:
            continue
        quoted = conn.dialect.identifier_preparer.quote_identifier(table)
        if table in unmeasured or table not in kept:
            if conn.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").first():
                stale.append(table)
        elif "WITHOUT ROWID" not in (sql or "").upper() and (
                conn.exec_driver_sql(f"SELECT max(rowid) FROM {quoted}").scalar() or 0
        ) > kept[table] * STATS_DRIFT and (
                conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar()
                > kept[table] * STATS_DRIFT):
            stale.append(table)
    return stale


def refresh_statistics(clock=time.monotonic) -> list[str]:
    """The sweeper's periodic hook on SQLite sites: every STATS_EVERY
    seconds, ANALYZE the stale tables (`stale_tables`): at least one a sweep,
    more while under STATS_BUDGET seconds; and remove any statistics of the
    UNANALYSED ones. Returns the tables analysed."""
    from .extensions import db

    if db.engine.dialect.name != "sqlite":
        return []
    next_look, pending = current_app.extensions.get(_STATS_KEY) or (0.0, [])
    if not pending:
        if clock() < next_look:
            return []
        next_look = clock() + STATS_EVERY
        with db.engine.connect() as conn:
            pending = stale_tables(conn)
    done, started = [], time.perf_counter()
    with db.engine.begin() as conn:
        if _forget(conn, UNANALYSED):
            _reload(conn)
    while pending and (not done or time.perf_counter() - started < STATS_BUDGET):
        # Taken off the list first: a table that cannot be analysed (dropped
        # since) is not tried again at every sweep. Each in its own
        # transaction, so that one failing keeps the others'.
        table, pending = pending[0], pending[1:]
        current_app.extensions[_STATS_KEY] = (next_look, pending)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "ANALYZE " + conn.dialect.identifier_preparer.quote_identifier(table))
            _reload(conn)
        done.append(table)
    current_app.extensions[_STATS_KEY] = (next_look, pending)
    if done:
        log.info("sqlite: statistics of %s gathered in %.1f s", ", ".join(done),
                 time.perf_counter() - started)
    return done


def _forget(conn, tables) -> int:
    """Remove any statistics of `tables`; how many rows there were."""
    if not _has_statistics(conn):
        return 0
    marks = ", ".join("?" for _ in tables)
    return conn.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})",
                                tuple(sorted(tables))).rowcount


def _has_statistics(conn) -> bool:
    """Whether sqlite_stat1 exists (the first ANALYZE makes it)."""
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first() is not None


def _reload(conn) -> None:
    # Another connection loads statistics only when it reads the schema
    # anew, which a change of the schema makes it do; ANALYZE alone is not
    # one, and the web processes' pooled connections live for hours.
    conn.exec_driver_sql("CREATE VIEW IF NOT EXISTS statistics_gathered AS SELECT 1")
    conn.exec_driver_sql("DROP VIEW statistics_gathered")
