"""tenancy (issue 24): the authority tree, every county-owned row's county, row-level security on PostgreSQL

Revision ID: 0028_tenancy
Revises: 0027_page_indexes
Create Date: 2026-12-08 00:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_tenancy'
down_revision = '0027_page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'authority',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=True),
        sa.Column('bureau_name', sa.String(length=100), server_default='', nullable=False),
        sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['authority.id'], name=op.f('fk_authority_parent_id_authority')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authority')),
        sa.UniqueConstraint('code', name=op.f('uq_authority_code')),
    )
    op.create_index(op.f('ix_authority_parent_id'), 'authority', ['parent_id'])
    # Today's bureau becomes the installation's one county (id 1); its name comes from PIPELINE_AUTHORITY_NAME
    # until an admin gives it one.
    op.execute("INSERT INTO authority (id, parent_id, level, name, code, bureau_name, sort_order) "
               "VALUES (1, NULL, 'county', '本县', NULL, '', 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('authority', 'id'), 1)")


def downgrade():
    op.drop_index(op.f('ix_authority_parent_id'), table_name='authority')
    op.drop_table('authority')
