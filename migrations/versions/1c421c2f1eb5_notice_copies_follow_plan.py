"""Each notice's agency and region as its plan's now: the lists find a
unit's, an agency's and a region's notices by these copies (scope.
_notice_rule), and until now a filed plan's changed 委托代理机构 (or its
unit's new region) stayed behind on the notices drafted before. Data only.

Revision ID: 1c421c2f1eb5
Revises: f1a3c5e7b9d2
Create Date: 2026-12-07 07:40:00

"""
from alembic import op


revision = '1c421c2f1eb5'
down_revision = 'f1a3c5e7b9d2'
branch_labels = None
depends_on = None


# Correlated subqueries: the same statement on SQLite and PostgreSQL.
REALIGN = """
        UPDATE notice
           SET agency_id = (SELECT plan.agency_id FROM plan WHERE plan.id = notice.plan_id),
               region_code = (SELECT plan.region_code FROM plan WHERE plan.id = notice.plan_id)
         WHERE EXISTS (SELECT 1 FROM plan WHERE plan.id = notice.plan_id
                          AND (plan.region_code <> notice.region_code
                               OR plan.agency_id IS NULL AND notice.agency_id IS NOT NULL
                               OR plan.agency_id IS NOT NULL AND notice.agency_id IS NULL
                               OR plan.agency_id <> notice.agency_id))
"""


def upgrade():
    op.execute(REALIGN)


def downgrade():
    pass  # the copies were stale before; nothing to restore
