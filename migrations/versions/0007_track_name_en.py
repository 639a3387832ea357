"""track names: the English name of 高新技术企业 follows the UI's glossary, High-tech enterprise (HNTE)

Only the seeded value is replaced: a name an administrator has typed since stays as it is.

Revision ID: 0007_track_name_en
Revises: 0005_indicators
Create Date: 2026-11-28 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_track_name_en'
down_revision = '0005_indicators'
branch_labels = None
depends_on = None

SEEDED = 'High and New Technology Enterprise'
GLOSSARY = 'High-tech enterprise (HNTE)'
track = sa.table('track', sa.column('code', sa.String), sa.column('name_en', sa.String))


def upgrade():
    op.execute(track.update().where(track.c.code == 'hnte', track.c.name_en == SEEDED).values(name_en=GLOSSARY))


def downgrade():
    op.execute(track.update().where(track.c.code == 'hnte', track.c.name_en == GLOSSARY).values(name_en=SEEDED))
