"""The set-up commands: migrations build the schema, roles and demo are idempotent."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.models import Organisation, Plan
from app.security import GPS_ROLES, TRADING_ROLES


def test_migrations_match_the_models(gps_demo):
    with gps_demo.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_roles_sync_is_idempotent(gps):
    runner = gps.test_cli_runner()
    result = runner.invoke(args=["roles", "sync"])
    assert result.exit_code == 0 and "0 change(s)" in result.output


def test_roles_sync_restores_a_tampered_role(gps):
    with gps.app_context():
        sm = gps.appbuilder.sm
        role = sm.find_role("监管初审岗")
        sm.add_permission_role(role, sm.find_permission_view_menu("can_create", "Plan"))
        db.session.commit()
    result = gps.test_cli_runner().invoke(args=["roles", "sync"])
    assert "- 监管初审岗: can_create on Plan" in result.output
    with gps.app_context():
        role = gps.appbuilder.sm.find_role("监管初审岗")
        pairs = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
        assert pairs == set(GPS_ROLES["监管初审岗"])


def test_each_site_has_its_roles(gps_demo, pds_demo):
    for app, roles in ((gps_demo, GPS_ROLES), (pds_demo, TRADING_ROLES)):
        with app.app_context():
            names = {r.name for r in app.appbuilder.sm.get_all_roles()}
            assert set(roles) | {"Admin"} <= names


def test_demo_load_is_idempotent(gps):
    with gps.app_context():
        before = (db.session.query(Plan).count(), db.session.query(Organisation).count())
    result = gps.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with gps.app_context():
        after = (db.session.query(Plan).count(), db.session.query(Organisation).count())
    assert before == after


def test_demo_has_plans_above_and_below_the_limit(gps_demo):
    with gps_demo.app_context():
        for owner_unit in ("平顶山市教育局", "方城县人民医院"):
            flags = {p.meets_push for p in db.session.query(Plan)
                     if p.unit.name == owner_unit}
            assert flags == {True, False}, owner_unit
