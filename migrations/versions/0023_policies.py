"""policy catalogue and incentive ledger (issue 25)

Revision ID: 0023_policies
Revises: 0022_channels
Create Date: 2026-12-07 17:50:00

"""
from alembic import op
import sqlalchemy as sa

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0023_policies'
down_revision = '0022_channels'
branch_labels = None
depends_on = None


AMOUNT = sa.Numeric(precision=14, scale=4)


def upgrade():
    op.create_table('policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=100), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('benefit_kind', sa.String(length=10), nullable=False),
    sa.Column('benefit_amount', AMOUNT, nullable=True),
    sa.Column('benefit_rate', sa.Numeric(precision=8, scale=4), nullable=True),
    sa.Column('benefit_cap', AMOUNT, nullable=True),
    sa.Column('benefit_text', sa.String(length=200), nullable=False),
    sa.Column('is_award', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('published_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('attachment_name', sa.String(length=160), nullable=True),
    sa.Column('attachment_kind', sa.String(length=10), nullable=True),
    sa.Column('attachment', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_policy_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy'))
    )
    op.create_index(op.f('ix_policy_status'), 'policy', ['status'], unique=False)
    op.create_table('policy_budget',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', AMOUNT, nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_policy_budget_policy_id_policy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('policy_id', 'year', name=op.f('pk_policy_budget'))
    )
    op.create_table('policy_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('matched_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('notified_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('opened_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_policy_match_firm_id_firm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_policy_match_policy_id_policy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_match')),
    sa.UniqueConstraint('policy_id', 'firm_id', name=op.f('uq_policy_match_policy_id_firm_id'))
    )
    op.create_index('ix_policy_match_firm_id_status', 'policy_match', ['firm_id', 'status'], unique=False)
    op.create_table('policy_opt_out',
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('opted_out_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_policy_opt_out_firm_id_firm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_policy_opt_out_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('firm_id', name=op.f('pk_policy_opt_out'))
    )
    op.create_table('incentive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('amount', AMOUNT, nullable=False),
    sa.Column('paid_amount', AMOUNT, nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_document', sa.String(length=60), nullable=False),
    sa.Column('team_amount', AMOUNT, nullable=True),
    sa.Column('main_amount', AMOUNT, nullable=True),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_incentive_firm_id_firm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_incentive_policy_id_policy'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_incentive_track_id_track')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incentive')),
    sa.UniqueConstraint('policy_id', 'firm_id', 'year', name=op.f('uq_incentive_policy_id_firm_id_year'))
    )
    op.create_index(op.f('ix_incentive_firm_id'), 'incentive', ['firm_id'], unique=False)
    op.create_index('ix_incentive_year_status', 'incentive', ['year', 'status'], unique=False)
    op.create_table('incentive_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incentive_id', sa.Integer(), nullable=False),
    sa.Column('at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=10), nullable=True),
    sa.Column('to_status', sa.String(length=10), nullable=False),
    sa.Column('amount', AMOUNT, nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_incentive_change_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incentive_id'], ['incentive.id'], name=op.f('fk_incentive_change_incentive_id_incentive'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incentive_change'))
    )
    op.create_index(op.f('ix_incentive_change_incentive_id'), 'incentive_change', ['incentive_id'], unique=False)


def downgrade():
    op.drop_table('incentive_change')
    op.drop_table('incentive')
    op.drop_table('policy_opt_out')
    op.drop_table('policy_match')
    op.drop_table('policy_budget')
    op.drop_table('policy')
