"""the bureau's numbers (issue 16)

Revision ID: 0017_bureau_numbers
Revises: 0016_hardening
Create Date: 2026-12-07 14:30:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0017_bureau_numbers'
down_revision = '0016_hardening'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
