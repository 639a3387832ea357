"""dashboard aggregates (issue 23): the dashboard counts a period's moves from tallies kept by triggers

The dashboard counted a period's moves (entries and departures per stage, exits per reason, the 12-month trend, the
towns' and industries' flows, the bureau's 新增 by class) by reading every move of the period: 0.5–1 s for a year at
100,000 firms, growing with the county. Triggers on stage_move and firm now keep, in the same transaction as every
write of a move (a move, a bulk move, an import, the expiry job, the bulk builder's bulk insert, SQL by hand):

- stage_move_day: the moves of each bureau day (UTC+8, Asia/Shanghai) per track, from- and to-stage, reason, entry
  class, certificate issue year and level;
- stage_move_place: the moves into 入库 and 认定 of each bureau month per track, the firm's town and industry and the
  year for which the move is a 新增 (0: none); a firm that changes town or industry takes its moves along, a deleted
  firm takes them out (before the cascade, which no longer finds the firm);
- stage_move_pair: every two moves of one record into the same stage (kind 'in') or out of the same stage ('out'),
  the later and the earlier by time. A record that moves into a stage twice within a period counts once: these pairs
  tell by how much a period's sums exceed its distinct records.

Days and months are those of UTC+8 (China has no daylight saving time). A period whose edges are not such midnights
reads its partial days from stage_move itself (pipeline/dashboard/tallies.py), so the counts stay exact in any zone.
Key columns hold '' and 0 for "none", so that one unique index serves the upserts on both databases (NULLs would
never conflict). The upgrade counts the existing history. SQLite: per row; PostgreSQL: per statement, with
transition tables, so that a bulk insert upserts grouped rows.

Revision ID: 0026_dashboard_aggregates
Revises: 0025_firm_list
Create Date: 2026-12-07 21:20:00

"""
# ruff: noqa: S608 (every statement is built from the constants of this file; no input reaches them)
import sqlalchemy as sa
from alembic import op

import pipeline.db

# revision identifiers, used by Alembic.
revision = '0026_dashboard_aggregates'
down_revision = '0025_firm_list'
branch_labels = None
depends_on = None

PLACE_STAGES = "('pool', 'certified')"
COUNTED_LEVELS = "('city', 'province', 'national')"  # pipeline.domain.stages.COUNTED_LEVELS
DAY_KEY = "day, track_id, to_stage, from_stage, reason_code, entry_class, issued_year, level"
PLACE_KEY = "month, track_id, to_stage, town_id, industry_id, first_year"
PAIR_COLUMNS = ("firm_id, firm_track_id, track_id, kind, stage, later_id, earlier_id, later_at, earlier_at, "
                "later_reason, earlier_reason, later_class, earlier_class, later_issued_year, earlier_issued_year, "
                "later_level, earlier_level")
NONE = "''"


