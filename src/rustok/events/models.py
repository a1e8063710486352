"""Tables of the event spine: the outbox, the handler ledger and the dead-letter queue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Index, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from rustok.core.db import Base

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
SequenceType = BigInteger().with_variant(Integer(), "sqlite")


class SysEvent(Base):
    """One outbox row per emitted event, written in the transaction of the change it describes.

    `seq` orders delivery (assigned at insert); `id` is the event's identity everywhere else.
    `published_at IS NULL` means pending.
    """

    __tablename__ = "sys_events"
    __table_args__ = (
        Index("ix_sys_events_pending", "published_at", "next_attempt_at", "seq"),
        Index("ix_sys_events_tenant_type", "tenant_id", "event_type"),
        Index("ix_sys_events_type_version", "event_type", "schema_version"),
        # The relay's "is an earlier event of this aggregate still out?" check, pending rows only.
        Index(
            "ix_sys_events_pending_aggregate",
            "aggregate_type",
            "aggregate_id",
            "next_attempt_at",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        # The dispatcher's order guard: "is an earlier event of this aggregate unhandled?"
        Index("ix_sys_events_aggregate_seq", "aggregate_type", "aggregate_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(SequenceType, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    tenant_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str] = mapped_column(String(128))
    schema_version: Mapped[int] = mapped_column(Integer)
    aggregate_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    aggregate_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]]
    headers: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)


SYS_EVENTS = cast("Table", SysEvent.__table__)
"""The outbox table, for Core statements on the hot path (no ORM unit of work)."""


class HandledEvent(Base):
    """The ledger: a row per (consumer, event) whose effect committed; a duplicate is a no-op."""

    __tablename__ = "event_ledger"

    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    handled_at: Mapped[datetime]


HANDLED_EVENTS = cast("Table", HandledEvent.__table__)


class AggregatePosition(Base):
    """Per consumer and aggregate, the outbox `seq` of the latest event handled: where the
    dispatcher's order guard starts looking for earlier events still unhandled."""

    __tablename__ = "event_positions"

    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    aggregate_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    aggregate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(SequenceType)


POSITIONS = cast("Table", AggregatePosition.__table__)


class DeadLetter(Base):
    """An event a consumer gave up on, with why; replayable to that consumer only."""

    __tablename__ = "event_dlq"
    __table_args__ = (
        UniqueConstraint("event_id", "consumer"),
        Index("ix_event_dlq_status_consumer", "status", "consumer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID]
    tenant_id: Mapped[uuid.UUID | None]
    consumer: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(128))
    envelope: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(String(64))
    error_class: Mapped[str] = mapped_column(String(200))
    error_message: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_at: Mapped[datetime | None]
    history: Mapped[list[Any] | None]
    """Each failed attempt: when and with what error (newest last, 50 at most)."""


DEAD_LETTERS = cast("Table", DeadLetter.__table__)
