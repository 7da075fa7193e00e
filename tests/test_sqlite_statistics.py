"""SQLite's planner statistics, which it never gathers by itself, gathered
by the sweeper (app/sqlite.py): without them, at 1,000,000 plans, a
经办岗's 采购计划 page sorted the unit's 250,000 plans (560 ms)."""
import pytest
from sqlalchemy import text

from app import sqlite as statistics
from app.extensions import db

PLAN = "SELECT id, v FROM t_rows WHERE k = 1 ORDER BY id DESC LIMIT 5"


def plan_of(conn, sql: str) -> str:
    # Each time a new text: a connection keeps its prepared statements, and
    # an EXPLAIN, which opens no transaction, is never prepared anew after
    # the schema changed (a real statement is).
    plan_of.asked = getattr(plan_of, "asked", 0) + 1
    return " / ".join(row[-1] for row in conn.exec_driver_sql(
        f"EXPLAIN QUERY PLAN {sql} -- {plan_of.asked}"))


def fill(rows: int, start: int = 0) -> None:
    db.session.execute(text("INSERT INTO t_rows (id, k, at, v) VALUES (:id, 1, :id, 'x')"),
                       [{"id": start + i + 1} for i in range(rows)])
    db.session.execute(text("INSERT INTO t_grams (g, n) VALUES (:g, :n)"),
                       [{"g": f"g{i % 7}", "n": start + i} for i in range(rows)])
    db.session.commit()


@pytest.fixture
def tables(gps):
    with gps.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL's autovacuum gathers its own")
        # As plan's (unit_id, filed_at): no help to a unit's newest plans by id.
        db.session.execute(text(
            "CREATE TABLE t_rows (id INTEGER PRIMARY KEY, k INTEGER, at INTEGER, v TEXT)"))
        db.session.execute(text("CREATE INDEX ix_t_rows_k ON t_rows (k, at)"))
        db.session.execute(text(
            "CREATE TABLE t_grams (g TEXT, n INTEGER, PRIMARY KEY (g, n)) WITHOUT ROWID"))
        # sqlite_stat1 made now: its creation changes the schema, which a
        # later ANALYZE does not.
        db.session.execute(text("ANALYZE region"))
        db.session.commit()
    return gps


def test_stale_tables_are_analysed_one_a_sweep_and_every_connection_plans_with_them(tables):
    now = [1000.0]
    with tables.app_context():
        fill(statistics.STATS_MIN_ROWS - 1)
        with db.engine.connect() as conn:
            assert statistics.stale_tables(conn) == []  # the demo's tables are small too
        fill(1, start=statistics.STATS_MIN_ROWS - 1)
        with db.engine.connect() as conn:
            assert sorted(statistics.stale_tables(conn)) == ["t_grams", "t_rows"]
        # A connection opened before: it planned without statistics (the
        # index on k, then a sort of every row).
        earlier = db.engine.connect()
        assert "TEMP B-TREE" in plan_of(earlier, PLAN)
        earlier.rollback()
        done = {statistics.refresh_statistics(clock=lambda: now[0]) for _ in range(2)}
        assert done == {"t_grams", "t_rows"}
        assert statistics.refresh_statistics(clock=lambda: now[0]) is None
        with db.engine.connect() as conn:
            assert statistics.stale_tables(conn) == []
            assert plan_of(conn, PLAN).startswith("SCAN t_rows")
        # The earlier connection plans with them from its next statement on.
        earlier.exec_driver_sql("SELECT count(*) FROM t_rows").scalar()
        assert plan_of(earlier, PLAN).startswith("SCAN t_rows")
        earlier.close()
        # Grown more than STATS_DRIFT times: analysed again, at the next look.
        fill(2 * statistics.STATS_MIN_ROWS + 1, start=statistics.STATS_MIN_ROWS)
        assert statistics.refresh_statistics(clock=lambda: now[0]) is None  # not yet
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) == "t_rows"
        assert db.session.execute(text(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 't_rows' AND idx = 'ix_t_rows_k'")
        ).scalar().split()[0] == str(3 * statistics.STATS_MIN_ROWS + 1)
        # The grams keep theirs: a table without rowid is analysed once.
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) is None
        # An index made since (a migration) has none: its table is analysed.
        db.session.execute(text("CREATE INDEX ix_t_rows_v ON t_rows (v)"))
        db.session.commit()
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) == "t_rows"
        assert db.session.execute(text(
            "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_t_rows_v'")).scalar() == 1
        # Once: an index ANALYZE leaves without a row (an empty partial one)
        # does not have its table analysed every hour.
        db.session.execute(text("CREATE INDEX ix_t_rows_none ON t_rows (k) WHERE k > 5"))
        db.session.commit()
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) == "t_rows"
        assert db.session.execute(text(
            "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_t_rows_none'")).scalar() == 0
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) is None


def test_the_websites_tables_are_left_without(tables):
    """The website's statements are written for SQLite without statistics:
    its tables are never analysed, and statistics found for them go."""
    with tables.app_context():
        db.session.execute(text(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('published_notice', "
            "'ix_published_notice_column_at_id', '1000000 6 1 1 1 1')"))
        db.session.commit()
        assert statistics.refresh_statistics(clock=lambda: 0.0) is None
        assert db.session.execute(text(
            "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'published_notice'")).scalar() == 0
        assert {"published_notice", "notice_code_suffix"} <= statistics.UNANALYSED


def test_a_table_gone_before_its_turn_is_not_tried_again(tables):
    now = [0.0]
    with tables.app_context():
        fill(statistics.STATS_MIN_ROWS)
        with db.engine.connect() as conn:
            assert sorted(statistics.stale_tables(conn)) == ["t_grams", "t_rows"]
        first = statistics.refresh_statistics(clock=lambda: now[0])
        other = {"t_grams": "t_rows", "t_rows": "t_grams"}[first]
        db.session.execute(text(f"DROP TABLE {other}"))
        db.session.commit()
        with pytest.raises(Exception):
            statistics.refresh_statistics(clock=lambda: now[0])
        assert statistics.refresh_statistics(clock=lambda: now[0]) is None


def test_postgresql_gathers_its_own(gps):
    with gps.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("PostgreSQL only")
        assert statistics.refresh_statistics() is None
