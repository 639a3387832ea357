"""firm list (issue 21): pinyin order and search

Revision ID: 0025_firm_list
Revises: 0024_workbench
Create Date: 2026-12-07 17:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import pipeline.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0025_firm_list'
down_revision = '0024_workbench'
branch_labels = None
depends_on = None


BATCH = 2000


def upgrade():
    # The firm list sorts names by pinyin: a stored key (pipeline/firms/sort_key.py), filled here for every firm.
    # A plain ADD COLUMN: batch_alter_table would rebuild the table on SQLite and lose the search triggers (0011).
    op.add_column('firm', sa.Column('name_sort_key', sa.String(length=255), nullable=False, server_default=''))
    _fill_sort_keys()
    op.create_index('ix_firm_name_sort_key_id', 'firm', ['name_sort_key', 'id'], unique=False)
    op.create_index('ix_firm_town_id_name_sort_key_id', 'firm', ['town_id', 'name_sort_key', 'id'], unique=False)


def _fill_sort_keys():
    from pipeline.firms.sort_key import name_sort_key

    bind = op.get_bind()
    firm = sa.table('firm', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('name_sort_key', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(firm.c.id, firm.c.name).where(firm.c.id > last).order_by(firm.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        bind.execute(firm.update().where(firm.c.id == sa.bindparam('firm_id')).values(name_sort_key=sa.bindparam('key')),
                     [{'firm_id': firm_id, 'key': name_sort_key(name)} for firm_id, name in rows])
        last = rows[-1][0]


def downgrade():
    op.drop_index('ix_firm_town_id_name_sort_key_id', table_name='firm')
    op.drop_index('ix_firm_name_sort_key_id', table_name='firm')
    op.execute('ALTER TABLE firm DROP COLUMN name_sort_key')  # native on SQLite ≥ 3.35, keeps the triggers