class _Sql:
    """SQL text for one dialect; every statement is built from constants only (no input reaches it)."""

    def __init__(self, dialect):
        self.pg = dialect == 'postgresql'

    def day(self, column):
        return f"CAST({column} + INTERVAL '8 hours' AS DATE)" if self.pg else f"date({column}, '+8 hours')"

    def month(self, column):
        return (f"CAST(date_trunc('month', {column} + INTERVAL '8 hours') AS DATE)" if self.pg
                else f"date({column}, '+8 hours', 'start of month')")

    def year(self, column):
        return (f"coalesce(CAST(extract(year FROM {column}) AS INTEGER), 0)" if self.pg
                else f"coalesce(CAST(strftime('%Y', {column}) AS INTEGER), 0)")

    def first_year(self, m):
        """The year for which move `m` is a 新增 (its certificate's issue year), 0 for every other move."""
        return (f"CASE WHEN {m}.to_stage = 'certified' AND {m}.entry_class = 'first_time' AND ({m}.level IS NULL "
                f"OR {m}.level IN {COUNTED_LEVELS}) THEN {self.year(f'{m}.issued_on')} ELSE 0 END")

    def day_rows(self, m, source, sign):
        """(DAY_KEY, moves) of the moves `m` of `source`."""
        return (f"SELECT {self.day(f'{m}.moved_at')} AS day, {m}.track_id AS track_id, {m}.to_stage AS to_stage, "
                f"coalesce({m}.from_stage, {NONE}) AS from_stage, coalesce({m}.reason_code, {NONE}) AS reason_code, "
                f"coalesce({m}.entry_class, {NONE}) AS entry_class, {self.year(f'{m}.issued_on')} AS issued_year, "
                f"coalesce({m}.level, {NONE}) AS level, {sign} AS moves FROM {source}")

    def place_rows(self, m, source, town, industry, sign, where="true"):
        """(PLACE_KEY, moves) of the moves `m` of `source` into 入库 and 认定, in the town and industry given."""
        return (f"SELECT {self.month(f'{m}.moved_at')} AS month, {m}.track_id AS track_id, {m}.to_stage AS to_stage, "
                f"coalesce({town}, 0) AS town_id, coalesce({industry}, 0) AS industry_id, "
                f"{self.first_year(m)} AS first_year, {sign} AS moves FROM {source} "
                f"WHERE {m}.to_stage IN {PLACE_STAGES} AND ({where})")

    def pair_rows(self, n, source, where):
        """PAIR_COLUMNS of each move `n` of `source` with each earlier-inserted move o of its record that went into
        (or out of) the same stage; each pair is written once, by the later-inserted of its two moves."""
        later = f"(o.moved_at > {n}.moved_at OR (o.moved_at = {n}.moved_at AND o.id > {n}.id))"

        def pick(value):  # (the later move's, the earlier move's)
            first, second = value("o"), value(n)
            return f"CASE WHEN {later} THEN {first} ELSE {second} END, CASE WHEN {later} THEN {second} ELSE {first} END"

        return (f"SELECT {n}.firm_id, {n}.firm_track_id, {n}.track_id, k.kind, "
                f"CASE k.kind WHEN 'in' THEN {n}.to_stage ELSE {n}.from_stage END, "
                f"{pick(lambda m: f'{m}.id')}, {pick(lambda m: f'{m}.moved_at')}, "
                f"{pick(lambda m: f'coalesce({m}.reason_code, {NONE})')}, "
                f"{pick(lambda m: f'coalesce({m}.entry_class, {NONE})')}, "
                f"{pick(lambda m: self.year(f'{m}.issued_on'))}, {pick(lambda m: f'coalesce({m}.level, {NONE})')} "
                f"FROM {source} JOIN stage_move o ON o.firm_track_id = {n}.firm_track_id AND o.id < {n}.id "
                f"JOIN (SELECT 'in' AS kind UNION ALL SELECT 'out') k "
                f"ON (k.kind = 'in' AND o.to_stage = {n}.to_stage) OR (k.kind = 'out' AND o.from_stage = {n}.from_stage) "
                f"WHERE {where}")


def _upsert(table, key, rows_sql):
    """Add the summed rows to the table's counts (one row per key, made when missing)."""
    return (f"INSERT INTO {table} ({key}, moves) SELECT {key}, sum(moves) FROM ({rows_sql}) changes "
            f"WHERE true GROUP BY {key} ON CONFLICT ({key}) DO UPDATE SET moves = {table}.moves + excluded.moves")


def _backfill(sql):
    return [_upsert("stage_move_day", DAY_KEY, sql.day_rows("m", "stage_move m", 1)),
            _upsert("stage_move_place", PLACE_KEY,
                    sql.place_rows("m", "stage_move m JOIN firm f ON f.id = m.firm_id", "f.town_id", "f.industry_id", 1)),
            f"INSERT INTO stage_move_pair ({PAIR_COLUMNS}) {sql.pair_rows('n', 'stage_move n', 'true')}"]


