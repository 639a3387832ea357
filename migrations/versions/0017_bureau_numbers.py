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


# The county's two other tracks (issue 16; tracks are data: the admin can change every value on the tracks page).
# 省级科技型中小企业 (Zhejiang, RULES.md §3): 浙科发高〔2016〕88号 (and before it 浙科发高〔2002〕201号 /
# 〔2012〕286号, under which city bureaus published "拟认定为…省科技型企业" lists, e.g. Wenzhou 2016). Neither a
# fixed validity period nor a certificate-number format could be confirmed from those texts here: the province
# publishes lists per batch (公示, then 认定 under one 文号) and manages recognised firms dynamically. So the defaults
# are "长期有效" (validity_rule 'none') and no number pattern (the batch's 文号 or the firm's number, as given);
# an admin sets years or a pattern when a notice fixes them.
# 企业研发机构: levelled (县级/市级/省级/国家级: 市级/省级企业研究开发中心, 省级重点企业研究院, 省级/国家企业技术中心);
# recognitions are reviewed by the recognising body rather than expiring on a date, hence 'none' as well.
NEW_TRACKS = [
    {'code': 'prov_sme', 'name': '省级科技型中小企业', 'name_en': 'Provincial Tech-based SME (Zhejiang)',
     'short_name': '省科小', 'validity_rule': 'none', 'validity_years': None, 'number_pattern': '',
     'number_hint': '省级认定文件文号或证书编号（省里未统一编号格式）', 'sort_order': 3, 'active': True,
     'levelled': False},
    {'code': 'rd_institution', 'name': '企业研发机构', 'name_en': 'Enterprise R&D Institution',
     'short_name': '研发机构', 'validity_rule': 'none', 'validity_years': None, 'number_pattern': '',
     'number_hint': '认定文件文号（如 浙科发高〔2026〕12号）', 'sort_order': 4, 'active': True, 'levelled': True},
]
TRACK_CODES = tuple(track['code'] for track in NEW_TRACKS)

HNTE_RECERT_RULE = {
    'code': 'hnte_recert', 'enabled': True,
    'subject_template': '{企业名称}的高企证书{到期日期}到期，请在{批次截止日期}前重新申报认定',
    'body_template': '{企业名称}的高新技术企业证书（证书编号：{证书编号}）有效期至 {到期日期}。高新技术企业资格不能续期，'
                     '须在证书到期当年重新申报认定，否则需补缴已享受的税收优惠。\n'
                     '本年度申报批次将于 {批次截止日期} 截止（还有 {剩余天数} 天），请抓紧准备近三个会计年度的研发费用、'
                     '高新技术产品（服务）收入和知识产权等材料；已申报的，请告知县科技局登记为“重新认定申报中”。'}


def upgrade():
    with op.batch_alter_table('stage_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_class', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=True))
    op.execute(BACKFILL_ENTRY_CLASS)
    with op.batch_alter_table('firm_track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=True))
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('levelled', sa.Boolean(), server_default='0', nullable=False))
    track = sa.table('track', *(sa.column(name) for name in NEW_TRACKS[0]))
    op.bulk_insert(track, NEW_TRACKS)

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

    op.create_table('recognition_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('publicized_on', sa.Date(), nullable=True),
    sa.Column('recognized_on', sa.Date(), nullable=True),
    sa.Column('document_number', sa.String(length=32), server_default='', nullable=False),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_recognition_batch_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_recognition_batch_track_id_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_batch')),
    sa.UniqueConstraint('track_id', 'name', name=op.f('uq_recognition_batch_track_id_name'))
    )
    with op.batch_alter_table('recognition_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_batch_track_id'), ['track_id'], unique=False)
    op.create_table('recognition_batch_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('firm_track_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['recognition_batch.id'], name=op.f('fk_recognition_batch_entry_batch_id_recognition_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['firm_track_id'], ['firm_track.id'], name=op.f('fk_recognition_batch_entry_firm_track_id_firm_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_batch_entry')),
    sa.UniqueConstraint('batch_id', 'firm_track_id', name=op.f('uq_recognition_batch_entry_batch_id_firm_track_id'))
    )
    with op.batch_alter_table('recognition_batch_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_batch_entry_firm_track_id'), ['firm_track_id'], unique=False)

    rule = sa.table('reminder_rule', sa.column('code', sa.String), sa.column('enabled', sa.Boolean),
                    sa.column('subject_template', sa.String), sa.column('body_template', sa.Text))
    op.bulk_insert(rule, [CERT_EXPIRED_RULE, HNTE_RECERT_RULE])


def downgrade():
    op.drop_table('recognition_batch_entry')
    op.drop_table('recognition_batch')
    op.execute("DELETE FROM reminder WHERE rule_code IN ('cert_expired', 'hnte_recert')")
    op.execute("DELETE FROM reminder_rule WHERE code IN ('cert_expired', 'hnte_recert')")
    codes = ", ".join(f"'{code}'" for code in TRACK_CODES)
    for table in ('certificate', 'stage_move', 'firm_track', 'pool_counter', 'annual_target', 'stage_tally'):
        op.execute(f"DELETE FROM {table} WHERE track_id IN (SELECT id FROM track WHERE code IN ({codes}))")
    op.execute(f"DELETE FROM track WHERE code IN ({codes})")
    op.drop_table('annual_baseline')
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of firm_track would break the stage-tally
    # triggers of migration 0014, which name the table.
    for table, column in (('track', 'levelled'), ('firm_track', 'level'), ('stage_move', 'level'),
                          ('stage_move', 'entry_class')):
        op.drop_column(table, column)
