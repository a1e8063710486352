"""Event types, declared once with their version and payload model, and upcasters between versions.

A payload model subclasses `DomainEvent` and names its type, version and aggregate:

    @EVENTS.register
    class TenantCreated(DomainEvent):
        event_type: ClassVar[str] = "tenancy.tenant.created"
        schema_version: ClassVar[int] = 1
        aggregate_type: ClassVar[str] = "tenant"
        aggregate_field: ClassVar[str] = "tenant_id"
        tenant_id: uuid.UUID

When a payload changes shape, bump `schema_version` and register an upcaster from the old one:
`EVENTS.upcaster("tenancy.tenant.created", from_version=1)(lambda payload: {...})`.
Readers always see the current version; an event newer than the code is refused with
`UnsupportedSchemaVersion`, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from rustok.events.errors import MalformedEvent, UnknownEventType, UnsupportedSchemaVersion

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class DomainEvent(BaseModel):
    """A frozen event payload; subclasses set the four class variables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]
    aggregate_field: ClassVar[str]

    @staticmethod
    def fields_of(event_class: type[DomainEvent]) -> list[str]:
        return list(event_class.__pydantic_fields__)

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_field))


E = TypeVar("E", bound=type[DomainEvent])


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_class: E) -> E:
        name = event_class.event_type
        if name in self._types and self._types[name] is not event_class:
            raise ValueError(f"event type {name!r} is declared twice")
        if event_class.aggregate_field not in DomainEvent.fields_of(event_class):
            raise ValueError(f"{name}: aggregate_field {event_class.aggregate_field!r} is no field")
        self._types[name] = event_class
        return event_class

    def upcaster(self, event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a `from_version` payload into `from_version + 1`."""

        def decorate(function: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = function
            return function

        return decorate

    def get(self, event_type: str) -> type[DomainEvent]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventType(f"no event type {event_type!r} is registered") from None

    def __iter__(self) -> Iterator[type[DomainEvent]]:
        return iter(sorted(self._types.values(), key=lambda cls: cls.event_type))

    def declared_in(self, modules: Sequence[str]) -> EventRegistry:
        """The event types declared in `modules` (what the catalog documents)."""
        subset = EventRegistry()
        for event_class in self._types.values():
            if event_class.__module__ in modules:
                subset.register(event_class)
        subset._upcasters = {
            key: step for key, step in self._upcasters.items() if key[0] in subset._types
        }
        return subset

    def upcast(self, event_type: str, version: int, payload: Payload) -> tuple[int, Payload]:
        """Bring `payload` from `version` to the current version of its type."""
        current = self.get(event_type).schema_version
        if version > current:
            raise UnsupportedSchemaVersion(
                f"{event_type} v{version} is newer than this code knows (v{current}); "
                "deploy the newer code, then replay from the DLQ"
            )
        if version < 1:
            raise MalformedEvent(f"{event_type}: schema_version {version} is not a version")
        while version < current:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnsupportedSchemaVersion(
                    f"{event_type}: no upcaster from v{version} to v{version + 1}"
                )
            payload = step(payload)
            version += 1
        return version, payload

    def decode(self, event_type: str, version: int, payload: Payload) -> DomainEvent:
        """The typed, current-version payload of a stored or received event."""
        _, current_payload = self.upcast(event_type, version, payload)
        try:
            return self.get(event_type).model_validate(current_payload)
        except ValidationError as error:
            raise MalformedEvent(
                f"{event_type}: payload does not match its schema: {error}"
            ) from None


EVENTS = EventRegistry()
"""The registry of every event type of the platform; modules register in their `events.py`."""
