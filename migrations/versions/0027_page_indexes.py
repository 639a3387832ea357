"""page indexes (issue 23)

Revision ID: 0027_page_indexes
Revises: 0026_dashboard_aggregates
Create Date: 2026-12-07 21:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0027_page_indexes'
down_revision = '0026_dashboard_aggregates'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
