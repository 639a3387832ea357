"""drop ix_stage_move_track_id_moved_at: ix_stage_move_track_id_moved_at_stages (0010) begins with the same columns

Every query that read the narrow index reads the covering one; each move wrote both.

Revision ID: 0012_drop_covered_move_index
Revises: 0011_firm_search_grams
Create Date: 2026-11-28 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_drop_covered_move_index'
down_revision = '0011_firm_search_grams'
branch_labels = None
depends_on = None


def upgrade():
    # Not batch_alter_table: on SQLite that may rebuild the table, and a plain DROP INDEX needs no rebuild.
    op.drop_index('ix_stage_move_track_id_moved_at', table_name='stage_move')


def downgrade():
    op.create_index('ix_stage_move_track_id_moved_at', 'stage_move', ['track_id', 'moved_at'], unique=False)
