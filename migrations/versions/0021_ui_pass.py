"""UI pass (issue 21): the certificate seal setting and what the verify page and lists need

Revision ID: 0021_ui_pass
Revises: 0020_ip_reuse
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0021_ui_pass'
down_revision = '0020_ip_reuse'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
