"""firm list (issue 21): pinyin order and search

Revision ID: 0025_firm_list
Revises: 0024_workbench
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0025_firm_list'
down_revision = '0024_workbench'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
