"""objection.agency_id and region_code, copied from the lot's project, with
(agency_id, received_on, id) and (region_code, received_on, id): 项目质疑's
list and count by its scope's columns instead of through lot and project;
(received_on, id) for a city's centre, which sees most of them.
An agency's page with 24,507 质疑 at a city's volume
(bench/trading_list_bench.py) took ~1 s on PostgreSQL, hashing each of its
120,000 lots, and on SQLite.

Revision ID: b3d5f7a9c1e4
Revises: 28e9e5d84e51
Create Date: 2026-12-07 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3d5f7a9c1e4'
down_revision = '28e9e5d84e51'
branch_labels = None
depends_on = None


def _of_project(column):
    return (f"(SELECT trading_project.{column} FROM lot JOIN trading_project"
            f" ON trading_project.id = lot.project_id WHERE lot.id = objection.lot_id)")


def upgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('region_code', sa.String(length=6), nullable=True))
    op.execute(f"UPDATE objection SET agency_id = {_of_project('agency_id')},"
               f" region_code = {_of_project('region_code')}")
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('region_code', existing_type=sa.String(length=6), nullable=False)
        batch_op.create_foreign_key('fk_objection_agency_id_organisation', 'organisation',
                                    ['agency_id'], ['id'])
        batch_op.create_foreign_key('fk_objection_region_code_region', 'region',
                                    ['region_code'], ['code'])
        batch_op.create_index('ix_objection_agency_received',
                              ['agency_id', 'received_on', 'id'])
        batch_op.create_index('ix_objection_region_received',
                              ['region_code', 'received_on', 'id'])
        batch_op.create_index('ix_objection_received', ['received_on', 'id'])


def downgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index('ix_objection_received')
        batch_op.drop_index('ix_objection_region_received')
        batch_op.drop_index('ix_objection_agency_received')
        batch_op.drop_constraint('fk_objection_region_code_region', type_='foreignkey')
        batch_op.drop_constraint('fk_objection_agency_id_organisation', type_='foreignkey')
        batch_op.drop_column('region_code')
        batch_op.drop_column('agency_id')
