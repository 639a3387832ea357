"""page indexes (issue 23): what the pages a crawl reaches need at 100,000 firms (bench/bench_pages.py)

- certificate (issued_at, id): the certificate list's order (newest copy first); its first page reads 100 index
  entries instead of sorting every certificate;
- firm (town_id, industry_id, id): the firm list's town + industry filters (and the invitation preview that takes
  them) read the pair's firms, not every firm of the town.

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
    ("ix_firm_town_id_industry_id_id", "firm", ["town_id", "industry_id", "id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    # IF EXISTS: a database upgraded while this revision was still empty has none of them.
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
