"""plan: (id, project_name), so that 【待办任务】's search reads a waiting
filing's plan name from the index alone.

The search asks whether the text is in each waiting item's number, its
plan's name or its unit's name (models._mentions), now one probe per item.
At 1,000,000 plans a 单位内部审核岗 with 25,000 waiting 中标结果变更备案
searched in 75 ms of one process, where asking with EXISTS read every
plan's name (100 ms in three processes).

Revision ID: a9c1e3f5b7d0
Revises: f8b0d2e4a6c9
Create Date: 2026-12-04 11:00:00

"""
from alembic import op


revision = 'a9c1e3f5b7d0'
down_revision = 'f8b0d2e4a6c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_plan_id_name", "plan", ["id", "project_name"], unique=False)


def downgrade():
    op.drop_index("ix_plan_id_name", table_name="plan")
