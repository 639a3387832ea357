"""dashboard at scale: covering indexes for the stage table's moves and for the towns' and industries' counts

firm_track(track_id, stage, firm_id), which the towns' counts of records now also read, comes with 0009_scale_indexes.

Revision ID: 0010_dashboard_scale
Revises: 0009_scale_indexes
Create Date: 2026-11-28 10:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_dashboard_scale'
down_revision = '0009_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.create_index('ix_stage_move_track_id_moved_at_stages',
                              ['track_id', 'moved_at', 'firm_track_id', 'from_stage', 'to_stage'], unique=False)
        batch_op.create_index('ix_stage_move_to_stage_moved_at',
                              ['to_stage', 'moved_at', 'track_id', 'firm_track_id', 'firm_id'], unique=False)
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.create_index('ix_firm_id_town_id_industry_id', ['id', 'town_id', 'industry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index('ix_firm_id_town_id_industry_id')
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_move_to_stage_moved_at')
        batch_op.drop_index('ix_stage_move_track_id_moved_at_stages')
