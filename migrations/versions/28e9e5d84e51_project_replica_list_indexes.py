"""GPS 【交易项目与标段】 at a province's volume (bench/list_bench.py:
500,000 trading projects at 1,000,000 plans): the list is newest received
first, and had no index to walk; each page sorted every project in the
reader's scope: 340 ms for the demo 经办岗, 490 ms for a city's regulator on
PostgreSQL. (received_at, project_code), and for an agency, which had no
index at all, (agency_credit_code, received_at, project_code).

Revision ID: 28e9e5d84e51
Revises: ee00a628296a
Create Date: 2026-12-06 18:40:00

"""
from alembic import op


revision = '28e9e5d84e51'
down_revision = 'ee00a628296a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_project_replica_received', 'project_replica',
                    ['received_at', 'project_code'])
    op.create_index('ix_project_replica_agency_received', 'project_replica',
                    ['agency_credit_code', 'received_at', 'project_code'])


def downgrade():
    op.drop_index('ix_project_replica_agency_received', table_name='project_replica')
    op.drop_index('ix_project_replica_received', table_name='project_replica')
