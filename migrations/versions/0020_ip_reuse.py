"""IP items used in a successful 高企 application (issue 16: IP reuse): a firm's IP items, and which of them a
recognised 高企 application listed (linked to that recognition's stage_move row)

Revision ID: 0020_ip_reuse
Revises: 0019_documents
Create Date: 2026-12-07 17:50:00

"""
from alembic import op
import sqlalchemy as sa

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0020_ip_reuse'
down_revision = '0019_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ip_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('acquired', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_ip_item_firm_id_firm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_ip_item_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ip_item')),
    sa.UniqueConstraint('firm_id', 'kind', 'number', name=op.f('uq_ip_item_firm_id_kind_number'))
    )
    op.create_table('ip_item_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ip_item_id', sa.Integer(), nullable=False),
    sa.Column('stage_move_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ip_item_id'], ['ip_item.id'], name=op.f('fk_ip_item_use_ip_item_id_ip_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_ip_item_use_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_move_id'], ['stage_move.id'], name=op.f('fk_ip_item_use_stage_move_id_stage_move'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ip_item_use')),
    sa.UniqueConstraint('ip_item_id', 'stage_move_id', name=op.f('uq_ip_item_use_ip_item_id_stage_move_id'))
    )
    with op.batch_alter_table('ip_item_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ip_item_use_stage_move_id'), ['stage_move_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ip_item_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ip_item_use_stage_move_id'))
    op.drop_table('ip_item_use')
    op.drop_table('ip_item')
