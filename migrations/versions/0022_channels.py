"""notification channels (issue 22): SMS, DingTalk, WeCom next to email, per-user choices

Revision ID: 0022_channels
Revises: 0021_ui_pass
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0022_channels'
down_revision = '0021_ui_pass'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
