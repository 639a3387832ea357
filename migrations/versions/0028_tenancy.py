"""tenancy (issue 24): the authority tree, every county-owned row's county, row-level security on PostgreSQL

- authority: province → city → county. Today's bureau becomes county 1.
- county_id on the tables whose rows belong to a county on their own (firms, towns, records, moves, targets, …);
  user.authority_id (city and province users belong to no county). Rows that hang off one of these (a firm's
  indicators, a document's versions, a user's settings) are reached through it.
- Keys that were the county's become keys per county: town and industry names, the targets, the baselines, the
  pool number counters, the recognition batches' names, the monthly report's month, the day tally of moves.
- PostgreSQL: row-level security on every county-owned table and every table that hangs off one. A request runs as
  the role pipeline_tenant with pipeline.authority_ids set to its scope (pipeline/tenancy/scope.py); the owner
  (migrations, the scheduler's system work) is not subject to the policies.

Revision ID: 0028_tenancy
Revises: 0027_page_indexes
Create Date: 2026-12-08 00:20:00

"""
import importlib.util
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_tenancy'
down_revision = '0027_page_indexes'
branch_labels = None
depends_on = None

TENANT_ROLE = "pipeline_tenant"  # pipeline.tenancy.scope.TENANT_ROLE
# county_id NOT NULL; existing rows are county 1's.
COUNTY_TABLES = ("town", "industry", "firm", "firm_track", "stage_move", "policy", "recognition_batch",
                 "certificate_batch", "monthly_report", "report_render", "annual_target", "annual_baseline",
                 "pool_counter", "outbox_message", "channel_message", "reminder", "stage_move_day")
OPTIONAL_COUNTY_TABLES = ("audit_event",)  # a failed login of an unknown name belongs to no county
# Tables reached through a parent: table → (column, parent table).
CHILD_TABLES = {
    "firm_year": ("firm_id", "firm"), "firm_facts": ("firm_id", "firm"), "ip_item": ("firm_id", "firm"),
    "certificate": ("firm_id", "firm"), "annual_report_filing": ("firm_id", "firm"),
    "policy_match": ("firm_id", "firm"), "policy_opt_out": ("firm_id", "firm"), "incentive": ("firm_id", "firm"),
    "firm_edit": ("firm_id", "firm"), "service_record": ("firm_id", "firm"), "document": ("firm_id", "firm"),
    "stage_move_pair": ("firm_id", "firm"), "ip_item_use": ("ip_item_id", "ip_item"),
    "document_version": ("document_id", "document"), "incentive_change": ("incentive_id", "incentive"),
    "policy_budget": ("policy_id", "policy"), "outbox_attachment": ("message_id", "outbox_message"),
    "recognition_batch_entry": ("batch_id", "recognition_batch"), "stage_tally": ("town_id", "town"),
    "stage_move_place": ("town_id", "town"), "notice_choice": ("user_id", "user"), "user_mobile": ("user_id", "user"),
    "account_token": ("user_id", "user"), "recovery_code": ("user_id", "user"), "workbench_done": ("user_id", "user"),
    "import_batch": ("user_id", "user"), "user_town": ("user_id", "user"),
}
# Keys per county: (table, old constraint, its columns, kind); the new one puts county_id first.
PER_COUNTY_KEYS = (
    ("town", "uq_town_name", ["name"]),
    ("industry", "uq_industry_name", ["name"]),
    ("monthly_report", "uq_monthly_report_month", ["month"]),
    ("annual_target", "uq_annual_target_track_id_year_town_id", ["track_id", "year", "town_id"]),
    ("annual_baseline", "uq_annual_baseline_track_id_year", ["track_id", "year"]),
    ("recognition_batch", "uq_recognition_batch_track_id_name", ["track_id", "name"]),
)
SCOPE_FUNCTION = """CREATE OR REPLACE FUNCTION pipeline_scope() RETURNS int[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('pipeline.authority_ids', true), '')::int[], '{}'::int[]) $$"""

