"""policy catalogue and incentive ledger (issue 25)

Revision ID: 0023_policies
Revises: 0022_channels
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0023_policies'
down_revision = '0022_channels'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
