"""The event registry and the committed catalog in docs/events/."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from rustok.bootstrap import event_modules, import_all_events
from rustok.events import catalog
from rustok.events.errors import MalformedEvent, UnknownEventType, UnsupportedSchemaVersion
from rustok.events.registry import EVENTS, DomainEvent, EventRegistry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"


def test_the_committed_catalog_matches_the_code() -> None:
    import_all_events()

    expected = catalog.render(EVENTS.declared_in(event_modules()))

    for name, content in expected.items():
        assert (DOCS / name).read_text(encoding="utf-8") == content, (
            f"docs/events/{name} is stale: run `rustok events catalog`"
        )
    committed = {path.name for path in DOCS.iterdir()}
    assert committed == set(expected), "docs/events/ holds files the catalog no longer writes"


def test_the_catalog_names_every_foundation_event_with_a_schema() -> None:
    import_all_events()

    documented = catalog.catalog(EVENTS.declared_in(event_modules()))["events"]
    names = {entry["event_type"]: entry for entry in documented}

    assert set(names) >= {
        "tenancy.tenant.created",
        "tenancy.tenant.updated",
        "tenancy.tenant.deactivated",
        "auth.user.registered",
        "auth.user.logged_in",
        "auth.user.updated",
        "rbac.role.changed",
        "modules.module.enabled",
        "modules.module.disabled",
    }
    assert names["tenancy.tenant.created"]["payload_schema"]["required"] == [
        "tenant_id",
        "slug",
        "name",
        "domain",
    ]
    asyncapi = catalog.asyncapi(EVENTS.declared_in(event_modules()))
    assert asyncapi["asyncapi"] == "3.0.0"
    assert (
        asyncapi["channels"]["tenancy_tenant_created"]["address"]
        == "rustok.events.tenancy.tenant.created"
    )


class _Widget(DomainEvent):
    event_type: ClassVar[str] = "test.widget.changed"
    schema_version: ClassVar[int] = 3
    aggregate_type: ClassVar[str] = "widget"
    aggregate_field: ClassVar[str] = "widget_id"

    widget_id: str
    size: int
    unit: str


def _registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(_Widget)
    registry.upcaster("test.widget.changed", from_version=1)(
        lambda payload: {"widget_id": payload["widget_id"], "size": int(payload["size_text"])}
    )
    registry.upcaster("test.widget.changed", from_version=2)(
        lambda payload: {**payload, "unit": "cm"}
    )
    return registry


def test_upcasters_chain_from_any_old_version_to_the_current_one() -> None:
    registry = _registry()

    from_v1 = registry.decode("test.widget.changed", 1, {"widget_id": "w", "size_text": "4"})
    from_v2 = registry.decode("test.widget.changed", 2, {"widget_id": "w", "size": 4})
    current = registry.decode("test.widget.changed", 3, {"widget_id": "w", "size": 4, "unit": "mm"})

    assert from_v1 == _Widget(widget_id="w", size=4, unit="cm")
    assert from_v2 == _Widget(widget_id="w", size=4, unit="cm")
    assert current.unit == "mm"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("event_type", "version", "payload", "error", "reason"),
    [
        ("test.widget.changed", 4, {}, UnsupportedSchemaVersion, "unsupported_schema_version"),
        ("test.widget.changed", 0, {}, MalformedEvent, "malformed_event"),
        ("test.widget.changed", 3, {"widget_id": "w"}, MalformedEvent, "malformed_event"),
        ("test.nothing", 1, {}, UnknownEventType, "unknown_event_type"),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_reason(
    event_type: str, version: int, payload: dict[str, object], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error) as raised:
        _registry().decode(event_type, version, payload)

    assert raised.value.reason == reason  # type: ignore[attr-defined]


def test_an_event_type_cannot_be_declared_twice() -> None:
    registry = _registry()

    class Impostor(_Widget):
        pass

    with pytest.raises(ValueError, match="declared twice"):
        registry.register(Impostor)


def test_payloads_are_frozen() -> None:
    widget = _Widget(widget_id="w", size=1, unit="cm")

    with pytest.raises(Exception, match="frozen"):
        widget.size = 2  # type: ignore[misc]
