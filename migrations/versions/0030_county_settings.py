"""county settings (issue 24): reserved for reminder rules, calendar, seal and settings per county

Revision ID: 0030_county_settings
Revises: 0029_api_clients
Create Date: 2026-12-08 00:30:00

"""

# revision identifiers, used by Alembic.
revision = '0030_county_settings'
down_revision = '0029_api_clients'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
