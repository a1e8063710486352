"""event order guard: per-consumer aggregate positions, events by aggregate and seq; dead
letters keep each attempt

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

A dispatcher handles an event only once every earlier event of its aggregate (of the types
its consumer takes) is handled or dead-lettered (ADR 0007). `event_positions` remembers, per
consumer and aggregate, the latest outbox `seq` handled, so the check reads only the few rows
after it through the new index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_positions",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("aggregate_type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint(
            "consumer", "aggregate_type", "aggregate_id", name=op.f("pk_event_positions")
        ),
    )
    op.add_column(
        "event_dlq",
        sa.Column(
            "history", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
    )
    op.create_index(
        "ix_sys_events_aggregate_seq",
        "sys_events",
        ["aggregate_type", "aggregate_id", "seq"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_sys_events_aggregate_seq", table_name="sys_events")
    op.drop_column("event_dlq", "history")
    op.drop_table("event_positions")
