"""api clients (issue 24): reserved for the read-only API's clients; filled in by its change

Revision ID: 0029_api_clients
Revises: 0028_tenancy
Create Date: 2026-12-08 00:20:00

"""

# revision identifiers, used by Alembic.
revision = '0029_api_clients'
down_revision = '0028_tenancy'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
