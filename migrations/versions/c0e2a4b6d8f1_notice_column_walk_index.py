"""published_notice's (column, published_at, project_code) index becomes
(column, published_at, id, project_code, published), and the
(column, project_code) index, read by nothing since b8d0f2a4c6e9, goes.

A 项目编号 text in many of a column's codes walks the column newest first
and checks each code on the index (app/public/notices.py, Listing._matches).
SQLite checked it there; PostgreSQL reads the row before it checks a
condition the index cannot answer, so “-2024-” (all its matches the
column's oldest) read 107,000 rows: 470 ms at 1,000,000 notices. With the
id and the flag in the index the walk is an index-only scan that names
the matching ids (54 ms there; SQLite 15 → 13 ms), and only those rows are
read. The id after the date also gives every list's order (newest first,
then id) straight from the index on PostgreSQL.

Revision ID: c0e2a4b6d8f1
Revises: b8d0f2a4c6e9
Create Date: 2026-12-06 03:10:00

"""
from alembic import op


revision = 'c0e2a4b6d8f1'
down_revision = 'b8d0f2a4c6e9'
branch_labels = None
depends_on = None


# Plain CREATE/DROP INDEX, never a batch: a batch that copied the table on
# SQLite would drop its triggers (grams, suffixes, website version).
def upgrade():
    op.create_index('ix_published_notice_column_at_id', 'published_notice',
                    ['column', 'published_at', 'id', 'project_code', 'published'], unique=False)
    op.drop_index('ix_published_notice_column_at_code', table_name='published_notice')
    op.drop_index('ix_published_notice_column_code', table_name='published_notice')


def downgrade():
    op.create_index('ix_published_notice_column_code', 'published_notice',
                    ['column', 'project_code'], unique=False)
    op.create_index('ix_published_notice_column_at_code', 'published_notice',
                    ['column', 'published_at', 'project_code'], unique=False)
    op.drop_index('ix_published_notice_column_at_id', table_name='published_notice')
