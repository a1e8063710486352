"""A dispatcher process for the order fault test: `python -m tests.faults.ordered_worker`.

It runs every consumer group of the stock modules plus `probe.ordered`, whose effect is a row
in `probe_effects` (created by the test) written in the handler's unit of work: the rows' ids
give the order in which the effects were made, across processes. Settings come from the
environment, as for `rustok worker dispatch`; the test kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import text

from rustok.bootstrap import build_container, default_modules
from rustok.core.modules import ModuleDescriptor
from rustok.core.settings import load_settings
from rustok.events.handler import EventHandler
from rustok.observability.logging import configure_logging
from tests.events.probe import ThingHappened

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.events.handler import HandlerContext
    from rustok.events.registry import DomainEvent

CONSUMER = "probe.ordered"


def ordered_consumer(_container: Container) -> EventHandler:
    async def handle(context: HandlerContext, event: DomainEvent) -> None:
        """Idempotent through the ledger: the row commits with the ledger row, once."""
        assert isinstance(event, ThingHappened)
        assert context.uow is not None
        await context.uow.session.execute(
            text("INSERT INTO probe_effects (thing, n) VALUES (:thing, :n)"),
            {"thing": event.thing, "n": event.n},
        )

    return EventHandler(
        consumer=CONSUMER, event_types=frozenset({ThingHappened.event_type}), handle=handle
    )


ORDERED_MODULE = ModuleDescriptor(
    slug="ordered", name="Ordered probe", version="1.0.0", handlers=(ordered_consumer,)
)


async def main() -> None:
    settings = load_settings()
    configure_logging(settings)
    container = build_container(settings, modules=[*default_modules(), ORDERED_MODULE])
    await container.start_with(relay=False, consumers=None)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main())
