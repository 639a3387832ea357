"""funnel: pause origin, self-describing history rows, number hints of tracks, board and list indexes

Revision ID: 0002_funnel
Revises: 0001_foundation
Create Date: 2026-11-28 06:26:58.586159

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_funnel'
down_revision = '0004_certificates'
branch_labels = None
depends_on = None

STAGE = sa.Enum('screening', 'pool', 'cultivating', 'certified', 'removed', 'paused', 'failed', 'expired',
                name='stage', native_enum=False, length=16)
HINTS = {
    'tech_sme': '入库登记编号以登记年份开头（如 2026330624…）',
    'hnte': 'GR + 发证年份 4 位 + 省份代码 2 位 + 6 位数字（如 GR202633000001）',
}


def upgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.create_index('ix_firm_town_id_name', ['town_id', 'name'], unique=False)

    with op.batch_alter_table('firm_track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_from', STAGE, nullable=True))
        batch_op.create_index('ix_firm_track_track_id_stage_last_activity_at',
                              ['track_id', 'stage', 'last_activity_at'], unique=False)

    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('resume_on', sa.Date(), nullable=True))

    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_hint', sa.String(length=200), nullable=False, server_default=''))

    track = sa.table('track', sa.column('code', sa.String), sa.column('number_hint', sa.String))
    for code, hint in HINTS.items():
        op.execute(track.update().where(track.c.code == code).values(number_hint=hint))


def downgrade():
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.drop_column('number_hint')

    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.drop_column('resume_on')
        batch_op.drop_column('expires_on')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('pool_number')

    with op.batch_alter_table('firm_track', schema=None) as batch_op:
        batch_op.drop_index('ix_firm_track_track_id_stage_last_activity_at')
        batch_op.drop_column('paused_from')

    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index('ix_firm_town_id_name')
