"""supervision_tally and supervision_flag_tally: 【监督看板】's figures
counted ahead by region and month of 计划备案, rebuilt by the sweeper from
supervision_project and project_flag (app/supervision_tally.py). At
1,000,000 plans a city's first load of the board took ~1.5 s of GROUP BYs
over ~830,000 projects. Empty until the sweeper's first pass; the board
counts live until then.

Revision ID: 5d7e9f1a3b2c
Revises: 1c421c2f1eb5
Create Date: 2026-12-07 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d7e9f1a3b2c'
down_revision = '1c421c2f1eb5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'supervision_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('procurement_method', sa.String(length=16), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('projects', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('budget', sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column('award_amount', sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column('contract_amount', sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_supervision_tally_region_month', 'supervision_tally',
                    ['region_code', 'month'], unique=False)
    op.create_table(
        'supervision_flag_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('flag_id', sa.String(length=8), nullable=False),
        sa.Column('projects', sa.Integer(), nullable=False),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_supervision_flag_tally_region_month', 'supervision_flag_tally',
                    ['region_code', 'month'], unique=False)


def downgrade():
    op.drop_index('ix_supervision_flag_tally_region_month', table_name='supervision_flag_tally')
    op.drop_table('supervision_flag_tally')
    op.drop_index('ix_supervision_tally_region_month', table_name='supervision_tally')
    op.drop_table('supervision_tally')
