"""time_change (agency_id, received_at, id), (region_code, received_at, id)
and (received_at, id), in place of the single-column indexes of agency_id
and region_code: 【变更公告】's list and count by its scope's columns
(scope.time_change_clause), newest first. At a city's volume (41,509
entries, bench/trading_list_bench.py) the centre's page sorted every entry
in scope.

Revision ID: c4e6a8b0d2f5
Revises: b3d5f7a9c1e4
Create Date: 2026-12-07 04:00:00

"""
from alembic import op


revision = 'c4e6a8b0d2f5'
down_revision = 'b3d5f7a9c1e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('time_change', schema=None) as batch_op:
        batch_op.create_index('ix_time_change_agency_received',
                              ['agency_id', 'received_at', 'id'])
        batch_op.create_index('ix_time_change_region_received',
                              ['region_code', 'received_at', 'id'])
        batch_op.create_index('ix_time_change_received', ['received_at', 'id'])
        batch_op.drop_index('ix_time_change_agency_id')
        batch_op.drop_index('ix_time_change_region_code')


def downgrade():
    with op.batch_alter_table('time_change', schema=None) as batch_op:
        batch_op.create_index('ix_time_change_region_code', ['region_code'])
        batch_op.create_index('ix_time_change_agency_id', ['agency_id'])
        batch_op.drop_index('ix_time_change_received')
        batch_op.drop_index('ix_time_change_region_received')
        batch_op.drop_index('ix_time_change_agency_received')
