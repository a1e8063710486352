"""pending events by aggregate: lets the relay keep order per aggregate after a crash

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sys_events_pending_aggregate",
        "sys_events",
        ["aggregate_type", "aggregate_id", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_sys_events_pending_aggregate", table_name="sys_events")