def _sqlite_triggers(sql):
    # One row at a time: NEW and OLD are the move; a SELECT … FROM (SELECT 1) reads their values as a one-row table.
    one = "(SELECT 1) one"
    moved_place = (f"{sql.place_rows('m', 'stage_move m', 'OLD.town_id', 'OLD.industry_id', -1, 'm.firm_id = NEW.id')} "
                   f"UNION ALL {sql.place_rows('m', 'stage_move m', 'NEW.town_id', 'NEW.industry_id', 1, 'm.firm_id = NEW.id')}")
    return [
        f"""CREATE TRIGGER stage_move_tally_insert AFTER INSERT ON stage_move BEGIN
            {_upsert('stage_move_day', DAY_KEY, sql.day_rows('NEW', one, 1))};
            {_upsert('stage_move_place', PLACE_KEY, sql.place_rows('NEW', f'{one} JOIN firm f ON f.id = NEW.firm_id', 'f.town_id', 'f.industry_id', 1))};
            INSERT INTO stage_move_pair ({PAIR_COLUMNS}) {sql.pair_rows('NEW', one, 'true')};
        END""",
        f"""CREATE TRIGGER stage_move_tally_delete AFTER DELETE ON stage_move BEGIN
            {_upsert('stage_move_day', DAY_KEY, sql.day_rows('OLD', one, -1))};
            {_upsert('stage_move_place', PLACE_KEY, sql.place_rows('OLD', f'{one} JOIN firm f ON f.id = OLD.firm_id', 'f.town_id', 'f.industry_id', -1))};
            DELETE FROM stage_move_pair WHERE firm_track_id = OLD.firm_track_id AND (later_id = OLD.id OR earlier_id = OLD.id);
        END""",
        f"""CREATE TRIGGER stage_move_tally_firm_place AFTER UPDATE OF town_id, industry_id ON firm
            WHEN OLD.town_id IS NOT NEW.town_id OR OLD.industry_id IS NOT NEW.industry_id BEGIN
            {_upsert('stage_move_place', PLACE_KEY, moved_place)};
        END""",
        f"""CREATE TRIGGER stage_move_tally_firm_delete BEFORE DELETE ON firm BEGIN
            {_upsert('stage_move_place', PLACE_KEY, sql.place_rows('m', 'stage_move m', 'OLD.town_id', 'OLD.industry_id', -1, 'm.firm_id = OLD.id'))};
        END""",
    ]


def _postgresql_triggers(sql):
    def function(name, body, returns="NULL"):
        return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$ "
                f"BEGIN {body}; RETURN {returns}; END $$")

    moved_place = (
        f"{sql.place_rows('m', 'old_firms o JOIN new_firms n ON n.id = o.id JOIN stage_move m ON m.firm_id = n.id', 'o.town_id', 'o.industry_id', -1, 'o.town_id IS DISTINCT FROM n.town_id OR o.industry_id IS DISTINCT FROM n.industry_id')} "
        f"UNION ALL {sql.place_rows('m', 'old_firms o JOIN new_firms n ON n.id = o.id JOIN stage_move m ON m.firm_id = n.id', 'n.town_id', 'n.industry_id', 1, 'o.town_id IS DISTINCT FROM n.town_id OR o.industry_id IS DISTINCT FROM n.industry_id')}")
    return [
        function("stage_move_tally_insert", "; ".join([
            _upsert('stage_move_day', DAY_KEY, sql.day_rows('m', 'new_rows m', 1)),
            _upsert('stage_move_place', PLACE_KEY, sql.place_rows('m', 'new_rows m JOIN firm f ON f.id = m.firm_id', 'f.town_id', 'f.industry_id', 1)),
            f"INSERT INTO stage_move_pair ({PAIR_COLUMNS}) {sql.pair_rows('n', 'new_rows n', 'true')}"])),
        function("stage_move_tally_delete", "; ".join([
            _upsert('stage_move_day', DAY_KEY, sql.day_rows('m', 'old_rows m', -1)),
            _upsert('stage_move_place', PLACE_KEY, sql.place_rows('m', 'old_rows m JOIN firm f ON f.id = m.firm_id', 'f.town_id', 'f.industry_id', -1)),
            "DELETE FROM stage_move_pair p USING old_rows o WHERE p.firm_track_id = o.firm_track_id "
            "AND (p.later_id = o.id OR p.earlier_id = o.id)"])),
        function("stage_move_tally_truncate",
                 "DELETE FROM stage_move_day; DELETE FROM stage_move_place; DELETE FROM stage_move_pair"),
        function("stage_move_tally_firm_place", _upsert('stage_move_place', PLACE_KEY, moved_place)),
        function("stage_move_tally_firm_delete", _upsert('stage_move_place', PLACE_KEY, sql.place_rows('m', 'stage_move m', 'OLD.town_id', 'OLD.industry_id', -1, 'm.firm_id = OLD.id')), "OLD"),
        """CREATE TRIGGER stage_move_tally_insert AFTER INSERT ON stage_move REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION stage_move_tally_insert()""",
        """CREATE TRIGGER stage_move_tally_delete AFTER DELETE ON stage_move REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION stage_move_tally_delete()""",
        """CREATE TRIGGER stage_move_tally_truncate AFTER TRUNCATE ON stage_move
            FOR EACH STATEMENT EXECUTE FUNCTION stage_move_tally_truncate()""",
        """CREATE TRIGGER stage_move_tally_firm_place AFTER UPDATE ON firm
            REFERENCING OLD TABLE AS old_firms NEW TABLE AS new_firms
            FOR EACH STATEMENT EXECUTE FUNCTION stage_move_tally_firm_place()""",
        """CREATE TRIGGER stage_move_tally_firm_delete BEFORE DELETE ON firm FOR EACH ROW
            EXECUTE FUNCTION stage_move_tally_firm_delete()""",
    ]


