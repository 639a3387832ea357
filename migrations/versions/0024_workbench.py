"""workbench and documents (issue 20): what the 100,000-firm workbench and the gap list need

Revision ID: 0024_workbench
Revises: 0023_policies
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0024_workbench'
down_revision = '0023_policies'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
