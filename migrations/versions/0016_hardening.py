"""hardening (issue 18)

Revision ID: 0016_hardening
Revises: 0015_eligibility_rev2
Create Date: 2026-12-07 14:30:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0016_hardening'
down_revision = '0015_eligibility_rev2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
