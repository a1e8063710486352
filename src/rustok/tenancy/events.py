"""Events the tenancy module emits."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class _TenantEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "tenant"
    aggregate_field: ClassVar[str] = "tenant_id"

    tenant_id: uuid.UUID


@EVENTS.register
class TenantCreated(_TenantEvent):
    event_type: ClassVar[str] = "tenancy.tenant.created"
    schema_version: ClassVar[int] = 1

    slug: str
    name: str
    domain: str | None


@EVENTS.register
class TenantUpdated(_TenantEvent):
    """Something about the tenant changed; `changes` names the fields (e.g. name, locales)."""

    event_type: ClassVar[str] = "tenancy.tenant.updated"
    schema_version: ClassVar[int] = 1

    slug: str
    changes: list[str]


@EVENTS.register
class TenantDeactivated(_TenantEvent):
    event_type: ClassVar[str] = "tenancy.tenant.deactivated"
    schema_version: ClassVar[int] = 1

    slug: str


@EVENTS.register
class ModuleEnabled(_TenantEvent):
    event_type: ClassVar[str] = "modules.module.enabled"
    schema_version: ClassVar[int] = 1

    module: str


@EVENTS.register
class ModuleDisabled(_TenantEvent):
    event_type: ClassVar[str] = "modules.module.disabled"
    schema_version: ClassVar[int] = 1

    module: str


CACHE_EVENTS = frozenset(
    {
        TenantCreated.event_type,
        TenantUpdated.event_type,
        TenantDeactivated.event_type,
        ModuleEnabled.event_type,
        ModuleDisabled.event_type,
    }
)
