"""eligibility revision 2 (issue 17)

Revision ID: 0015_eligibility_rev2
Revises: 0014_stage_tally
Create Date: 2026-12-07 14:30:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0015_eligibility_rev2'
down_revision = '0014_stage_tally'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
