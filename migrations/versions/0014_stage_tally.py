"""stage tally: the board's per-stage counts from rows kept by triggers, not from counting a track's records

The board's column headers counted a track's records by stage (and, with a town filter, joined every firm of the
town): 11–30 ms at 100,000 firms, growing with the data. Database triggers on firm_track and firm now append one row
per change of a record's (track, town, stage): +1 into the new one, -1 out of the old one, so that every way a record
is written (moves, bulk loads with COPY, imports, SQL by hand) is counted and concurrent writers never wait on a
shared counter row. The board sums the rows of its track (and towns); recount_stage_tally() (pipeline/funnel/
tally.py, hourly and after bulk loads) replaces them by one row per track, town and stage counted from the records,
which also mends any drift. No index: the table stays a few hundred rows long between recounts, and an index
entry for each row (a random place in the tree) made a move 8% slower on SQLite. A firm's records are counted under
the firm's town: a firm that changes town moves its records' counts, and a firm deleted with its records takes them
out (before the cascade, which no longer finds the firm). On SQLite a later migration that rebuilds firm_track or
firm (batch_alter_table) drops these triggers and must create them again (tests/test_migrations.py checks the head).

Revision ID: 0014_stage_tally
Revises: 0013_board_covering_index
Create Date: 2026-11-28 18:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_stage_tally'
down_revision = '0013_board_covering_index'
branch_labels = None
depends_on = None

COLUMNS = "stage_tally (track_id, town_id, stage, records)"
RECOUNT = (f"INSERT INTO {COLUMNS} SELECT r.track_id, f.town_id, r.stage, count(*) "  # noqa: S608
           "FROM firm_track r JOIN firm f ON f.id = r.firm_id GROUP BY r.track_id, f.town_id, r.stage")

# The statements below are built from constants only (no input reaches them).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER stage_tally_record_insert AFTER INSERT ON firm_track BEGIN
        INSERT INTO {COLUMNS} SELECT NEW.track_id, town_id, NEW.stage, 1 FROM firm WHERE id = NEW.firm_id;
    END""",  # noqa: S608
    f"""CREATE TRIGGER stage_tally_record_update AFTER UPDATE OF firm_id, track_id, stage ON firm_track
        WHEN OLD.firm_id IS NOT NEW.firm_id OR OLD.track_id IS NOT NEW.track_id OR OLD.stage IS NOT NEW.stage BEGIN
        INSERT INTO {COLUMNS} SELECT OLD.track_id, town_id, OLD.stage, -1 FROM firm WHERE id = OLD.firm_id
            UNION ALL SELECT NEW.track_id, town_id, NEW.stage, 1 FROM firm WHERE id = NEW.firm_id;
    END""",  # noqa: S608
    f"""CREATE TRIGGER stage_tally_record_delete AFTER DELETE ON firm_track BEGIN
        INSERT INTO {COLUMNS} SELECT OLD.track_id, town_id, OLD.stage, -1 FROM firm WHERE id = OLD.firm_id;
    END""",  # noqa: S608
    f"""CREATE TRIGGER stage_tally_firm_town AFTER UPDATE OF town_id ON firm WHEN OLD.town_id IS NOT NEW.town_id BEGIN
        INSERT INTO {COLUMNS} SELECT track_id, OLD.town_id, stage, -1 FROM firm_track WHERE firm_id = NEW.id
            UNION ALL SELECT track_id, NEW.town_id, stage, 1 FROM firm_track WHERE firm_id = NEW.id;
    END""",  # noqa: S608
    f"""CREATE TRIGGER stage_tally_firm_delete BEFORE DELETE ON firm BEGIN
        INSERT INTO {COLUMNS} SELECT track_id, OLD.town_id, stage, -1 FROM firm_track WHERE firm_id = OLD.id;
    END""",  # noqa: S608
]

