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
# with them (10 ms); 合同备案查询 620 ms against 15 (docs/benchmarks.md).
# A table is analysed when it has none yet and holds STATS_MIN_ROWS, or has
# grown STATS_DRIFT times since; looked at every STATS_EVERY seconds by the
# sweeper (`refresh_statistics`), one table per sweep.
STATS_MIN_ROWS = 1_000
STATS_DRIFT = 2.0
STATS_EVERY = 3600
# The public website's tables: its statements (app/public/) are written for
# SQLite without statistics, and planned with them the 采购公告 column's
# first page went from 11 to 356 ms at 1,000,000 notices. Left without (any
# statistics found for them are removed).
UNANALYSED = frozenset({"published_notice", "notice_title_gram", "notice_title_trigram",
                        "notice_code_suffix", "notice_column_count", "website_version"})
# app.extensions: (next look, tables still to analyse, (table, index) that
# ANALYZE leaves without statistics)
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


def stale_tables(conn, unmeasurable: frozenset = frozenset()) -> list[str]:
    """Tables of STATS_MIN_ROWS rows without statistics, or with an index
    that has none (made since by a migration: SQLite took an unmeasured
    index for a very selective one, and sorted a unit's 250,000 contracts
    by it, 365 ms), but not for an index in `unmeasurable` ((table, index)
    left without any by an ANALYZE: an empty partial index); and tables grown
    STATS_DRIFT times since theirs. A rowid table is measured by its largest
    rowid (no count of a million rows each hour), counted only when that
    says it may be stale; a table without rowid (the grams) only when it
    has no statistics, up to STATS_MIN_ROWS."""
    kept, measured = {}, set()
    if conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").first():
        for table, index, stat in conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1"):
            kept.setdefault(table, int((stat or "0").split()[0]))
            measured.add((table, index))
    unmeasured = {table for table, index in conn.exec_driver_sql(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'")
        if (table, index) not in measured and (table, index) not in unmeasurable}
    stale = []
    for table, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        if table in UNANALYSED:
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        before = None if table in unmeasured else kept.get(table)
        if "WITHOUT ROWID" in (sql or "").upper():
            if before is not None:
                continue
        elif (conn.exec_driver_sql(f"SELECT max(rowid) FROM {quoted}").scalar() or 0) < (
                STATS_MIN_ROWS if before is None else before * STATS_DRIFT):
            continue
        if before is None:
            rows = conn.exec_driver_sql(
                f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT {STATS_MIN_ROWS})").scalar()
            if rows < STATS_MIN_ROWS:
                continue
        else:
            rows = conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar()
            if rows <= before * STATS_DRIFT:
                continue
        stale.append((rows, table))
    return [table for _rows, table in sorted(stale, reverse=True)]


def refresh_statistics(clock=time.monotonic) -> str | None:
    """The sweeper's periodic hook on SQLite sites: ANALYZE one stale table
    (`stale_tables`) a sweep, looking again every STATS_EVERY seconds once
    none is left. Returns the table analysed."""
    from .extensions import db

    if db.engine.dialect.name != "sqlite":
        return None
    next_look, pending, unmeasurable = (current_app.extensions.get(_STATS_KEY)
                                        or (0.0, None, frozenset()))
    if pending is None:
        if clock() < next_look:
            return None
        with db.engine.begin() as conn:
            pending = stale_tables(conn, unmeasurable)
            if _forget(conn, UNANALYSED):
                _reload(conn)
    if not pending:
        current_app.extensions[_STATS_KEY] = (clock() + STATS_EVERY, None, unmeasurable)
        return None
    # Taken off the list first: a table that cannot be analysed (dropped
    # since) is not tried again at every sweep.
    table = pending[0]
    current_app.extensions[_STATS_KEY] = (clock() + STATS_EVERY, pending[1:] or None,
                                          unmeasurable)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.exec_driver_sql('ANALYZE "' + table.replace('"', '""') + '"')
        _reload(conn)
        left = frozenset((table, index) for (index,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL)",
            (table, table)))
    current_app.extensions[_STATS_KEY] = (clock() + STATS_EVERY, pending[1:] or None,
                                          unmeasurable | left)
    log.info("sqlite: statistics of %s gathered in %.1f s", table, time.perf_counter() - started)
    return table


def _forget(conn, tables) -> int:
    """Remove any statistics of `tables`; how many rows there were."""
    if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").first():
        return 0
    marks = ", ".join("?" for _ in tables)
    return conn.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({marks})",
                                tuple(sorted(tables))).rowcount


def _reload(conn) -> None:
    # Another connection loads statistics only when it reads the schema
    # anew, which a change of the schema makes it do; ANALYZE alone is not
    # one, and the web processes' pooled connections live for hours.
    conn.exec_driver_sql("CREATE VIEW IF NOT EXISTS statistics_gathered AS SELECT 1")
    conn.exec_driver_sql("DROP VIEW statistics_gathered")
