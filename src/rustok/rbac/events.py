"""Events the RBAC module emits."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from rustok.events.registry import EVENTS, DomainEvent


@EVENTS.register
class RoleChanged(DomainEvent):
    """A role was created, updated or deleted, or a user's roles were set."""

    event_type: ClassVar[str] = "rbac.role.changed"
    schema_version: ClassVar[int] = 1
    # Ordered per tenant: the grants cache is per tenant, and so are role changes.
    aggregate_type: ClassVar[str] = "tenant_roles"
    aggregate_field: ClassVar[str] = "tenant_id"

    tenant_id: uuid.UUID
    role_id: uuid.UUID | None
    role_slug: str | None
    change: Literal["installed", "created", "updated", "deleted", "assigned"]
    user_id: uuid.UUID | None = None