# PostgreSQL: records by statement with transition tables, so that a COPY, a bulk move or an import appends a few
# grouped rows, not one per record; a firm's delete by row, before the cascade removes its records.
CHANGED = "(o.firm_id, o.track_id, o.stage) IS DISTINCT FROM (n.firm_id, n.track_id, n.stage)"
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION stage_tally_record_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        INSERT INTO {COLUMNS} SELECT n.track_id, f.town_id, n.stage, count(*)
            FROM new_rows n JOIN firm f ON f.id = n.firm_id GROUP BY n.track_id, f.town_id, n.stage;
        RETURN NULL;
    END $$""",  # noqa: S608
    f"""CREATE OR REPLACE FUNCTION stage_tally_record_update() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        INSERT INTO {COLUMNS} SELECT track_id, town_id, stage, sum(records) FROM (
            SELECT o.track_id, f.town_id, o.stage, -1 AS records
                FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN firm f ON f.id = o.firm_id WHERE {CHANGED}
            UNION ALL SELECT n.track_id, f.town_id, n.stage, 1
                FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN firm f ON f.id = n.firm_id WHERE {CHANGED}
        ) changes GROUP BY track_id, town_id, stage HAVING sum(records) <> 0;
        RETURN NULL;
    END $$""",  # noqa: S608
    f"""CREATE OR REPLACE FUNCTION stage_tally_record_delete() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        INSERT INTO {COLUMNS} SELECT o.track_id, f.town_id, o.stage, -count(*)
            FROM old_rows o JOIN firm f ON f.id = o.firm_id GROUP BY o.track_id, f.town_id, o.stage;
        RETURN NULL;
    END $$""",  # noqa: S608
    """CREATE OR REPLACE FUNCTION stage_tally_record_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM stage_tally;
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stage_tally_firm_town() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        INSERT INTO {COLUMNS} SELECT track_id, town_id, stage, sum(records) FROM (
            SELECT r.track_id, o.town_id, r.stage, -1 AS records FROM old_firms o JOIN new_firms n ON n.id = o.id
                JOIN firm_track r ON r.firm_id = n.id WHERE o.town_id IS DISTINCT FROM n.town_id
            UNION ALL SELECT r.track_id, n.town_id, r.stage, 1 FROM old_firms o JOIN new_firms n ON n.id = o.id
                JOIN firm_track r ON r.firm_id = n.id WHERE o.town_id IS DISTINCT FROM n.town_id
        ) changes GROUP BY track_id, town_id, stage;
        RETURN NULL;
    END $$""",  # noqa: S608
    f"""CREATE OR REPLACE FUNCTION stage_tally_firm_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COLUMNS} SELECT track_id, OLD.town_id, stage, -1 FROM firm_track WHERE firm_id = OLD.id;
        RETURN OLD;
    END $$""",  # noqa: S608
    """CREATE TRIGGER stage_tally_record_insert AFTER INSERT ON firm_track REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stage_tally_record_insert()""",
    """CREATE TRIGGER stage_tally_record_update AFTER UPDATE ON firm_track
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stage_tally_record_update()""",
    """CREATE TRIGGER stage_tally_record_delete AFTER DELETE ON firm_track REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stage_tally_record_delete()""",
    """CREATE TRIGGER stage_tally_record_truncate AFTER TRUNCATE ON firm_track
        FOR EACH STATEMENT EXECUTE FUNCTION stage_tally_record_truncate()""",
    """CREATE TRIGGER stage_tally_firm_town AFTER UPDATE ON firm
        REFERENCING OLD TABLE AS old_firms NEW TABLE AS new_firms
        FOR EACH STATEMENT EXECUTE FUNCTION stage_tally_firm_town()""",
    """CREATE TRIGGER stage_tally_firm_delete BEFORE DELETE ON firm FOR EACH ROW
        EXECUTE FUNCTION stage_tally_firm_delete()""",
]
TRIGGERS = (('record_insert', 'firm_track'), ('record_update', 'firm_track'), ('record_delete', 'firm_track'),
            ('record_truncate', 'firm_track'), ('firm_town', 'firm'), ('firm_delete', 'firm'))


def upgrade():
    op.create_table(
        'stage_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=True),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_tally')),
    )
    op.execute(RECOUNT)
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS stage_tally_{name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS stage_tally_{name}()")
    op.drop_table('stage_tally')
