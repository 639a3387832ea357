"""firm search grams: an index of the two-character pieces of firm names and three-character pieces of credit codes

The firm list's text search is a substring match; without this table a rare term read every firm's name (150 ms at
100,000 firms). Database triggers keep the table in step with firm, so that every way a firm is written (forms,
imports, bulk loads with COPY, SQL by hand, DELETE and TRUNCATE) indexes it. No foreign key and no index by firm:
only these triggers write the table, a renamed or deleted firm's grams are found again from its old name and code,
and checking or indexing each of a firm's ~27 grams twice doubled what an import's inserts cost. Names are lower-cased in
ASCII only on both databases (SQLite's lower(); PostgreSQL's lower() under the "C" collation), so that a gram keeps
its length and the application can cut a search term the same way. On SQLite a later migration that rebuilds the firm
table (batch_alter_table) drops these triggers and must create them again.

Revision ID: 0011_firm_search_grams
Revises: 0010_dashboard_scale
Create Date: 2026-11-28 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_firm_search_grams'
down_revision = '0010_dashboard_scale'
branch_labels = None
depends_on = None

POSITIONS = 200  # firm.name is VARCHAR(200)
# Byte order on PostgreSQL: the index is only ever probed for equality, and the locale's collation made each of an
# import's index inserts twice as slow.
GRAM_TYPE = sa.String(length=3).with_variant(sa.String(length=3, collation='C'), 'postgresql')


def grams_of(dialect: str, source: str | None = None, alias: str = "NEW") -> str:
    """SELECT (gram, firm_id) of the firms in table `source` (called `alias`), or of the row NEW in a row trigger
    (source None): the bigrams of the name, lower-cased in ASCII only, and the trigrams of the credit code (stored
    upper case)."""
    name = f'lower({alias}.name COLLATE "C")' if dialect == "postgresql" else f"lower({alias}.name)"
    walk = "FROM search_position p WHERE" if source is None else f"FROM {source} {alias} JOIN search_position p ON"
    return (f"SELECT substr({name}, p.n, 2), {alias}.id {walk} p.n < length({alias}.name) "
            f"UNION SELECT substr({alias}.credit_code, p.n, 3), {alias}.id {walk} p.n <= length({alias}.credit_code) - 2")


# The statements below are built from constants only (no input reaches them).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER firm_search_gram_insert AFTER INSERT ON firm BEGIN
        INSERT OR IGNORE INTO firm_search_gram (gram, firm_id) {grams_of('sqlite')};
    END""",  # noqa: S608
    f"""CREATE TRIGGER firm_search_gram_update AFTER UPDATE OF name, credit_code ON firm BEGIN
        DELETE FROM firm_search_gram WHERE (gram, firm_id) IN ({grams_of('sqlite', alias='OLD')});
        INSERT OR IGNORE INTO firm_search_gram (gram, firm_id) {grams_of('sqlite')};
    END""",  # noqa: S608
    f"""CREATE TRIGGER firm_search_gram_delete AFTER DELETE ON firm BEGIN
        DELETE FROM firm_search_gram WHERE (gram, firm_id) IN ({grams_of('sqlite', alias='OLD')});
    END""",  # noqa: S608
]

# PostgreSQL: inserts and deletes by statement with transition tables, so that a COPY or a many-row INSERT indexes its
# firms in one set-based statement; renames by row, only when the name or the code changed (a statement trigger
# cannot name columns, and would join every UPDATE's rows). No ON CONFLICT: UNION leaves no duplicate, a new firm has
# no grams yet and a renamed one has just lost its own. No JIT: it compiled the gram query anew for every batch of an
# import (10 ms each) to save less than that.
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION firm_search_gram_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        INSERT INTO firm_search_gram (gram, firm_id) {grams_of('postgresql', 'new_rows', 'f')};
        RETURN NULL;
    END $$""",  # noqa: S608
    f"""CREATE OR REPLACE FUNCTION firm_search_gram_update() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        DELETE FROM firm_search_gram WHERE (gram, firm_id) IN ({grams_of('postgresql', alias='OLD')});
        INSERT INTO firm_search_gram (gram, firm_id) {grams_of('postgresql')};
        RETURN NULL;
    END $$""",  # noqa: S608
    f"""CREATE OR REPLACE FUNCTION firm_search_gram_delete() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        DELETE FROM firm_search_gram WHERE (gram, firm_id) IN ({grams_of('postgresql', 'old_rows', 'o')});
        RETURN NULL;
    END $$""",  # noqa: S608
    """CREATE OR REPLACE FUNCTION firm_search_gram_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE firm_search_gram;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER firm_search_gram_insert AFTER INSERT ON firm REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION firm_search_gram_insert()""",
    """CREATE TRIGGER firm_search_gram_update AFTER UPDATE OF name, credit_code ON firm FOR EACH ROW
        WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.credit_code IS DISTINCT FROM NEW.credit_code)
        EXECUTE FUNCTION firm_search_gram_update()""",
    """CREATE TRIGGER firm_search_gram_delete AFTER DELETE ON firm REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION firm_search_gram_delete()""",
    """CREATE TRIGGER firm_search_gram_truncate AFTER TRUNCATE ON firm
        FOR EACH STATEMENT EXECUTE FUNCTION firm_search_gram_truncate()""",
]
EVENTS = ('insert', 'update', 'delete', 'truncate')


def upgrade():
    positions = op.create_table(
        'search_position',
        sa.Column('n', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('n', name=op.f('pk_search_position')),
    )
    op.bulk_insert(positions, [{'n': n} for n in range(1, POSITIONS + 1)])
    op.create_table(
        'firm_search_gram',
        sa.Column('gram', GRAM_TYPE, nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('gram', 'firm_id', name=op.f('pk_firm_search_gram')),
        sqlite_with_rowid=False,
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO firm_search_gram (gram, firm_id) {grams_of(dialect, 'firm', 'f')}")
    triggers = POSTGRESQL_TRIGGERS if dialect == 'postgresql' else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for event in EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS firm_search_gram_{event}" + (" ON firm" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS firm_search_gram_{event}()")
    op.drop_table('firm_search_gram')
    op.drop_table('search_position')