DEFAULT_COUNTY_FUNCTION = """CREATE OR REPLACE FUNCTION pipeline_default_county() RETURNS int LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM authority WHERE level = 'county' $$"""


def _dashboard_module():
    """Migration 0026's trigger builder: the day tally's triggers are made again with county_id in its key."""
    path = Path(__file__).with_name("0026_dashboard_aggregates.py")
    spec = importlib.util.spec_from_file_location("migration_0026", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _remake_day_tally(with_county: bool):
    module = _dashboard_module()
    dialect = op.get_bind().dialect.name
    if with_county:
        module.DAY_KEY = "county_id, " + module.DAY_KEY
        day_rows = module._Sql.day_rows

        def county_day_rows(self, m, source, sign):
            return day_rows(self, m, source, sign).replace(" AS day, ", f" AS day, {m}.county_id AS county_id, ", 1)

        module._Sql.day_rows = county_day_rows
    sql = module._Sql(dialect)
    for name, table in module.TRIGGERS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS stage_move_tally_{name} ON {table}")
        elif name != "truncate":
            op.execute(f"DROP TRIGGER IF EXISTS stage_move_tally_{name}")
    op.drop_index("ux_stage_move_day_key", table_name="stage_move_day")
    op.create_index("ux_stage_move_day_key", "stage_move_day", module.DAY_KEY.split(", "), unique=True)
    triggers = module._postgresql_triggers(sql) if dialect == "postgresql" else module._sqlite_triggers(sql)
    for statement in triggers:
        op.execute(statement)


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
    # Today's bureau becomes the installation's one county (id 1); its name on PDFs stays PIPELINE_AUTHORITY_NAME
    # until an admin gives it one.
    op.execute("INSERT INTO authority (id, parent_id, level, name, code, bureau_name, sort_order) "
               "VALUES (1, NULL, 'county', '本县', NULL, '', 0)")
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("SELECT setval(pg_get_serial_sequence('authority', 'id'), 1)")
    # Plain ADD COLUMN (no table copy on SQLite: firm, firm_track and stage_move carry triggers that a copy drops).
    for table in COUNTY_TABLES:
        op.add_column(table, sa.Column('county_id', sa.Integer(), server_default='1', nullable=False))
    for table in OPTIONAL_COUNTY_TABLES:  # the default fills the existing rows (audit_event refuses UPDATE)
        op.add_column(table, sa.Column('county_id', sa.Integer(), server_default='1', nullable=True))
    op.add_column('user', sa.Column('authority_id', sa.Integer(), server_default='1', nullable=False))
    if pg:
        # From now on a row that names no county (SQL by hand; the app always names one, scope.py) gets the
        # installation's county while there is only one; with several it fails instead of landing in the first.
        op.execute(DEFAULT_COUNTY_FUNCTION)
        for table in (*COUNTY_TABLES, *OPTIONAL_COUNTY_TABLES, "user"):
            column = "authority_id" if table == "user" else "county_id"
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN {column} SET DEFAULT pipeline_default_county()')
    for table in ("firm", "user", "audit_event"):
        column = "authority_id" if table == "user" else "county_id"
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    with _foreign_keys_off():
        _per_county_keys()
    _remake_day_tally(with_county=True)
    if pg:
        _enable_row_security()


def _per_county_keys():
    for table, old, columns in PER_COUNTY_KEYS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(old, type_='unique')
            batch_op.create_unique_constraint(op.f(f"uq_{table}_county_id_{'_'.join(columns)}"), ["county_id", *columns])
    with op.batch_alter_table('annual_target') as batch_op:
        batch_op.drop_index('ix_annual_target_county', sqlite_where=sa.text('town_id IS NULL'),
                            postgresql_where=sa.text('town_id IS NULL'))
        batch_op.create_index('ix_annual_target_county', ['county_id', 'track_id', 'year'], unique=True,
                              sqlite_where=sa.text('town_id IS NULL'), postgresql_where=sa.text('town_id IS NULL'))
    with op.batch_alter_table('pool_counter') as batch_op:
        batch_op.drop_constraint('pk_pool_counter', type_='primary')
        batch_op.create_primary_key('pk_pool_counter', ['county_id', 'track_id', 'year'])


@contextmanager
def _foreign_keys_off():
    """SQLite: copying town (batch mode) drops the old table, an implicit DELETE of rows that firms refer to, which
    fails while foreign keys are checked; PRAGMA foreign_keys only changes outside a transaction. So the copies run
    in autocommit with the checks off, as SQLite's own ALTER TABLE procedure does."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            op.execute("PRAGMA foreign_keys=ON")


def _enable_row_security():
    op.execute(f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{TENANT_ROLE}') THEN CREATE ROLE {TENANT_ROLE} NOLOGIN; END IF;
        END $$""")
    # The owner may take the role (a superuser may anyway; an ordinary owner needs the grant).
    op.execute(f"GRANT {TENANT_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {TENANT_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {TENANT_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {TENANT_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {TENANT_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {TENANT_ROLE}")
    op.execute(SCOPE_FUNCTION)
    for table, condition in _policies().items():
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY county_scope ON "{table}" USING ({condition}) WITH CHECK ({condition})')


