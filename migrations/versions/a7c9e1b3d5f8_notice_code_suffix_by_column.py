"""notice_code_suffix keyed by column first: (column, suffix, notice_id), so
that a 项目编号 search reads the suffixes of its own column's codes only. A
project's code is in each of its notices (采购公告, 变更公告, 结果公告, 合同公告
…): “-2025-00” began suffixes of 3,312 notices at 1,000,000, 545 of them in
采购公告, and the search read all 3,312 rows to keep those (5.4 ms of its
SQL). The triggers copy the column and now also follow a change of it.

The table is rebuilt (its rows are derived from published_notice); downgrade
rebuilds the previous one.

Revision ID: a7c9e1b3d5f8
Revises: c1e3a5b7d9f2
Create Date: 2026-12-06 00:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c9e1b3d5f8'
down_revision = 'c1e3a5b7d9f2'
branch_labels = None
depends_on = None

MAX_CODE = 40  # published_notice.project_code is String(40)
SQLITE_TRIGGERS = ("insert", "update", "delete")


def _names(by_column: bool, row: str = "") -> str:
    """The inserted columns, or (with `row`, NEW/OLD) the trigger's values."""
    if not row:
        return '"column", suffix, notice_id' if by_column else 'suffix, notice_id'
    return f'{row}."column", ' if by_column else ''


def _sqlite_insert(by_column: bool) -> str:
    return f"""
    INSERT INTO notice_code_suffix ({_names(by_column)})
    WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                              WHERE i < length(NEW.project_code) - 1)
    SELECT {_names(by_column, 'NEW')}substr(lower(NEW.project_code), i), NEW.id FROM pos
    WHERE length(NEW.project_code) >= 2;"""


def _sqlite_delete(by_column: bool) -> str:
    # By the old code's suffixes: primary-key lookups, no index on notice_id.
    column = 'AND "column" = OLD."column"' if by_column else ''
    return f"""
    DELETE FROM notice_code_suffix WHERE notice_id = OLD.id {column} AND suffix IN (
        WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                  WHERE i < length(OLD.project_code) - 1)
        SELECT substr(lower(OLD.project_code), i) FROM pos);"""


def _pg_function(by_column: bool) -> str:
    old = 'AND "column" = OLD."column"::text' if by_column else ''
    new = 'NEW."column"::text, ' if by_column else ''
    return f"""
CREATE FUNCTION notice_code_suffixes() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.project_code IS NOT NULL THEN
        DELETE FROM notice_code_suffix WHERE notice_id = OLD.id {old} AND suffix IN (
            SELECT substr(lower(OLD.project_code), i)
            FROM generate_series(1, char_length(lower(OLD.project_code)) - 1) AS i);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.project_code IS NOT NULL THEN
        INSERT INTO notice_code_suffix ({_names(by_column)})
        SELECT {new}substr(lower(NEW.project_code), i), NEW.id
        FROM generate_series(1, char_length(lower(NEW.project_code)) - 1) AS i;
    END IF;
    RETURN NULL;
END; $$ LANGUAGE plpgsql"""


def backfill(postgres: bool, by_column: bool = True) -> str:
    """The suffixes of the notices already stored (tests run it too)."""
    column = ('n."column"::text, ' if postgres else 'n."column", ') if by_column else ''
    if postgres:
        return f"""
            INSERT INTO notice_code_suffix ({_names(by_column)})
            SELECT {column}substr(lower(n.project_code), i), n.id
            FROM published_notice AS n
            CROSS JOIN LATERAL generate_series(1, char_length(lower(n.project_code)) - 1) AS i
            WHERE n.project_code IS NOT NULL"""
    return f"""
            INSERT INTO notice_code_suffix ({_names(by_column)})
            WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos
                                      WHERE i < {MAX_CODE - 1})
            SELECT {column}substr(lower(n.project_code), pos.i), n.id
            FROM published_notice AS n JOIN pos ON pos.i < length(n.project_code)
            WHERE n.project_code IS NOT NULL"""


def _drop():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER notice_code_suffixes ON published_notice")
        op.execute("DROP FUNCTION notice_code_suffixes()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER notice_code_suffix_{name}")
    op.drop_table('notice_code_suffix')


def _create(by_column: bool):
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'notice_code_suffix',
        *([sa.Column('column', sa.String(length=16), nullable=False)] if by_column else []),
        # Text, not String(40): under an ICU locale PostgreSQL's lower() can
        # lengthen a code ('İ' becomes two characters).
        sa.Column('suffix', sa.Text(collation="C" if postgres else None), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*(['column'] if by_column else []), 'suffix', 'notice_id'),
        sqlite_with_rowid=False,
    )
    followed = 'project_code, "column"' if by_column else 'project_code'
    if postgres:
        op.execute(_pg_function(by_column))
        op.execute(f"""
            CREATE TRIGGER notice_code_suffixes
            AFTER INSERT OR DELETE OR UPDATE OF {followed}
            ON published_notice FOR EACH ROW EXECUTE FUNCTION notice_code_suffixes()""")
    else:
        op.execute(f"""
            CREATE TRIGGER notice_code_suffix_insert AFTER INSERT ON published_notice
            WHEN NEW.project_code IS NOT NULL BEGIN {_sqlite_insert(by_column)} END""")
        op.execute(f"""
            CREATE TRIGGER notice_code_suffix_update AFTER UPDATE OF {followed}
            ON published_notice
            BEGIN {_sqlite_delete(by_column)} {_sqlite_insert(by_column)} END""")
        op.execute(f"""
            CREATE TRIGGER notice_code_suffix_delete AFTER DELETE ON published_notice
            WHEN OLD.project_code IS NOT NULL BEGIN {_sqlite_delete(by_column)} END""")
    op.execute(backfill(postgres, by_column))


def upgrade():
    _drop()
    _create(by_column=True)


def downgrade():
    _drop()
    _create(by_column=False)
