"""notice_title_gram: the two-character substrings of published notices'
titles, kept by triggers, for the website's 标题 search.

Why bigrams and not FTS5 trigram / pg_trgm (docs/architecture.md, "标题
search"): a trigram index cannot answer a 2-character query, the commonest
Chinese search (教育, 医院); pg_trgm drops CJK characters unless the
database's LC_CTYPE classifies them as letters (C: show_trgm('教育局') is
{}), and needs CREATE EXTENSION. One plain table works the same on SQLite and
PostgreSQL; the LIKE stays as the final check.

Triggers, not application code, keep it current: the seeder writes with a
bulk INSERT, tests and people with SQL, the notice sync through the ORM; all
pass through the table's triggers. Only published rows have grams.

Revision ID: e6b2d4f81a37
Revises: a1c3e5f7b9d2
Create Date: 2026-12-01 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e6b2d4f81a37'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None

MAX_TITLE = 255  # published_notice.title is String(255)



def _sqlite_insert() -> str:
    # One position per character, by a recursive CTE inside the trigger's
    # INSERT (accepted by the SQLite we run, 3.40; tests run the migration).
    return """
    INSERT INTO notice_title_gram (gram, "column", notice_id)
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < length(NEW.title) - 1)
    SELECT DISTINCT substr(lower(NEW.title), i, 2), NEW."column", NEW.id FROM pos
    WHERE NEW.published AND length(NEW.title) >= 2;"""


def _sqlite_delete() -> str:
    # By the old title's grams: primary-key lookups, no index on notice_id.
    return """
    DELETE FROM notice_title_gram WHERE "column" = OLD."column" AND notice_id = OLD.id
    AND gram IN (
        WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                  WHERE i < length(OLD.title) - 1)
        SELECT substr(lower(OLD.title), i, 2) FROM pos);"""


_PG_FUNCTION = """
CREATE FUNCTION notice_title_grams() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        -- By the old title's grams: primary-key lookups, no index on notice_id.
        DELETE FROM notice_title_gram WHERE "column" = OLD."column"::text
        AND notice_id = OLD.id AND gram IN (
            SELECT substr(lower(OLD.title), i, 2)
            FROM generate_series(1, char_length(OLD.title) - 1) AS i);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.published THEN
        INSERT INTO notice_title_gram (gram, "column", notice_id)
        SELECT DISTINCT substr(lower(NEW.title), i, 2), NEW."column"::text, NEW.id
        FROM generate_series(1, char_length(NEW.title) - 1) AS i;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""


def upgrade():
    op.create_table(
        'notice_title_gram',
        sa.Column('gram', sa.String(length=2), nullable=False),
        sa.Column('column', sa.String(length=16), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('gram', 'column', 'notice_id'),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("""
            CREATE TRIGGER notice_title_grams
            AFTER INSERT OR DELETE OR UPDATE OF title, "column", published
            ON published_notice FOR EACH ROW EXECUTE FUNCTION notice_title_grams()""")
        op.execute("""
            INSERT INTO notice_title_gram (gram, "column", notice_id)
            SELECT DISTINCT substr(lower(n.title), i, 2), n."column"::text, n.id
            FROM published_notice AS n
            CROSS JOIN LATERAL generate_series(1, char_length(n.title) - 1) AS i
            WHERE n.published""")
    else:
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_insert AFTER INSERT ON published_notice
            BEGIN {_sqlite_insert()} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_update
            AFTER UPDATE OF title, "column", published ON published_notice
            BEGIN {_sqlite_delete()} {_sqlite_insert()} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_delete AFTER DELETE ON published_notice
            BEGIN {_sqlite_delete()} END""")
        op.execute(f"""
            INSERT INTO notice_title_gram (gram, "column", notice_id)
            WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                      WHERE i < {MAX_TITLE - 1})
            SELECT DISTINCT substr(lower(n.title), pos.i, 2), n."column", n.id
            FROM published_notice AS n JOIN pos ON pos.i < length(n.title)
            WHERE n.published""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_title_grams ON published_notice")
        op.execute("DROP FUNCTION notice_title_grams()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER notice_title_gram_{name}")
    op.drop_table('notice_title_gram')
