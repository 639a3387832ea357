"""api clients (issue 24): the read-only API's clients (hashed tokens, scopes, authority), its call log and the
per-minute rate windows shared by every web worker

Revision ID: 0029_api_clients
Revises: 0028_tenancy
Create Date: 2026-12-08 00:20:00

"""
import sqlalchemy as sa
from alembic import op

from pipeline.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0029_api_clients'
down_revision = '0028_tenancy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_client',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('token_prefix', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('last_used_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_api_client_authority_id_authority')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_client_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_api_client_revoked_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_client_token_hash')),
    )
    op.create_index(op.f('ix_api_client_authority_id'), 'api_client', ['authority_id'])
    op.create_table(
        'api_call',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['api_client.id'], name=op.f('fk_api_call_client_id_api_client'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_call')),
    )
    op.create_index(op.f('ix_api_call_at'), 'api_call', ['at'])
    op.create_index('ix_api_call_client_id_at', 'api_call', ['client_id', 'at'])
    op.create_table(
        'api_rate_window',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('window_start', UTCDateTime(), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['api_client.id'],
                                name=op.f('fk_api_rate_window_client_id_api_client'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('client_id', 'window_start', name=op.f('pk_api_rate_window')),
    )


def downgrade():
    op.drop_table('api_rate_window')
    op.drop_index('ix_api_call_client_id_at', table_name='api_call')
    op.drop_index(op.f('ix_api_call_at'), table_name='api_call')
    op.drop_table('api_call')
    op.drop_index(op.f('ix_api_client_authority_id'), table_name='api_client')
    op.drop_table('api_client')
