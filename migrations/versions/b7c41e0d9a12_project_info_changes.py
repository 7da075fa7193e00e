"""project info changes: 立项信息 corrected after 受理通过

A table of corrections (both sites) and the two fields on GPS's project
replica. Existing replicas start empty (the platform has not said yet).

Revision ID: b7c41e0d9a12
Revises: b7c1d2e3f4a5
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c41e0d9a12'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'project_info_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_code', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('user_name', sa.String(length=128), nullable=False),
        sa.Column('organisation_name', sa.String(length=128), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_code', 'seq', name='uq_project_info_change'),
    )
    with op.batch_alter_table('project_info_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_info_change_project_code'),
                              ['project_code'], unique=False)
    with op.batch_alter_table('project_replica', schema=None) as batch_op:
        batch_op.add_column(sa.Column('encrypted', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('remote_opening', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('project_replica', schema=None) as batch_op:
        batch_op.drop_column('remote_opening')
        batch_op.drop_column('encrypted')
    with op.batch_alter_table('project_info_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_info_change_project_code'))
    op.drop_table('project_info_change')
