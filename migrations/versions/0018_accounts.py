"""accounts (issue 19): the audit log (append-only by triggers), one-time links, recovery codes, account settings,
and the user's new columns

- audit_event: one row per security or admin event. Triggers on SQLite and PostgreSQL refuse any UPDATE or DELETE
  of it (as 0016 does for stage_move); it has no foreign keys, so that neither a user's nor a firm's deletion ever
  needs to touch it. (PostgreSQL's TRUNCATE fires no row trigger: the test suite empties the table that way.)
- account_token: invitations (72 h) and password resets (30 min), stored as SHA-256 of the token.
- recovery_code: two-factor recovery codes, stored as SHA-256.
- account_setting: settings the admin changes in the app (two_factor_required); a missing row is the default.
- user: must_change_password, last_login_at, totp_secret, totp_last_step, reports_monthly (existing rows: false /
  empty). Existing users keep their passwords and are not asked to change them.

Revision ID: 0018_accounts
Revises: 0017_bureau_numbers
Create Date: 2026-12-07 14:40:00

"""
import sqlalchemy as sa
from alembic import op

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0018_accounts'
down_revision = '0017_bureau_numbers'
branch_labels = None
depends_on = None

REFUSED_UPDATE = "audit_event is append-only: an audit row cannot be changed"
REFUSED_DELETE = "audit_event is append-only: an audit row cannot be deleted"
# Built from constants only (no input reaches them).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN
        SELECT RAISE(ABORT, '{REFUSED_UPDATE}');
    END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN
        SELECT RAISE(ABORT, '{REFUSED_DELETE}');
    END""",
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION '{REFUSED_DELETE}' USING ERRCODE = 'restrict_violation';
        END IF;
        RAISE EXCEPTION '{REFUSED_UPDATE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('target_user_id', sa.Integer(), nullable=True),
    sa.Column('target_name', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_target_user_id'), ['target_user_id'], unique=False)
        batch_op.create_index('ix_audit_event_kind_at', ['kind', 'at'], unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)

    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_account_token_created_by_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_account_token_user_id_purpose', ['user_id', 'purpose'], unique=False)

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', pipeline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('account_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_account_setting'))
    )

    # Plain ALTER TABLE (no batch rebuild on SQLite: renaming "user" would break 0016's stage_move trigger)
    op.add_column('user', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('user', sa.Column('last_login_at', pipeline.db.UTCDateTime(), nullable=True))
    op.add_column('user', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.add_column('user', sa.Column('reports_monthly', sa.Boolean(), server_default=sa.false(), nullable=False))

def downgrade():
    for column in ('reports_monthly', 'totp_last_step', 'totp_secret', 'last_login_at', 'must_change_password'):
        op.drop_column('user', column)  # ALTER TABLE … DROP COLUMN (SQLite 3.35+), no rebuild
    op.drop_table('account_setting')
    op.drop_table('recovery_code')
    op.drop_table('account_token')
    op.drop_table('audit_event')  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
