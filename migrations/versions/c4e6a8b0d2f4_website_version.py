"""website_version: one number raised by triggers whenever published_notice
changes, so the website can keep rendered pages until it moves.

The website's pages show published notices and nothing else that changes at
run time (the region's name is read once per process). Triggers, like the
title grams', so that every writer (the notice sync through the ORM, the
seeder's bulk INSERT, SQL by hand) raises it. PostgreSQL raises it once per
statement; SQLite has only row triggers.

Revision ID: c4e6a8b0d2f4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-02 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e6a8b0d2f4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

_RAISE = "UPDATE website_version SET version = version + 1 WHERE id = 1;"


def upgrade():
    op.create_table(
        'website_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute("INSERT INTO website_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION website_version_raise() RETURNS trigger AS $$
            BEGIN {_RAISE} RETURN NULL; END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER website_version_raise
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON published_notice
            FOR EACH STATEMENT EXECUTE FUNCTION website_version_raise()""")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"""
                CREATE TRIGGER website_version_{event} AFTER {event.upper()}
                ON published_notice BEGIN {_RAISE} END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER website_version_raise ON published_notice")
        op.execute("DROP FUNCTION website_version_raise()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER website_version_{event}")
    op.drop_table('website_version')
