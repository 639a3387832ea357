"""dashboard aggregates (issue 23)

Revision ID: 0026_dashboard_aggregates
Revises: 0025_firm_list
Create Date: 2026-12-07 21:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0026_dashboard_aggregates'
down_revision = '0025_firm_list'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
