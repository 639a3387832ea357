"""hardening (issue 18): the stage history and the service ledger are append-only in the database itself;
the login throttles' counts (login_throttle)

The ORM already refused to update or delete a StageMove; a plain SQL UPDATE or DELETE (a console, a script, a
future bug) still went through. Triggers now refuse, on SQLite and PostgreSQL:
- any UPDATE of a stage_move column that exists here, except the foreign key's own SET NULL of actor_id when the
  acting user is deleted (nothing else in the row changes);
- a DELETE of a stage_move row, except the cascade of its firm's or record's deletion (the row's firm or record is
  already gone when the cascade reaches it);
- a DELETE of a service_record row (服务台账), except the same cascade of its firm's deletion. The ledger's rows may
  still be updated (a bulk load fills in officers).
Columns that later migrations add to stage_move (0017's entry_class, which it backfills by UPDATE) are not listed,
so those migrations run unchanged; a migration that wants them guarded recreates the trigger with them.
On SQLite, a later migration that rebuilds stage_move or service_record (batch_alter_table with recreate) drops
these triggers and must create them again (tests/test_migrations.py checks the head).

Revision ID: 0016_hardening
Revises: 0015_eligibility_rev2
Create Date: 2026-12-07 14:30:00

"""
import sqlalchemy as sa
from alembic import op

import pipeline.db


# revision identifiers, used by Alembic.
revision = '0016_hardening'
down_revision = '0015_eligibility_rev2'
branch_labels = None
depends_on = None

COLUMNS = ("id", "firm_track_id", "firm_id", "track_id", "from_stage", "to_stage", "moved_at", "actor_id",
           "reason_code", "note", "skipped", "certificate_number", "pool_number", "issued_on", "expires_on",
           "resume_on")
KEPT = [c for c in COLUMNS if c != "actor_id"]
REFUSED_UPDATE = "stage_move is append-only: a history row cannot be changed"
REFUSED_DELETE = "stage_move is append-only: a history row cannot be deleted"
REFUSED_LEDGER = "service_record is append-only: a ledger row cannot be deleted"
ACTOR_SET_NULL = ('OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL '
                  'AND NOT EXISTS (SELECT 1 FROM "user" WHERE id = OLD.actor_id)')
OWNERS_EXIST = ("EXISTS (SELECT 1 FROM firm_track WHERE id = OLD.firm_track_id) "
                "AND EXISTS (SELECT 1 FROM firm WHERE id = OLD.firm_id)")
FIRM_EXISTS = "EXISTS (SELECT 1 FROM firm WHERE id = OLD.firm_id)"

# The statements below are built from constants only (no input reaches them).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER stage_move_no_update BEFORE UPDATE OF {", ".join(COLUMNS)} ON stage_move
        WHEN NOT ({ACTOR_SET_NULL} AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)}) BEGIN
        SELECT RAISE(ABORT, '{REFUSED_UPDATE}');
    END""",
    f"""CREATE TRIGGER stage_move_no_delete BEFORE DELETE ON stage_move WHEN {OWNERS_EXIST} BEGIN
        SELECT RAISE(ABORT, '{REFUSED_DELETE}');
    END""",
    f"""CREATE TRIGGER service_record_no_delete BEFORE DELETE ON service_record WHEN {FIRM_EXISTS} BEGIN
        SELECT RAISE(ABORT, '{REFUSED_LEDGER}');
    END""",
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION stage_move_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF {OWNERS_EXIST} THEN
                RAISE EXCEPTION '{REFUSED_DELETE}' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF {ACTOR_SET_NULL} AND ({", ".join(f"NEW.{c}" for c in KEPT)})
                IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in KEPT)}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED_UPDATE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    f"""CREATE OR REPLACE FUNCTION service_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {FIRM_EXISTS} THEN
            RAISE EXCEPTION '{REFUSED_LEDGER}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END $$""",
    f"""CREATE TRIGGER stage_move_append_only BEFORE UPDATE OF {", ".join(COLUMNS)} OR DELETE ON stage_move
        FOR EACH ROW EXECUTE FUNCTION stage_move_append_only()""",
    """CREATE TRIGGER service_record_append_only BEFORE DELETE ON service_record
        FOR EACH ROW EXECUTE FUNCTION service_record_append_only()""",
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', pipeline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('scope', 'username', 'ip', name=op.f('uq_login_throttle_scope_username_ip'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_last_failure_at'), ['last_failure_at'], unique=False)


def downgrade():
    # IF EXISTS: a development database migrated while this revision held only the triggers goes down as well
    op.execute("DROP TABLE IF EXISTS login_throttle")  # and its index
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stage_move_append_only ON stage_move")
        op.execute("DROP TRIGGER IF EXISTS service_record_append_only ON service_record")
        op.execute("DROP FUNCTION IF EXISTS stage_move_append_only()")
        op.execute("DROP FUNCTION IF EXISTS service_record_append_only()")
    else:
        for name in ("stage_move_no_update", "stage_move_no_delete", "service_record_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
