"""The envelope every event travels in: identity, type and version, tenant, causality, payload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    id: uuid.UUID
    event_type: str
    schema_version: int
    tenant_id: uuid.UUID | None
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int | None
    occurred_at: datetime
    payload: dict[str, Any]
    actor_id: uuid.UUID | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    trace_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sequence: int | None = None
    """The outbox row's `seq`: orders events of one aggregate for the dispatcher's order guard
    (None for envelopes that never went through the outbox)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "tenant_id": str(self.tenant_id) if self.tenant_id else None,
            "aggregate_type": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "aggregate_version": self.aggregate_version,
            "occurred_at": self.occurred_at.isoformat(),
            "payload": self.payload,
            "actor_id": str(self.actor_id) if self.actor_id else None,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "trace_id": self.trace_id,
            "headers": self.headers,
            "sequence": self.sequence,
        }

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventEnvelope:
        """Parse a serialised envelope; raises ValueError/KeyError/TypeError when malformed."""
        return cls(
            id=uuid.UUID(data["id"]),
            event_type=str(data["event_type"]),
            schema_version=int(data["schema_version"]),
            tenant_id=uuid.UUID(data["tenant_id"]) if data.get("tenant_id") else None,
            aggregate_type=str(data["aggregate_type"]),
            aggregate_id=str(data["aggregate_id"]),
            aggregate_version=data.get("aggregate_version"),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            payload=dict(data["payload"]),
            actor_id=uuid.UUID(data["actor_id"]) if data.get("actor_id") else None,
            correlation_id=data.get("correlation_id"),
            causation_id=data.get("causation_id"),
            trace_id=data.get("trace_id"),
            headers=dict(data.get("headers") or {}),
            sequence=data.get("sequence"),
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        return cls.from_dict(orjson.loads(raw))

    def with_payload(self, payload: dict[str, Any], schema_version: int) -> EventEnvelope:
        return replace(self, payload=payload, schema_version=schema_version)
