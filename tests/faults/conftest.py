"""The fault suite uses the event-spine fixtures (probe consumer, both stacks)."""

from tests.events.conftest import probe, quiet, spine, spine_settings, transport_kind

__all__ = ["probe", "quiet", "spine", "spine_settings", "transport_kind"]
