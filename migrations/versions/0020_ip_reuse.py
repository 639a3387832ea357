"""IP items used in a successful 高企 application (issue 16: IP reuse)

Revision ID: 0020_ip_reuse
Revises: 0019_documents
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0020_ip_reuse'
down_revision = '0019_documents'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
