"""city targets (issue 24): reserved for targets the city sets for its counties

Revision ID: 0031_city_targets
Revises: 0030_county_settings
Create Date: 2026-12-08 00:30:00

"""

# revision identifiers, used by Alembic.
revision = '0031_city_targets'
down_revision = '0030_county_settings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
