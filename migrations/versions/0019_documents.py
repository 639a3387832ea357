"""firm documents and the workbench (issue 20): document types (seeded, the admin changes them), documents and
their versions; the officers' "done" marks on the workbench

Revision ID: 0019_documents
Revises: 0018_accounts
Create Date: 2026-12-07 14:45:00

"""
from alembic import op
import sqlalchemy as sa

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0019_documents'
down_revision = '0018_accounts'
branch_labels = None
depends_on = None

# code, name, English name, needs a fiscal year, many at once, the firm may upload
DOCUMENT_TYPES = [
    ("audit_report", "审计报告", "Audit report", True, False, True),
    ("rd_audit", "研发费用专项审计报告", "R&D expense special audit report", True, False, True),
    ("high_tech_revenue_audit", "高新收入专项审计报告", "High-tech revenue special audit report", True, False, True),
    ("ip_certificate", "知识产权证书", "IP certificate", False, True, True),
    ("business_license", "营业执照", "Business licence", False, False, True),
    ("application", "申报书", "Application form", True, False, True),
    ("photo", "照片", "Photo", False, True, True),
    ("visit_record", "走访记录表", "Visit record form", False, False, False),
]


def upgrade():
    document_type = op.create_table('document_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('needs_fiscal_year', sa.Boolean(), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('firm_may_upload', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_type')),
    sa.UniqueConstraint('code', name=op.f('uq_document_type_code'))
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=True),
    sa.Column('service_record_id', sa.Integer(), nullable=True),
    sa.Column('slot', sa.String(length=80), nullable=False),
    sa.Column('latest_number', sa.Integer(), nullable=False),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_document_firm_id_firm'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_record_id'], ['service_record.id'], name=op.f('fk_document_service_record_id_service_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['type_id'], ['document_type.id'], name=op.f('fk_document_type_id_document_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('firm_id', 'slot', name=op.f('uq_document_firm_id_slot'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_firm_id_type_id', ['firm_id', 'type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_service_record_id'), ['service_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_type_id'), ['type_id'], unique=False)

    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('dated_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_document_version_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_version_document_id_number'))
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('workbench_done',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('done_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_workbench_done_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workbench_done')),
    sa.UniqueConstraint('user_id', 'kind', 'ref_id', name=op.f('uq_workbench_done_user_id_kind_ref_id'))
    )
    op.bulk_insert(document_type, [
        dict(code=code, name=name, name_en=name_en, needs_fiscal_year=yearly, multiple=multiple,
             firm_may_upload=firm, active=True, sort_order=(index + 1) * 10)
        for index, (code, name, name_en, yearly, multiple, firm) in enumerate(DOCUMENT_TYPES)])


def downgrade():
    # IF EXISTS: a development database migrated to 0019 before the workbench table was added to it (7 Dec 2026)
    # can still go down (then up again, which adds the table).
    op.execute('DROP TABLE IF EXISTS workbench_done')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_uploaded_by_id'))
    op.drop_table('document_version')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_type_id'))
        batch_op.drop_index(batch_op.f('ix_document_service_record_id'))
        batch_op.drop_index('ix_document_firm_id_type_id')
    op.drop_table('document')
    op.drop_table('document_type')
