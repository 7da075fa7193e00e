"""notice_column_count: how many rows published_notice holds per column
(hidden ones too), kept by triggers, so that a column page's 共 N 条 is one
row read. Counted off the column's index it was 166,671 index entries at
1,000,000 notices: 6–7 ms on SQLite, 29 ms on PostgreSQL, on every column
page not kept by the page cache (the first page, the deep ones), for every
supplier who opens one. The page subtracts the hidden rows, which it reads
anyway (app/public/notices.py, Listing.count).

Row triggers, like the code suffixes', so that every writer (the notice
sync through the ORM, the seeder's bulk INSERT, SQL by hand) keeps it; on
PostgreSQL a TRUNCATE of published_notice empties it. A write to
published_notice already takes website_version's one row, so the counter
rows add no new waiting between writers.

Revision ID: d2f4a6c8e0b3
Revises: c0e2a4b6d8f1
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd2f4a6c8e0b3'
down_revision = 'c0e2a4b6d8f1'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = ("insert", "update", "delete")
# The notices already stored (tests run it too).
BACKFILL = """
    INSERT INTO notice_column_count ("column", notices)
    SELECT "column", count(*) FROM published_notice GROUP BY "column\""""

_SQLITE_ADD = """
    INSERT OR IGNORE INTO notice_column_count ("column", notices) VALUES (NEW."column", 0);
    UPDATE notice_column_count SET notices = notices + 1 WHERE "column" = NEW."column";"""
_SQLITE_TAKE = """
    UPDATE notice_column_count SET notices = notices - 1 WHERE "column" = OLD."column";"""

_PG_FUNCTION = """
CREATE FUNCTION notice_column_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM notice_column_count;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD."column" IS NOT DISTINCT FROM NEW."column" THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        UPDATE notice_column_count SET notices = notices - 1 WHERE "column" = OLD."column";
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO notice_column_count ("column", notices) VALUES (NEW."column", 1)
        ON CONFLICT ("column") DO UPDATE SET notices = notice_column_count.notices + 1;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""


def upgrade():
    op.create_table(
        'notice_column_count',
        sa.Column('column', sa.String(length=16), nullable=False),
        sa.Column('notices', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('column'),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("""
            CREATE TRIGGER notice_column_counts
            AFTER INSERT OR DELETE OR UPDATE OF "column" ON published_notice
            FOR EACH ROW EXECUTE FUNCTION notice_column_counts()""")
        op.execute("""
            CREATE TRIGGER notice_column_counts_truncate
            AFTER TRUNCATE ON published_notice
            FOR EACH STATEMENT EXECUTE FUNCTION notice_column_counts()""")
    else:
        op.execute(f"""
            CREATE TRIGGER notice_column_count_insert AFTER INSERT ON published_notice
            BEGIN {_SQLITE_ADD} END""")
        op.execute(f"""
            CREATE TRIGGER notice_column_count_update AFTER UPDATE OF "column"
            ON published_notice WHEN OLD."column" IS NOT NEW."column"
            BEGIN {_SQLITE_TAKE} {_SQLITE_ADD} END""")
        op.execute(f"""
            CREATE TRIGGER notice_column_count_delete AFTER DELETE ON published_notice
            BEGIN {_SQLITE_TAKE} END""")
    op.execute(BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_column_counts_truncate ON published_notice")
        op.execute("DROP TRIGGER notice_column_counts ON published_notice")
        op.execute("DROP FUNCTION notice_column_counts()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER notice_column_count_{name}")
    op.drop_table('notice_column_count')
