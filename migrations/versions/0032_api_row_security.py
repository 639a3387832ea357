"""api row security (issue 24): the API's clients, call log and rate windows under the row-level security of 0028

A county's admin reads and revokes only the clients of its own authority and those below it (the admin page's
filter); on PostgreSQL the database now holds to that too, as for every other county table: a client is visible in
the scope that holds its authority, its calls and rate windows through it. The API's own gate reads a client by its
token before any scope (as the table owner), so calls are unaffected. A call of no known client (a bad token) is
visible to every scope.

Revision ID: 0032_api_row_security
Revises: 0031_city_targets
Create Date: 2026-12-08 01:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032_api_row_security'
down_revision = '0031_city_targets'
branch_labels = None
depends_on = None

CALL_OF_A_VISIBLE_CLIENT = 'EXISTS (SELECT 1 FROM api_client p WHERE p.id = "api_call".client_id)'
# table → (which rows a scope reads, which rows it may write)
POLICIES = {
    "api_client": ("authority_id = ANY (pipeline_scope())",) * 2,
    # A call without a valid token, made by a logged-in browser, runs in its user's scope and logs the call with
    # RETURNING, which the read policy must allow: such rows (a path, an address, a 401) are every scope's.
    "api_call": (f"client_id IS NULL OR {CALL_OF_A_VISIBLE_CLIENT}",) * 2,
    "api_rate_window": ('EXISTS (SELECT 1 FROM api_client p WHERE p.id = "api_rate_window".client_id)',) * 2,
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (reads, writes) in POLICIES.items():
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY county_scope ON "{table}" USING ({reads}) WITH CHECK ({writes})')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f'DROP POLICY IF EXISTS county_scope ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
