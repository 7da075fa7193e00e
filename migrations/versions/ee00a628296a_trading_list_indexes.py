"""A trading site's lists at a city's volume (bench/trading_list_bench.py:
833,000 received plans and 417,000 projects at 1,000,000 plans filed in
the province):

- 已接收计划, newest received first: (received_at, plan_no), and for an
  agency (agency_credit_code, received_at, plan_no), which also serves the
  agency's scope alone, so its single-column index goes. Without them every
  page sorted all the centre's plans: 624 ms on SQLite, 172 ms on
  PostgreSQL.
- 【待办任务】 of 中心业务科室 (projects 待受理审核 in its region, newest
  change first): (state, region_code, changed_on, id), in place of the
  index on state alone, its prefix. With 1,670 waiting, the count and the
  page read each one's row for its region and sorted them: SQLite 1.8 +
  2.3 ms, PostgreSQL 2.8 ms for the page; from this index alone 0.06 +
  0.02 ms and 0.5 + 0.4 ms.

Revision ID: ee00a628296a
Revises: f6b8d0a2c4e7
Create Date: 2026-12-06 18:20:00

"""
from alembic import op


revision = 'ee00a628296a'
down_revision = 'f6b8d0a2c4e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_plan_replica_received', 'plan_replica', ['received_at', 'plan_no'])
    op.create_index('ix_plan_replica_agency_received', 'plan_replica',
                    ['agency_credit_code', 'received_at', 'plan_no'])
    op.drop_index('ix_plan_replica_agency_credit_code', table_name='plan_replica')
    op.create_index('ix_trading_project_waiting', 'trading_project',
                    ['state', 'region_code', 'changed_on', 'id'])
    op.drop_index('ix_trading_project_state', table_name='trading_project')


def downgrade():
    op.create_index('ix_trading_project_state', 'trading_project', ['state'])
    op.drop_index('ix_trading_project_waiting', table_name='trading_project')
    op.create_index('ix_plan_replica_agency_credit_code', 'plan_replica', ['agency_credit_code'])
    op.drop_index('ix_plan_replica_agency_received', table_name='plan_replica')
    op.drop_index('ix_plan_replica_received', table_name='plan_replica')
