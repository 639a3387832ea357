"""county settings (issue 24): reminder rules, the program calendar, the certificate seal and the account settings
per county

- reminder_rule, program_year, hnte_batch, certificate_seal and account_setting get county_id; today's rows are
  county 1's (the installation's). The keys become per county: a rule is (code, county), a calendar year (year,
  county), a batch date unique in its county, one seal row per county, a setting (key, county). A reminder refers
  to its own county's rule.
- A county added before this migration (flask authorities add after 0028) ran on these same rows until now: it
  gets a copy of them (rules, calendar, account settings), but not the seal, which is county 1's bureau's own.
- A county added later gets the default rules and calendar from the app (pipeline/reminders/defaults.py).
- PostgreSQL: the same row-level security as migration 0028's county tables.

Revision ID: 0030_county_settings
Revises: 0029_api_clients
Create Date: 2026-12-08 00:30:00

"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_county_settings'
down_revision = '0029_api_clients'
branch_labels = None
depends_on = None

TABLES = ("reminder_rule", "program_year", "hnte_batch", "certificate_seal", "account_setting")
POLICY = "county_id = ANY (pipeline_scope())"  # migration 0028's county tables


def _foreign_keys_off():
    """SQLite: reminder_rule and program_year are copied (batch mode) while reminder and hnte_batch refer to them;
    migration 0028's context runs such copies with the foreign-key checks off."""
    path = Path(__file__).with_name("0028_tenancy.py")
    spec = importlib.util.spec_from_file_location("migration_0028", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._foreign_keys_off()


def upgrade():
    pg = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:  # plain ADD COLUMN: the existing rows become county 1's
        op.add_column(table, sa.Column('county_id', sa.Integer(), server_default='1', nullable=False))
    if pg:
        for table in TABLES:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN county_id SET DEFAULT pipeline_default_county()')
    op.create_index('ix_certificate_seal_county_id', 'certificate_seal', ['county_id'], unique=True)
    with _foreign_keys_off():
        _keys(per_county=True)
    if pg:
        for table in TABLES:
            op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            op.execute(f'CREATE POLICY county_scope ON "{table}" USING ({POLICY}) WITH CHECK ({POLICY})')


# table → its columns besides county_id (hnte_batch's id is new for the copy); program_year before hnte_batch
COPIED = {
    "reminder_rule": ("code", "enabled", "subject_template", "body_template", "updated_at", "updated_by_id"),
    "program_year": ("year", "tech_sme_opens_on", "tech_sme_closes_on"),
    "hnte_batch": ("year", "due_on"),
    "account_setting": ("key", "value", "updated_at"),
}


def _copy_to_other_counties():
    for table, columns in COPIED.items():
        source = ", ".join(f"s.{column}" for column in columns)
        op.execute(f"INSERT INTO {table} (county_id, {', '.join(columns)}) SELECT a.id, {source} "  # noqa: S608
                   f"FROM {table} s CROSS JOIN authority a WHERE s.county_id = 1 AND a.level = 'county' AND a.id <> 1")


def _keep_county_one():
    for table in ("hnte_batch", "program_year", "reminder_rule", "certificate_seal", "account_setting"):
        rows = sa.table(table, sa.column('county_id'))
        op.execute(rows.delete().where(rows.c.county_id != 1))


def _keys(per_county: bool):
    """The foreign keys go first (PostgreSQL refuses to drop a key they use), the primary keys change, the foreign
    keys come back with the county in them (or without it, going down)."""
    county = ['county_id'] if per_county else []
    old_unique, new_unique = ('uq_hnte_batch_due_on', 'uq_hnte_batch_county_id_due_on')[::1 if per_county else -1]
    with op.batch_alter_table('reminder') as batch_op:
        batch_op.drop_constraint('fk_reminder_rule_code_reminder_rule', type_='foreignkey')
    with op.batch_alter_table('hnte_batch') as batch_op:
        batch_op.drop_constraint('fk_hnte_batch_year_program_year', type_='foreignkey')
        batch_op.drop_constraint(old_unique, type_='unique')
    if not per_county:  # the other counties' rows go while nothing refers to them, before the keys without county
        _keep_county_one()
    with op.batch_alter_table('reminder_rule') as batch_op:
        batch_op.drop_constraint('pk_reminder_rule', type_='primary')
        batch_op.create_primary_key('pk_reminder_rule', ['code', *county])
    with op.batch_alter_table('program_year') as batch_op:
        batch_op.drop_constraint('pk_program_year', type_='primary')
        batch_op.create_primary_key('pk_program_year', ['year', *county])
    with op.batch_alter_table('account_setting') as batch_op:
        batch_op.drop_constraint('pk_account_setting', type_='primary')
        batch_op.create_primary_key('pk_account_setting', ['key', *county])
    if per_county:  # the copies need the new primary keys, and the new foreign keys need the copies
        _copy_to_other_counties()
    with op.batch_alter_table('reminder') as batch_op:
        batch_op.create_foreign_key('fk_reminder_rule_code_reminder_rule', 'reminder_rule', ['rule_code', *county],
                                    ['code', *county])
    with op.batch_alter_table('hnte_batch') as batch_op:
        batch_op.create_foreign_key('fk_hnte_batch_year_program_year', 'program_year', ['year', *county],
                                    ['year', *county], ondelete='CASCADE')
        batch_op.create_unique_constraint(new_unique, [*county, 'due_on'])


def downgrade():
    """Back to one county's settings: only county 1's rows are kept (the others have no place to go). Every
    county's reminders keep their rule: county 1 has a row of every rule."""
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        for table in TABLES:
            op.execute(f'DROP POLICY IF EXISTS county_scope ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.drop_index('ix_certificate_seal_county_id', table_name='certificate_seal')
    with _foreign_keys_off():
        _keys(per_county=False)
        for table in TABLES:
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column('county_id')
