"""UI pass (issue 21): the certificate seal setting and what the verify page and lists need

Revision ID: 0021_ui_pass
Revises: 0020_ip_reuse
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0021_ui_pass'
down_revision = '0020_ip_reuse'
branch_labels = None
depends_on = None


def upgrade():
    # The 入库证书's seal is an admin setting (off by default) with the bureau's uploaded 电子印章.
    op.create_table('certificate_seal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=True),
    sa.Column('image_sha256', sa.String(length=64), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_certificate_seal_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_seal'))
    )


def downgrade():
    op.drop_table('certificate_seal')
