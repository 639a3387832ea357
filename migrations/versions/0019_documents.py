"""firm documents and the workbench (issue 20)

Revision ID: 0019_documents
Revises: 0018_accounts
Create Date: 2026-12-07 14:45:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0019_documents'
down_revision = '0018_accounts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
