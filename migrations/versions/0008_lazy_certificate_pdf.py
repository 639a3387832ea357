"""certificates: the PDF is rendered on first use, so a copy may be stored without PDF and hash

Issuing (a move into 入库, a bulk move, the bulk county) creates the row only; the PDF is rendered and stored when it
is first downloaded or zipped. An index on certificate.firm_track_id: finding a record's valid copy with the status
as a bound parameter cannot use the partial unique index on SQLite, which scanned the table on every move into 入库.

Downgrade: the earlier schema needs a PDF on every row. It refuses while copies without a PDF exist: they are real
certificates (download them first, or delete them knowingly, then downgrade).

Revision ID: 0008_lazy_certificate_pdf
Revises: 0007_track_name_en
Create Date: 2026-11-28 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_lazy_certificate_pdf'
down_revision = '0007_track_name_en'
branch_labels = None
depends_on = None

certificate = sa.table('certificate', sa.column('pdf_sha256', sa.String))


def _set_nullable(nullable: bool) -> None:
    # SQLite copies the table in batch mode, and its reflection does not keep the WHERE of the partial unique index:
    # drop it before and create it again after.
    op.drop_index('ix_certificate_one_valid', table_name='certificate')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=nullable)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=nullable)
    op.create_index('ix_certificate_one_valid', 'certificate', ['firm_track_id', 'kind'], unique=True,
                    sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))


def upgrade():
    _set_nullable(True)
    op.create_index(op.f('ix_certificate_firm_track_id'), 'certificate', ['firm_track_id'], unique=False)


def downgrade():
    # The older schema needs a PDF in every row. Copies never rendered are still real certificates (their verify
    # codes may be printed or shared): refuse rather than delete them; download them first, or delete them on purpose.
    unrendered = op.get_bind().execute(
        sa.select(sa.func.count()).select_from(certificate).where(certificate.c.pdf_sha256.is_(None))).scalar()
    if unrendered:
        raise RuntimeError(f"{unrendered} 份证书尚未生成 PDF，不能降级到 0007（旧版本要求每份证书都有 PDF）："
                           f"请先下载生成，或确认后删除 pdf_sha256 为空的证书再降级。")
    op.drop_index(op.f('ix_certificate_firm_track_id'), table_name='certificate')
    _set_nullable(False)
