"""plan_name_gram: every two- and three-character substring (lower-cased) of
each plan's 项目名称, kept by row triggers on plan, so that a list's 包含
search (采购计划, 采购公告发布) reads the ids under the text's grams instead
of every plan in the user's scope: at 200,000 plans on SQLite a 项目名称
search read them all twice (the COUNT and the page), 116–123 ms a page
against 10 ms unfiltered (docs/benchmarks.md).

Revision ID: b5d7f9a1c3e6
Revises: a3c5e7f9b1d4
Create Date: 2026-12-06 09:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b5d7f9a1c3e6'
down_revision = 'a3c5e7f9b1d4'
branch_labels = None
depends_on = None

MAX_NAME = 200  # plan.project_name is String(200)
SQLITE_TRIGGERS = ("insert", "update", "delete")


def _sqlite_grams(row: str, with_id: bool = True) -> str:
    """The distinct grams of {row}.project_name (with its id)."""
    name = f"lower({row}.project_name)"
    return f"""
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < length({name}) - 1)
    SELECT DISTINCT substr({name}, i, n){f', {row}.id' if with_id else ''}
    FROM pos, (SELECT 2 AS n UNION SELECT 3) WHERE i + n - 1 <= length({name})"""


_SQLITE_INSERT = f"INSERT INTO plan_name_gram (gram, plan_id) {_sqlite_grams('NEW')};"
# By the old name's grams: primary-key lookups, no index on plan_id.
_SQLITE_DELETE = f"""
    DELETE FROM plan_name_gram WHERE plan_id = OLD.id
    AND gram IN ({_sqlite_grams('OLD', with_id=False)});"""

_PG_GRAMS = """
    SELECT DISTINCT substr(l, i, n) AS gram FROM (SELECT lower({row}.project_name) AS l) AS named,
    generate_series(1, char_length(l) - 1) AS i, (VALUES (2), (3)) AS sizes(n)
    WHERE i + n - 1 <= char_length(l)"""
_PG_FUNCTION = f"""
CREATE FUNCTION plan_name_grams() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM plan_name_gram WHERE plan_id = OLD.id
        AND gram IN ({_PG_GRAMS.format(row='OLD')});
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO plan_name_gram (gram, plan_id)
        SELECT gram, NEW.id FROM ({_PG_GRAMS.format(row='NEW')}) AS grams;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""

# The plans already stored (tests run it too).
PG_BACKFILL = """
    INSERT INTO plan_name_gram (gram, plan_id)
    SELECT DISTINCT substr(lower(p.project_name), i, n), p.id FROM plan AS p
    CROSS JOIN LATERAL generate_series(1, char_length(lower(p.project_name)) - 1) AS i
    CROSS JOIN (VALUES (2), (3)) AS sizes(n)
    WHERE i + n - 1 <= char_length(lower(p.project_name))"""
SQLITE_BACKFILL = f"""
    INSERT INTO plan_name_gram (gram, plan_id)
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < {MAX_NAME - 1})
    SELECT DISTINCT substr(lower(p.project_name), pos.i, n), p.id
    FROM plan AS p JOIN pos ON pos.i < length(lower(p.project_name)),
    (SELECT 2 AS n UNION SELECT 3)
    WHERE pos.i + n - 1 <= length(lower(p.project_name))"""


def upgrade():
    op.create_table(
        'plan_name_gram',
        sa.Column('gram', sa.String(length=3), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('gram', 'plan_id'),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("""
            CREATE TRIGGER plan_name_grams
            AFTER INSERT OR DELETE OR UPDATE OF project_name
            ON plan FOR EACH ROW EXECUTE FUNCTION plan_name_grams()""")
        op.execute(PG_BACKFILL)
    else:
        op.execute(f"""
            CREATE TRIGGER plan_name_gram_insert AFTER INSERT ON plan
            BEGIN {_SQLITE_INSERT} END""")
        op.execute(f"""
            CREATE TRIGGER plan_name_gram_update AFTER UPDATE OF project_name ON plan
            BEGIN {_SQLITE_DELETE} {_SQLITE_INSERT} END""")
        op.execute(f"""
            CREATE TRIGGER plan_name_gram_delete AFTER DELETE ON plan
            BEGIN {_SQLITE_DELETE} END""")
        op.execute(SQLITE_BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER plan_name_grams ON plan")
        op.execute("DROP FUNCTION plan_name_grams()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER plan_name_gram_{name}")
    op.drop_table('plan_name_gram')
