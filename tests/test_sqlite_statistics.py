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


def stale() -> list[str]:
    with db.engine.connect() as conn:
        return sorted(statistics.stale_tables(conn))


def stat(table: str, index: str):
    return db.session.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx = :i"),
                              {"t": table, "i": index}).scalar()


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
        # Every table of the demo analysed, and sqlite_stat1 made now: its
        # creation changes the schema, which a later ANALYZE does not.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return gps


def test_stale_tables_are_analysed_and_every_connection_plans_with_them(tables):
    now = [1000.0]
    with tables.app_context():
        assert stale() == []  # the two new tables are empty
        fill(1000)
        assert stale() == ["t_grams", "t_rows"]
        # A connection opened before: it planned without statistics (the
        # index on k, then a sort of every row).
        earlier = db.engine.connect()
        assert "TEMP B-TREE" in plan_of(earlier, PLAN)
        earlier.rollback()
        assert sorted(statistics.refresh_statistics(clock=lambda: now[0])) == [
            "t_grams", "t_rows"]
        assert statistics.refresh_statistics(clock=lambda: now[0]) == []
        assert stale() == []
        with db.engine.connect() as conn:
            assert plan_of(conn, PLAN).startswith("SCAN t_rows")
        # The earlier connection plans with them from its next statement on.
        earlier.exec_driver_sql("SELECT count(*) FROM t_rows").scalar()
        assert plan_of(earlier, PLAN).startswith("SCAN t_rows")
        earlier.close()
        # Grown more than STATS_DRIFT times: analysed again, at the next look.
        fill(1001, start=1000)
        assert stale() == ["t_rows"]  # the grams keep theirs
        assert statistics.refresh_statistics(clock=lambda: now[0]) == []  # not yet
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) == ["t_rows"]
        assert stat("t_rows", "ix_t_rows_k").split()[0] == "2001"
        # An index made since (a migration) has none: its table is analysed.
        db.session.execute(text("CREATE INDEX ix_t_rows_v ON t_rows (v)"))
        db.session.commit()
        now[0] += statistics.STATS_EVERY
        assert statistics.refresh_statistics(clock=lambda: now[0]) == ["t_rows"]
        assert stat("t_rows", "ix_t_rows_v") is not None


def test_a_sweep_analyses_for_at_most_its_budget(tables, monkeypatch):
    monkeypatch.setattr(statistics, "STATS_BUDGET", 0)
    with tables.app_context():
        fill(10)
        first = statistics.refresh_statistics(clock=lambda: 0.0)
        second = statistics.refresh_statistics(clock=lambda: 0.0)
        assert len(first) == len(second) == 1 and sorted(first + second) == ["t_grams", "t_rows"]
        assert statistics.refresh_statistics(clock=lambda: 0.0) == []


def test_the_websites_tables_are_left_without(tables):
    """The website's statements are written for SQLite without statistics:
    its tables are never analysed, and statistics found for them go."""
    with tables.app_context():
        db.session.execute(text(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('published_notice', "
            "'ix_published_notice_column_at_id', '1000000 6 1 1 1 1')"))
        db.session.commit()
        assert statistics.refresh_statistics(clock=lambda: 0.0) == []
        assert db.session.execute(text(
            "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'published_notice'")).scalar() == 0
        assert {"published_notice", "notice_code_suffix"} <= statistics.UNANALYSED


def test_a_table_gone_before_its_turn_is_not_tried_again(tables, monkeypatch):
    """Nor does it undo the tables analysed before it in the same sweep."""
    monkeypatch.setattr(statistics, "STATS_BUDGET", 60)
    with tables.app_context():
        fill(10)
        with db.engine.connect() as conn:
            order = statistics.stale_tables(conn)
        assert sorted(order) == ["t_grams", "t_rows"]
        monkeypatch.setattr(statistics, "stale_tables",
                            lambda conn: [order[0], "t_gone", order[1]])
        with pytest.raises(Exception, match="t_gone"):
            statistics.refresh_statistics(clock=lambda: 0.0)
        assert stat(order[0], f"ix_{order[0]}_k" if order[0] == "t_rows" else order[0])
        assert statistics.refresh_statistics(clock=lambda: 0.0) == [order[1]]
        assert statistics.refresh_statistics(clock=lambda: 0.0) == []


def test_postgresql_gathers_its_own(gps):
    with gps.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("PostgreSQL only")
        assert statistics.refresh_statistics() == []
