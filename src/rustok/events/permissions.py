"""What the event spine lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

EVENTS = define_resource("events", "The tenant's events: the outbox, dead letters, replays")
