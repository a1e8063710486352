"""outbox commit notification: PostgreSQL tells relays in other processes that events committed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A statement-level trigger: one NOTIFY per INSERT statement, sent when the writing transaction
# commits (never for a rolled-back one), and PostgreSQL folds repeats within a transaction into
# one. The writer pays no extra round trip. SQLite has no NOTIFY; its relay runs in the writing
# process and is woken in memory.
_CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION rustok_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rustok_outbox', '');
    RETURN NULL;
END;
$$
"""
_CREATE_TRIGGER = """
CREATE TRIGGER sys_events_notify AFTER INSERT ON sys_events
FOR EACH STATEMENT EXECUTE FUNCTION rustok_outbox_notify()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CREATE_FUNCTION)
    op.execute(_CREATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS sys_events_notify ON sys_events")
    op.execute("DROP FUNCTION IF EXISTS rustok_outbox_notify()")
