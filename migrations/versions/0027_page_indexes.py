"""page indexes (issue 23): what the pages a crawl reaches need at 100,000 firms (bench/bench_pages.py)

The certificate list's order (newest copy first): its first page reads 100 index entries instead of sorting every
certificate.

Revision ID: 0027_page_indexes
Revises: 0026_dashboard_aggregates
Create Date: 2026-12-07 21:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_page_indexes'
down_revision = '0026_dashboard_aggregates'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_certificate_issued_at_id", "certificate", ["issued_at", "id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    # IF EXISTS: a database upgraded while this revision was still empty has none of them.
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
