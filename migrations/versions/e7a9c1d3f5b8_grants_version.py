"""grants_version: one number raised by triggers whenever a role's
permissions change, so a process can keep each set of roles' grants until it
moves instead of reading them on every page.

Raised by every change to ab_permission_view_role (a permission given to or
taken from a role, a role deleted), ab_permission_view, ab_permission and
ab_view_menu (a pair or a name changed or removed), whoever makes it: the
role editor, `roles sync` at deployment, SQL by hand. Which roles a user holds
is read with the user on every request and needs no number.

A later migration that rebuilds one of these tables on SQLite (batch mode
copies and drops it) drops its triggers with it and must create them again;
tests/test_permission_cache.py fails if a change stops raising the number.

Revision ID: e7a9c1d3f5b8
Revises: d5f7b9c1e3a6
Create Date: 2026-12-04 04:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a9c1d3f5b8'
down_revision = 'd5f7b9c1e3a6'
branch_labels = None
depends_on = None

TABLES = ("ab_permission_view_role", "ab_permission_view", "ab_permission", "ab_view_menu")
_RAISE = "UPDATE grants_version SET version = version + 1 WHERE id = 1;"


def upgrade():
    op.create_table(
        'grants_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute("INSERT INTO grants_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION grants_version_raise() RETURNS trigger AS $$
            BEGIN {_RAISE} RETURN NULL; END; $$ LANGUAGE plpgsql""")
        for table in TABLES:
            op.execute(f"""
                CREATE TRIGGER grants_version_raise
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION grants_version_raise()""")
    else:
        # SQLite has row triggers only; a trigger also keeps DELETE without
        # WHERE from taking its truncate shortcut, which would skip them.
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"""
                    CREATE TRIGGER {table}_grants_{event} AFTER {event.upper()}
                    ON {table} BEGIN {_RAISE} END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER grants_version_raise ON {table}")
        op.execute("DROP FUNCTION grants_version_raise()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_grants_{event}")
    op.drop_table('grants_version')
