"""city targets (issue 24): targets the city sets for its counties, and the city edition of the monthly report

- annual_target.set_by_authority_id: the city that set a county-wide target (NULL: the county set it itself); the
  county's targets page shows such a target read-only;
- city_report: the city edition of a month's report, one per city and month; on PostgreSQL a tenant sees only the
  rows of the authorities in its scope (row-level security, as the county tables of 0028).

Revision ID: 0031_city_targets
Revises: 0030_county_settings
Create Date: 2026-12-08 00:30:00

"""
import sqlalchemy as sa
from alembic import op

import pipeline.db

# revision identifiers, used by Alembic.
revision = '0031_city_targets'
down_revision = '0030_county_settings'
branch_labels = None
depends_on = None

POLICY = "authority_id = ANY (pipeline_scope())"


def upgrade():
    # A nullable column without a foreign key: SQLite adds it in place (no table copy).
    op.add_column('annual_target', sa.Column('set_by_authority_id', sa.Integer(), nullable=True))
    op.create_table('city_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('sent_to', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_city_report_authority_id_authority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_report')),
    sa.UniqueConstraint('authority_id', 'month', name=op.f('uq_city_report_authority_id_month'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE city_report ENABLE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY county_scope ON city_report USING ({POLICY}) WITH CHECK ({POLICY})')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS county_scope ON city_report')
    op.drop_table('city_report')
    op.drop_column('annual_target', 'set_by_authority_id')
