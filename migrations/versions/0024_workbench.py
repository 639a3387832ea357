"""workbench and documents (issue 20): what the 100,000-firm workbench and the gap list need

The workbench counts an officer's to-dos exactly: records quiet past their stage's days, certificates expiring
within 90 days, records in 培育 before a deadline, of the firms the officer looks after (firm.officer_id) or of the
towns they are limited to. Those are firm columns, and counting 11,000 stale and 37,000 expiring records at 100,000
firms by probing each record's firm took 150–350 ms. So each record carries its firm's town_id and officer_id,
copied by database triggers (as the stage tally's and the search index's: every way a record or a firm is written
keeps them, bulk loads with COPY included), and four indexes give each count from one index range per stage, officer
and town, without reading a row: ~1 ms per 10,000 records. The firm submissions waiting for an officer (a few among
300,000 rows of figures) get partial indexes of their own: SQLite's statistics saw one value of source and status in
a county without submissions and read the whole table (220 ms) to count none.

The copies are the firm's, never written by the app: a new record takes its firm's (SQLite after the insert,
PostgreSQL before it), a firm whose town or officer changes passes it to its records (by statement on PostgreSQL, so
a bulk reassignment is one UPDATE). ALTER TABLE ADD COLUMN keeps firm_track's other triggers on SQLite (no batch
copy).

Revision ID: 0024_workbench
Revises: 0023_policies
Create Date: 2026-12-07 17:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024_workbench'
down_revision = '0023_policies'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_firm_track_officer_id_stage_last_activity_at': ['officer_id', 'stage', 'last_activity_at', 'track_id'],
    'ix_firm_track_town_id_stage_last_activity_at': ['town_id', 'stage', 'last_activity_at', 'officer_id', 'track_id'],
    'ix_firm_track_officer_id_stage_expires_on': ['officer_id', 'stage', 'expires_on'],
    'ix_firm_track_town_id_stage_expires_on': ['town_id', 'stage', 'expires_on', 'officer_id'],
}
PENDING = "source = 'firm' AND status = 'pending'"
COPY = ("UPDATE firm_track SET town_id = (SELECT town_id FROM firm WHERE firm.id = firm_track.firm_id), "
        "officer_id = (SELECT officer_id FROM firm WHERE firm.id = firm_track.firm_id)")

# The statements below are built from constants only (no input reaches them).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER firm_track_scope_record AFTER INSERT ON firm_track BEGIN
        UPDATE firm_track SET (town_id, officer_id) = (SELECT town_id, officer_id FROM firm WHERE id = NEW.firm_id)
            WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER firm_track_scope_record_firm AFTER UPDATE OF firm_id ON firm_track
        WHEN OLD.firm_id IS NOT NEW.firm_id BEGIN
        UPDATE firm_track SET (town_id, officer_id) = (SELECT town_id, officer_id FROM firm WHERE id = NEW.firm_id)
            WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER firm_track_scope_firm AFTER UPDATE OF town_id, officer_id ON firm
        WHEN OLD.town_id IS NOT NEW.town_id OR OLD.officer_id IS NOT NEW.officer_id BEGIN
        UPDATE firm_track SET town_id = NEW.town_id, officer_id = NEW.officer_id WHERE firm_id = NEW.id;
    END""",
]
POSTGRESQL_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION firm_track_scope_record() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT town_id, officer_id INTO NEW.town_id, NEW.officer_id FROM firm WHERE id = NEW.firm_id;
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION firm_track_scope_firm() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        UPDATE firm_track r SET town_id = n.town_id, officer_id = n.officer_id
            FROM old_firms o JOIN new_firms n ON n.id = o.id
            WHERE r.firm_id = n.id AND (o.town_id, o.officer_id) IS DISTINCT FROM (n.town_id, n.officer_id);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER firm_track_scope_record BEFORE INSERT OR UPDATE OF firm_id ON firm_track
        FOR EACH ROW EXECUTE FUNCTION firm_track_scope_record()""",
    """CREATE TRIGGER firm_track_scope_firm AFTER UPDATE ON firm
        REFERENCING OLD TABLE AS old_firms NEW TABLE AS new_firms
        FOR EACH STATEMENT EXECUTE FUNCTION firm_track_scope_firm()""",
]
TRIGGERS = {'sqlite': [('firm_track_scope_record', 'firm_track'), ('firm_track_scope_record_firm', 'firm_track'),
                       ('firm_track_scope_firm', 'firm')],
            'postgresql': [('firm_track_scope_record', 'firm_track'), ('firm_track_scope_firm', 'firm')]}


def upgrade():
    op.add_column('firm_track', sa.Column('town_id', sa.Integer(), nullable=True))
    op.add_column('firm_track', sa.Column('officer_id', sa.Integer(), nullable=True))
    op.execute(COPY)
    for name, columns in INDEXES.items():
        op.create_index(name, 'firm_track', columns, unique=False)
    for table in ('firm_year', 'firm_facts'):
        op.create_index(f'ix_{table}_pending', table, ['updated_at', 'id'], unique=False,
                        sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))
    for statement in POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table in TRIGGERS[dialect]:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == 'postgresql' else ""))
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS firm_track_scope_record()")
        op.execute("DROP FUNCTION IF EXISTS firm_track_scope_firm()")
    for table in ('firm_year', 'firm_facts'):
        op.drop_index(f'ix_{table}_pending', table_name=table)
    for name in INDEXES:
        op.drop_index(name, table_name='firm_track')
    for column in ('officer_id', 'town_id'):  # SQLite ≥ 3.35 drops a column in place, keeping the table's triggers
        op.execute(f"ALTER TABLE firm_track DROP COLUMN {column}")