TRIGGERS = (('insert', 'stage_move'), ('delete', 'stage_move'), ('truncate', 'stage_move'), ('firm_place', 'firm'),
            ('firm_delete', 'firm'))


def upgrade():
    op.create_table(
        'stage_move_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('to_stage', sa.String(length=16), nullable=False),
        sa.Column('from_stage', sa.String(length=16), nullable=False),
        sa.Column('reason_code', sa.String(length=32), nullable=False),
        sa.Column('entry_class', sa.String(length=16), nullable=False),
        sa.Column('issued_year', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('moves', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_move_day')),
    )
    op.create_index('ux_stage_move_day_key', 'stage_move_day', DAY_KEY.split(", "), unique=True)
    op.create_table(
        'stage_move_place',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('to_stage', sa.String(length=16), nullable=False),
        sa.Column('town_id', sa.Integer(), nullable=False),
        sa.Column('industry_id', sa.Integer(), nullable=False),
        sa.Column('first_year', sa.Integer(), nullable=False),
        sa.Column('moves', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_move_place')),
    )
    op.create_index('ux_stage_move_place_key', 'stage_move_place', PLACE_KEY.split(", "), unique=True)
    op.create_table(
        'stage_move_pair',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.Column('firm_track_id', sa.Integer(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=3), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('later_id', sa.Integer(), nullable=False),
        sa.Column('earlier_id', sa.Integer(), nullable=False),
        sa.Column('later_at', pipeline.db.UTCDateTime(), nullable=False),
        sa.Column('earlier_at', pipeline.db.UTCDateTime(), nullable=False),
        sa.Column('later_reason', sa.String(length=32), nullable=False),
        sa.Column('earlier_reason', sa.String(length=32), nullable=False),
        sa.Column('later_class', sa.String(length=16), nullable=False),
        sa.Column('earlier_class', sa.String(length=16), nullable=False),
        sa.Column('later_issued_year', sa.Integer(), nullable=False),
        sa.Column('earlier_issued_year', sa.Integer(), nullable=False),
        sa.Column('later_level', sa.String(length=16), nullable=False),
        sa.Column('earlier_level', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_move_pair')),
    )
    op.create_index('ix_stage_move_pair_earlier_at_later_at', 'stage_move_pair', ['earlier_at', 'later_at'])
    op.create_index('ix_stage_move_pair_firm_track_id', 'stage_move_pair', ['firm_track_id'])
    sql = _Sql(op.get_bind().dialect.name)
    for statement in _backfill(sql):
        op.execute(statement)
    for statement in _postgresql_triggers(sql) if sql.pg else _sqlite_triggers(sql):
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS stage_move_tally_{name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS stage_move_tally_{name}()")
    for table in ('stage_move_pair', 'stage_move_place', 'stage_move_day'):
        op.drop_table(table)