def _policies() -> dict[str, str]:
    policies = {table: "county_id = ANY (pipeline_scope())" for table in COUNTY_TABLES + OPTIONAL_COUNTY_TABLES}
    policies["user"] = "authority_id = ANY (pipeline_scope())"
    for table, (column, parent) in CHILD_TABLES.items():
        # The parent's own policy applies inside the subquery: a child is visible when its parent is.
        policies[table] = f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = "{table}".{column})'
    return policies


def downgrade():
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        for table in _policies():
            op.execute(f'DROP POLICY IF EXISTS county_scope ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        op.execute("DROP FUNCTION IF EXISTS pipeline_scope()")
        for table in (*COUNTY_TABLES, *OPTIONAL_COUNTY_TABLES, "user"):
            column = "authority_id" if table == "user" else "county_id"
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN {column} DROP DEFAULT')
        op.execute("DROP FUNCTION IF EXISTS pipeline_default_county()")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {TENANT_ROLE}")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM {TENANT_ROLE}")
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {TENANT_ROLE}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {TENANT_ROLE}")
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {TENANT_ROLE}")
    _remake_day_tally(with_county=False)
    with _foreign_keys_off():
        _one_county_keys()
    for table in ("firm", "user", "audit_event"):
        column = "authority_id" if table == "user" else "county_id"
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    op.drop_column('user', 'authority_id')
    for table in COUNTY_TABLES + OPTIONAL_COUNTY_TABLES:
        op.drop_column(table, 'county_id')
    op.drop_index(op.f('ix_authority_parent_id'), table_name='authority')
    op.drop_table('authority')


def _one_county_keys():
    with op.batch_alter_table('pool_counter') as batch_op:
        batch_op.drop_constraint('pk_pool_counter', type_='primary')
        batch_op.create_primary_key('pk_pool_counter', ['track_id', 'year'])
    with op.batch_alter_table('annual_target') as batch_op:
        batch_op.drop_index('ix_annual_target_county', sqlite_where=sa.text('town_id IS NULL'),
                            postgresql_where=sa.text('town_id IS NULL'))
        batch_op.create_index('ix_annual_target_county', ['track_id', 'year'], unique=True,
                              sqlite_where=sa.text('town_id IS NULL'), postgresql_where=sa.text('town_id IS NULL'))
    for table, old, columns in PER_COUNTY_KEYS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_county_id_{'_'.join(columns)}"), type_='unique')
            batch_op.create_unique_constraint(old, columns)
