"""scale indexes: the firm list's record filters, counts and deep pages read firm ids from indexes alone

(name, id) and (town, name, id) replace (name) and (town, name): the same sorts, now with the id that ends the list's
order, so PostgreSQL takes a deep page's ids from an index-only scan. (town) goes: (town, name, id) begins with it.

(track, stage, firm) replaces (track, stage): it serves the same lookups and also gives the firm ids of a track's
stage without reading the records. (stage, last activity, track, firm) serves the stage, paused and stale filters
(the stale one on active tracks only) on every track. (firm, track, stage) replaces (firm): a firm's records as
before, and the board's counts in one town without reading the records.

Revision ID: 0009_scale_indexes
Revises: 0008_lazy_certificate_pdf
Create Date: 2026-11-28 10:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_scale_indexes'
down_revision = '0008_lazy_certificate_pdf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_firm_name_id', 'firm', ['name', 'id'])
    op.drop_index('ix_firm_name', table_name='firm')
    op.create_index('ix_firm_town_id_name_id', 'firm', ['town_id', 'name', 'id'])
    op.drop_index('ix_firm_town_id_name', table_name='firm')
    op.drop_index('ix_firm_town_id', table_name='firm')
    op.create_index('ix_firm_track_track_id_stage_firm_id', 'firm_track', ['track_id', 'stage', 'firm_id'])
    op.create_index('ix_firm_track_stage_last_activity_at_track_id_firm_id', 'firm_track',
                    ['stage', 'last_activity_at', 'track_id', 'firm_id'])
    op.drop_index('ix_firm_track_track_id_stage', table_name='firm_track')
    op.create_index('ix_firm_track_firm_id_track_id_stage', 'firm_track', ['firm_id', 'track_id', 'stage'])
    op.drop_index('ix_firm_track_firm_id', table_name='firm_track')


def downgrade():
    op.create_index('ix_firm_track_firm_id', 'firm_track', ['firm_id'])
    op.drop_index('ix_firm_track_firm_id_track_id_stage', table_name='firm_track')
    op.create_index('ix_firm_town_id', 'firm', ['town_id'])
    op.create_index('ix_firm_town_id_name', 'firm', ['town_id', 'name'])
    op.drop_index('ix_firm_town_id_name_id', table_name='firm')
    op.create_index('ix_firm_name', 'firm', ['name'])
    op.drop_index('ix_firm_name_id', table_name='firm')
    op.create_index('ix_firm_track_track_id_stage', 'firm_track', ['track_id', 'stage'])
    op.drop_index('ix_firm_track_stage_last_activity_at_track_id_firm_id', table_name='firm_track')
    op.drop_index('ix_firm_track_track_id_stage_firm_id', table_name='firm_track')
