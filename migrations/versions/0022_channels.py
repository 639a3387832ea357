"""notification channels (issue 22): SMS, DingTalk, WeCom next to email, per-user choices

Revision ID: 0022_channels
Revises: 0021_ui_pass
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0022_channels'
down_revision = '0021_ui_pass'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('channel_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('recipient_label', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='messagestatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('queued_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('last_attempt_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('provider_request_id', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_message')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_channel_message_dedup_key'))
    )
    op.create_index('ix_channel_message_channel_recipient_sent_at', 'channel_message', ['channel', 'recipient', 'sent_at'], unique=False)
    op.create_index(op.f('ix_channel_message_claim_token'), 'channel_message', ['claim_token'], unique=False)
    op.create_index('ix_channel_message_created_at', 'channel_message', ['created_at'], unique=False)
    op.create_index('ix_channel_message_status_next_attempt_at', 'channel_message', ['status', 'next_attempt_at'], unique=False)
    op.create_table('channel_switch',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_switch'))
    )
    op.create_table('notice_default',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'channel', name=op.f('pk_notice_default'))
    )
    op.create_table('notice_choice',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notice_choice_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('pk_notice_choice'))
    )
    op.create_table('user_mobile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_mobile_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_mobile'))
    )
    op.create_table('sms_template',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('template_code', sa.String(length=32), nullable=False),
    sa.Column('params', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_sms_template'))
    )


def downgrade():
    op.drop_table('sms_template')
    op.drop_table('user_mobile')
    op.drop_table('notice_choice')
    op.drop_table('notice_default')
    op.drop_table('channel_switch')
    op.drop_index('ix_channel_message_status_next_attempt_at', table_name='channel_message')
    op.drop_index('ix_channel_message_created_at', table_name='channel_message')
    op.drop_index(op.f('ix_channel_message_claim_token'), table_name='channel_message')
    op.drop_index('ix_channel_message_channel_recipient_sent_at', table_name='channel_message')
    op.drop_table('channel_message')
