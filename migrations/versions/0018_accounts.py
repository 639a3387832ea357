"""accounts (issue 19)

Revision ID: 0018_accounts
Revises: 0017_bureau_numbers
Create Date: 2026-12-07 14:40:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0018_accounts'
down_revision = '0017_bureau_numbers'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
