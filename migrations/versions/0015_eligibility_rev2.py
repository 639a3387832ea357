"""eligibility revision 2: negative net assets, unknown conversions, acquired-only IP, the 2022 科小 conditions

- firm_year: net assets may be negative (a loss-making firm is evaluated), so the amounts check no longer names them.
- firm_facts: conversions_3y may be NULL (not known: the engine scores the part as a range, not as 0); existing
  zeros stay zeros, since an old row cannot tell a typed 0 from a blank. New yes/no facts ip_acquired_only,
  deemed_taxation (核定征收) and excluded_industry (财税〔2015〕119号), false for every existing row.

Revision ID: 0015_eligibility_rev2
Revises: 0014_stage_tally
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_eligibility_rev2'
down_revision = '0014_stage_tally'
branch_labels = None
depends_on = None

NEW_FLAGS = ('ip_acquired_only', 'deemed_taxation', 'excluded_industry')


def upgrade():
    with op.batch_alter_table('firm_year', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_firm_year_amounts_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_firm_year_amounts_not_negative'),
                                         'sales >= 0 AND cost_expense >= 0 AND total_assets >= 0')
    with op.batch_alter_table('firm_facts', schema=None) as batch_op:
        batch_op.alter_column('conversions_3y', existing_type=sa.Integer(), nullable=True)
        for name in NEW_FLAGS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.execute("UPDATE firm_facts SET conversions_3y = 0 WHERE conversions_3y IS NULL")
    op.execute("UPDATE firm_year SET net_assets = 0 WHERE net_assets < 0")
    with op.batch_alter_table('firm_facts', schema=None) as batch_op:
        for name in reversed(NEW_FLAGS):
            batch_op.drop_column(name)
        batch_op.alter_column('conversions_3y', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('firm_year', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_firm_year_amounts_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_firm_year_amounts_not_negative'),
                                         'sales >= 0 AND cost_expense >= 0 AND total_assets >= 0 AND net_assets >= 0')
