"""GPS times on time changes; 最高限价 on lots; ceiling warning on opening bids

The 变更公告 column keeps the times the GPS notice states beside the ones
entered, and the reason when they differ. A lot keeps the 最高限价 its
采购公告 states; an opening bid above it (or above the budget) keeps the
warning it was recorded with. All nullable: existing rows have none.

Revision ID: b7c1d2e3f4a5
Revises: 666793cafaef
Create Date: 2026-11-30 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '666793cafaef'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('time_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gps_doc_issue_end', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('gps_bid_deadline', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('gps_open_time', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deviation_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_price', sa.Numeric(precision=16, scale=2),
                                      nullable=True))
    with op.batch_alter_table('opening_bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ceiling_warning', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('opening_bid', schema=None) as batch_op:
        batch_op.drop_column('ceiling_warning')
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_column('max_price')
    with op.batch_alter_table('time_change', schema=None) as batch_op:
        batch_op.drop_column('deviation_reason')
        batch_op.drop_column('gps_open_time')
        batch_op.drop_column('gps_bid_deadline')
        batch_op.drop_column('gps_doc_issue_end')
