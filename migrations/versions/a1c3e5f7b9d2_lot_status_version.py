"""lot.status_version: the version of the lot.status messages a trading
site sends GPS (招标文件/开评标配置, 质疑, 开标), raised in one UPDATE so two
edits of one lot never send the same version.

Revision ID: a1c3e5f7b9d2
Revises: 6ff10d5d0d00
Create Date: 2026-12-01 05:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c3e5f7b9d2'
down_revision = '6ff10d5d0d00'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_column('status_version')
