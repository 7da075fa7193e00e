"""SQLite enforces foreign keys on the sites' connections (app/sqlite.py), as
PostgreSQL always does; migrations turn them off while they rebuild tables,
as SQLite's procedure for altering a table says, and on again after."""
import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import make_app

FOUNDATION = "470e41daf3aa"


@pytest.fixture
def sqlite_app(tmp_path, redis_url):
    app = make_app("gps", f"sqlite:///{tmp_path / 'gps.db'}", redis_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _pragma(app) -> int:
    with app.app_context():
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA foreign_keys").scalar()


def test_rows_survive_every_migration_and_keys_are_enforced_after(sqlite_app):
    from flask_migrate import upgrade

    with sqlite_app.app_context():
        upgrade(revision=FOUNDATION)
        db.session.execute(text(
            "INSERT INTO region (code, name, level, path) VALUES "
            "('410000', '河南省', '省级', '410000/'), "
            "('410400', '平顶山市', '市级', '410000/410400/')"))
        db.session.execute(text(
            "INSERT INTO organisation (id, name, org_type, credit_code, region_code) VALUES "
            "(1, '平顶山市教育局', '采购单位', '11410400MB0000001P', '410400')"))
        # The sync migration rebuilds `platform`, which the plan refers to.
        db.session.execute(text(
            "INSERT INTO platform (code, name, region_code, base_url, shared_secret, active) "
            "VALUES ('410400', '平顶山市公共资源交易中心', '410400', 'http://pds', 'x', 1)"))
        db.session.execute(text(
            "INSERT INTO ab_user (id, first_name, last_name, username, email) VALUES "
            "(1, '经办', '张', 'jingban', 'jingban@example.org')"))
        db.session.execute(text(
            "INSERT INTO plan (id, plan_no, project_name, unit_id, region_code, "
            "procurement_method, category, item_name, budget, fund_source, expected_date, "
            "interconnected, state, meets_push, created_on, changed_on, created_by_fk, "
            "changed_by_fk, platform_code) VALUES (1, '410400-2026-00001', '课桌椅', 1, "
            "'410400', '公开招标', '货物', '课桌椅', 1000, '财政性资金', '2026-12-31', 1, "
            "'草稿', 0, '2026-12-01', '2026-12-01', 1, 1, '410400')"))
        db.session.commit()
        upgrade()
        counts = [db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("region", "organisation", "platform", "ab_user", "plan")]
        assert counts == [2, 1, 1, 1, 1]
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        db.session.remove()
    assert _pragma(sqlite_app) == 1  # the migration's connection, back in the pool


def test_a_row_pointing_at_nothing_is_refused(sqlite_app):
    from flask_migrate import upgrade
    from sqlalchemy.exc import IntegrityError

    with sqlite_app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()  # new connections, as a site's are
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO organisation (name, org_type, credit_code, region_code) VALUES "
                "('无区划', '采购单位', '11410400MB0000002N', '999999')"))
            db.session.commit()
        db.session.rollback()
