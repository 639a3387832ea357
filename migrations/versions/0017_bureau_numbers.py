"""the bureau's numbers (issue 16): how each entry into 认定 counts, yearly baselines

Revision ID: 0017_bureau_numbers
Revises: 0016_hardening
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0017_bureau_numbers'
down_revision = '0016_hardening'
branch_labels = None
depends_on = None

# The older entries into 认定, classified as move_firm classifies new ones (pipeline.domain.stages.classify_entry):
# the record's first entry is first_time; a later one with the certificate number of the record's previous entry
# is restored (the same certificate given back); any other later one is repeat (a new certificate).
BACKFILL_ENTRY_CLASS = """
UPDATE stage_move SET entry_class = CASE
  WHEN NOT EXISTS (SELECT 1 FROM stage_move p WHERE p.firm_track_id = stage_move.firm_track_id
                     AND p.to_stage = 'certified'
                     AND (p.moved_at < stage_move.moved_at OR (p.moved_at = stage_move.moved_at AND p.id < stage_move.id)))
    THEN 'first_time'
  WHEN (SELECT p.certificate_number FROM stage_move p WHERE p.firm_track_id = stage_move.firm_track_id
          AND p.to_stage = 'certified'
          AND (p.moved_at < stage_move.moved_at OR (p.moved_at = stage_move.moved_at AND p.id < stage_move.id))
        ORDER BY p.moved_at DESC, p.id DESC LIMIT 1) = stage_move.certificate_number
    THEN 'restored'
  ELSE 'repeat' END
WHERE to_stage = 'certified'
"""


def upgrade():
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_class', sa.String(length=16), nullable=True))
    op.execute(BACKFILL_ENTRY_CLASS)

    op.create_table('annual_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=100), server_default='', nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_annual_baseline_track_id_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_annual_baseline_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_baseline')),
    sa.UniqueConstraint('track_id', 'year', name=op.f('uq_annual_baseline_track_id_year'))
    )


def downgrade():
    op.drop_table('annual_baseline')
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.drop_column('entry_class')
