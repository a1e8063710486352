"""The collector's permanent generation: frozen once by a serving process, never by a container.

A test process starts hundreds of containers; when each start froze the heap, everything alive
at that moment (the earlier tests' garbage included) stayed for the rest of the run
(docs/testing.md has the measurement).
"""

from __future__ import annotations

import gc
import weakref
from typing import TYPE_CHECKING

from rustok.api.asgi import make_app
from rustok.core.settings import get_settings
from rustok.testing.app import TEST_JWT_SECRET, client_for, running_container
from tests.cli.running import logging_put_back

if TYPE_CHECKING:
    import pytest

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings


async def test_containers_freeze_nothing_and_are_collected_once_closed(settings: Settings) -> None:
    frozen = gc.get_freeze_count()
    closed: list[weakref.ref[Container]] = []

    for _ in range(3):
        async with running_container(settings) as container, client_for(container) as http:
            assert (await http.get("/api/health/live")).status_code == 200
        closed.append(weakref.ref(container))
    del container, http  # the last ones, still bound to these names
    gc.collect()

    assert gc.get_freeze_count() == frozen
    assert [ref() for ref in closed] == [None, None, None]


async def test_the_servers_app_freezes_the_startup_heap_once_its_container_started(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSTOK_ENV", "test")
    monkeypatch.setenv("RUSTOK_DATABASE_URL", database_url)
    monkeypatch.setenv("RUSTOK_JWT_SECRET", TEST_JWT_SECRET)
    get_settings.cache_clear()
    try:
        with logging_put_back():
            app = make_app()  # what `rustok serve` hands uvicorn
            frozen_before = gc.get_freeze_count()
            async with app.router.lifespan_context(app):
                frozen_while_serving = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        get_settings.cache_clear()

    assert frozen_while_serving > frozen_before
