"""published_notice's (column, published_at) index gains project_code:
(column, published_at, project_code). A 项目编号 text in too many of a
column's codes is now walked newest first and stops after the newest
matches it lists (app/public/notices.py, SEARCH_LIMIT), as a 标题 search
does; with the code in the index the LIKE is checked there, before the row
is read (“-2024-” at 1,000,000 notices: 389 ms with the row read per
notice, 13 ms from the index; reading every match, as before, 340 ms).
Everything that read the old index reads this one (it begins the same);
SQLite, without statistics, would keep choosing the narrower one, so it
is replaced rather than added.

Revision ID: b8d0f2a4c6e9
Revises: a7c9e1b3d5f8
Create Date: 2026-12-06 00:20:00

"""
from alembic import op


revision = 'b8d0f2a4c6e9'
down_revision = 'a7c9e1b3d5f8'
branch_labels = None
depends_on = None


# Plain CREATE/DROP INDEX, never a batch: a batch that copied the table on
# SQLite would drop its triggers (grams, suffixes, website version).
def upgrade():
    op.create_index('ix_published_notice_column_at_code', 'published_notice',
                    ['column', 'published_at', 'project_code'], unique=False)
    op.drop_index('ix_published_notice_column_at', table_name='published_notice')


def downgrade():
    op.create_index('ix_published_notice_column_at', 'published_notice',
                    ['column', 'published_at'], unique=False)
    op.drop_index('ix_published_notice_column_at_code', table_name='published_notice')
