"""Containers with the probe consumer, fast retries, on every database backend."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.bootstrap import default_modules
from rustok.testing.app import running_container
from tests.events.probe import PROBE, PROBE_MODULE, Probe

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings


@pytest.fixture
def probe() -> Probe:
    PROBE.__init__()  # type: ignore[misc]
    return PROBE


@pytest.fixture
def spine_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "handler_retry_base_seconds": 0.01,
            "handler_retry_cap_seconds": 0.05,
            "relay_poll_interval_seconds": 0.05,
            "dispatcher_lanes": 4,
        }
    )


@pytest.fixture
async def spine(spine_settings: Settings, probe: Probe) -> AsyncIterator[Container]:
    async with running_container(
        spine_settings, modules=[*default_modules(), PROBE_MODULE]
    ) as container:
        yield container
