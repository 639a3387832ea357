"""the bureau's numbers (issue 16): how each entry into 认定 counts, yearly baselines, the expiry notice rule

Revision ID: 0017_bureau_numbers
Revises: 0016_hardening
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0017_bureau_numbers'
down_revision = '0016_hardening'
branch_labels = None
depends_on = None

# The older entries into 认定, classified as move_firm classifies new ones (pipeline.domain.stages.classify_entry):
# the record's first entry is first_time; a later one with the certificate number of the record's previous entry
# is restored (the same certificate given back); any other later one is repeat (a new certificate).
BACKFILL_ENTRY_CLASS = """
UPDATE stage_move SET entry_class = CASE
  WHEN NOT EXISTS (SELECT 1 FROM stage_move p WHERE p.firm_track_id = stage_move.firm_track_id
                     AND p.to_stage = 'certified'
                     AND (p.moved_at < stage_move.moved_at OR (p.moved_at = stage_move.moved_at AND p.id < stage_move.id)))
    THEN 'first_time'
  WHEN (SELECT p.certificate_number FROM stage_move p WHERE p.firm_track_id = stage_move.firm_track_id
          AND p.to_stage = 'certified'
          AND (p.moved_at < stage_move.moved_at OR (p.moved_at = stage_move.moved_at AND p.id < stage_move.id))
        ORDER BY p.moved_at DESC, p.id DESC LIMIT 1) = stage_move.certificate_number
    THEN 'restored'
  ELSE 'repeat' END
WHERE to_stage = 'certified'
"""


CERT_EXPIRED_RULE = {
    'code': 'cert_expired', 'enabled': True,
    'subject_template': '{企业名称}的{资格名称}资格已于{到期日期}到期',
    'body_template': '{企业名称}的{资格名称}资格（编号：{证书编号}）已于 {到期日期} 到期，系统已将其记录移至“已过期”，'
                     '此后不再计入有效的{资格名称}。\n'
                     '高新技术企业资格不能续期，需在到期当年重新申报认定；科技型中小企业入库登记编号仅当年有效，'
                     '需在本年度评价时间内重新评价登记。如已重新取得资格，请告知县科技局更新记录。'}


def upgrade():
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_class', sa.String(length=16), nullable=True))
    op.execute(BACKFILL_ENTRY_CLASS)

    op.create_table('annual_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=100), server_default='', nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_annual_baseline_track_id_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_annual_baseline_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_baseline')),
    sa.UniqueConstraint('track_id', 'year', name=op.f('uq_annual_baseline_track_id_year'))
    )

    rule = sa.table('reminder_rule', sa.column('code', sa.String), sa.column('enabled', sa.Boolean),
                    sa.column('subject_template', sa.String), sa.column('body_template', sa.Text))
    op.bulk_insert(rule, [CERT_EXPIRED_RULE])


def downgrade():
    op.execute("DELETE FROM reminder WHERE rule_code = 'cert_expired'")
    op.execute("DELETE FROM reminder_rule WHERE code = 'cert_expired'")
    op.drop_table('annual_baseline')
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.drop_column('entry_class')
