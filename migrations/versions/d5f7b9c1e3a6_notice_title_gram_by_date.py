"""notice_title_gram keyed by date: (gram, column, published_at, notice_id),
so that a 标题 search reads its gram's notices newest first and stops after
the newest matches it lists (app/public/notices.py, SEARCH_LIMIT) instead of
reading every match: 17,000 matches of “教育局” among 1,000,000 notices cost
~120 ms a search. The triggers copy published_at and now also follow a change
of it.

The table is rebuilt (its rows are derived from published_notice); downgrade
rebuilds the previous one.

Revision ID: d5f7b9c1e3a6
Revises: c4e6a8b0d2f4
Create Date: 2026-12-02 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5f7b9c1e3a6'
down_revision = 'c4e6a8b0d2f4'
branch_labels = None
depends_on = None

MAX_TITLE = 255  # published_notice.title is String(255)
SQLITE_TRIGGERS = ("insert", "update", "delete")


def _sqlite_insert(dated: bool) -> str:
    # One position per character, by a recursive CTE inside the trigger's
    # INSERT (accepted by the SQLite we run, 3.40; tests run the migration).
    return f"""
    INSERT INTO notice_title_gram (gram, "column", {'published_at, ' if dated else ''}notice_id)
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < length(NEW.title) - 1)
    SELECT DISTINCT substr(lower(NEW.title), i, 2), NEW."column",
           {'NEW.published_at, ' if dated else ''}NEW.id FROM pos
    WHERE NEW.published AND length(NEW.title) >= 2;"""


def _sqlite_delete(dated: bool) -> str:
    # By the old title's grams: primary-key lookups, no index on notice_id.
    return f"""
    DELETE FROM notice_title_gram WHERE "column" = OLD."column" AND notice_id = OLD.id
    {'AND published_at = OLD.published_at' if dated else ''}
    AND gram IN (
        WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                  WHERE i < length(OLD.title) - 1)
        SELECT substr(lower(OLD.title), i, 2) FROM pos);"""


def _pg_function(dated: bool) -> str:
    return f"""
CREATE FUNCTION notice_title_grams() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        -- By the old title's grams: primary-key lookups, no index on notice_id.
        DELETE FROM notice_title_gram WHERE "column" = OLD."column"::text
        AND notice_id = OLD.id {'AND published_at = OLD.published_at' if dated else ''}
        AND gram IN (
            SELECT substr(lower(OLD.title), i, 2)
            FROM generate_series(1, char_length(OLD.title) - 1) AS i);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.published THEN
        INSERT INTO notice_title_gram (gram, "column", {'published_at, ' if dated else ''}notice_id)
        SELECT DISTINCT substr(lower(NEW.title), i, 2), NEW."column"::text,
               {'NEW.published_at, ' if dated else ''}NEW.id
        FROM generate_series(1, char_length(NEW.title) - 1) AS i;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""


def _drop():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_title_grams ON published_notice")
        op.execute("DROP FUNCTION notice_title_grams()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER notice_title_gram_{name}")
    op.drop_table('notice_title_gram')


def _create(dated: bool):
    key = ['gram', 'column'] + (['published_at'] if dated else []) + ['notice_id']
    op.create_table(
        'notice_title_gram',
        sa.Column('gram', sa.String(length=2), nullable=False),
        sa.Column('column', sa.String(length=16), nullable=False),
        *([sa.Column('published_at', sa.DateTime(), nullable=False)] if dated else []),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key),
        sqlite_with_rowid=False,
    )
    followed = 'title, "column", published' + (', published_at' if dated else '')
    date = 'n.published_at, ' if dated else ''
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(dated))
        op.execute(f"""
            CREATE TRIGGER notice_title_grams
            AFTER INSERT OR DELETE OR UPDATE OF {followed}
            ON published_notice FOR EACH ROW EXECUTE FUNCTION notice_title_grams()""")
        op.execute(f"""
            INSERT INTO notice_title_gram (gram, "column", {date.replace('n.', '')}notice_id)
            SELECT DISTINCT substr(lower(n.title), i, 2), n."column"::text, {date}n.id
            FROM published_notice AS n
            CROSS JOIN LATERAL generate_series(1, char_length(n.title) - 1) AS i
            WHERE n.published""")
    else:
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_insert AFTER INSERT ON published_notice
            BEGIN {_sqlite_insert(dated)} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_update
            AFTER UPDATE OF {followed} ON published_notice
            BEGIN {_sqlite_delete(dated)} {_sqlite_insert(dated)} END""")
        op.execute(f"""
            CREATE TRIGGER notice_title_gram_delete AFTER DELETE ON published_notice
            BEGIN {_sqlite_delete(dated)} END""")
        op.execute(f"""
            INSERT INTO notice_title_gram (gram, "column", {date.replace('n.', '')}notice_id)
            WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                      WHERE i < {MAX_TITLE - 1})
            SELECT DISTINCT substr(lower(n.title), pos.i, 2), n."column", {date}n.id
            FROM published_notice AS n JOIN pos ON pos.i < length(n.title)
            WHERE n.published""")


def upgrade():
    _drop()
    _create(dated=True)


def downgrade():
    _drop()
    _create(dated=False)
