"""notice_title_trigram: every three-character substring (lower-cased) of a
published title, keyed like notice_title_gram (trigram, column,
published_at, notice_id), kept by row triggers the same way. A 标题 search
of 3+ characters walks its rarest trigram instead of its rarest bigram.

Why: a bigram is shared by far more titles than the text. “教育局台式计算机”
at 1,000,000 notices walked 1,068 postings of its rarest bigram (局台: every
X局台式计算机) and read 374 titles to find its 201 newest matches; the
trigram 育局台 is in almost only the matches. Its search was 3.6× the
site's lookup of one 项目编号 under load on PostgreSQL (docs/benchmarks.md).

It is a second table, not 3-character rows in notice_title_gram: a 2-
character search still walks bigrams, and SQLite cannot widen that
table's gram column without copying it.

Revision ID: a3c5e7f9b1d4
Revises: d2f4a6c8e0b3
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c5e7f9b1d4'
down_revision = 'd2f4a6c8e0b3'
branch_labels = None
depends_on = None

MAX_TITLE = 255  # published_notice.title is String(255)
SQLITE_TRIGGERS = ("insert", "update", "delete")

_SQLITE_INSERT = """
    INSERT INTO notice_title_trigram (gram, "column", published_at, notice_id)
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < length(NEW.title) - 2)
    SELECT DISTINCT substr(lower(NEW.title), i, 3), NEW."column", NEW.published_at, NEW.id
    FROM pos WHERE NEW.published AND length(NEW.title) >= 3;"""
# By the old title's trigrams: primary-key lookups, no index on notice_id.
_SQLITE_DELETE = """
    DELETE FROM notice_title_trigram WHERE "column" = OLD."column" AND notice_id = OLD.id
    AND published_at = OLD.published_at AND gram IN (
        WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                  WHERE i < length(OLD.title) - 2)
        SELECT substr(lower(OLD.title), i, 3) FROM pos);"""

_PG_FUNCTION = """
CREATE FUNCTION notice_title_trigrams() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM notice_title_trigram WHERE "column" = OLD."column"::text
        AND notice_id = OLD.id AND published_at = OLD.published_at
        AND gram IN (
            SELECT substr(lower(OLD.title), i, 3)
            FROM generate_series(1, char_length(OLD.title) - 2) AS i);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.published THEN
        INSERT INTO notice_title_trigram (gram, "column", published_at, notice_id)
        SELECT DISTINCT substr(lower(NEW.title), i, 3), NEW."column"::text,
               NEW.published_at, NEW.id
        FROM generate_series(1, char_length(NEW.title) - 2) AS i;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""

# The notices already stored (tests run it too).
PG_BACKFILL = """
    INSERT INTO notice_title_trigram (gram, "column", published_at, notice_id)
    SELECT DISTINCT substr(lower(n.title), i, 3), n."column"::text, n.published_at, n.id
    FROM published_notice AS n
    CROSS JOIN LATERAL generate_series(1, char_length(n.title) - 2) AS i
    WHERE n.published"""
SQLITE_BACKFILL = f"""
    INSERT INTO notice_title_trigram (gram, "column", published_at, notice_id)
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < {MAX_TITLE - 2})
    SELECT DISTINCT substr(lower(n.title), pos.i, 3), n."column", n.published_at, n.id
    FROM published_notice AS n JOIN pos ON pos.i < length(n.title) - 1
    WHERE n.published"""


def upgrade():
    op.create_table(
        'notice_title_trigram',
        sa.Column('gram', sa.String(length=3), nullable=False),
        sa.Column('column', sa.String(length=16), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('gram', 'column', 'published_at', 'notice_id'),
        sqlite_with_rowid=False,
    )
    followed = 'title, "column", published, published_at'
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(f"""
            CREATE TRIGGER notice_title_trigrams
            AFTER INSERT OR DELETE OR UPDATE OF {followed}
            ON published_notice FOR EACH ROW EXECUTE FUNCTION notice_title_trigrams()""")
        op.execute(PG_BACKFILL)
    else:
        op.execute(f"""
            CREATE TRIGGER notice_title_trigram_insert AFTER INSERT ON published_notice
            BEGIN {_SQLITE_INSERT} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_trigram_update
            AFTER UPDATE OF {followed} ON published_notice
            BEGIN {_SQLITE_DELETE} {_SQLITE_INSERT} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_trigram_delete AFTER DELETE ON published_notice
            BEGIN {_SQLITE_DELETE} END""")
        op.execute(SQLITE_BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_title_trigrams ON published_notice")
        op.execute("DROP FUNCTION notice_title_trigrams()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER notice_title_trigram_{name}")
    op.drop_table('notice_title_trigram')
