"""A test module with its own event type and consumer whose behaviour each test scripts."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from rustok.core.modules import ModuleDescriptor
from rustok.events.errors import PermanentError
from rustok.events.handler import EventHandler
from rustok.events.registry import EVENTS, DomainEvent

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.uow import UnitOfWork
    from rustok.events.handler import HandlerContext


@EVENTS.register
class ThingHappened(DomainEvent):
    """A test event: `thing` is the aggregate, `n` its sequence number."""

    event_type: ClassVar[str] = "probe.thing.happened"
    schema_version: ClassVar[int] = 2
    aggregate_type: ClassVar[str] = "thing"
    aggregate_field: ClassVar[str] = "thing"

    thing: str
    n: int
    label: str


@EVENTS.upcaster("probe.thing.happened", from_version=1)
def _v1_to_v2(payload: dict[str, object]) -> dict[str, object]:
    # v1 had no label; readers of v2 see "unlabelled".
    return {**payload, "label": "unlabelled"}


@dataclass
class Probe:
    """What the probe consumer did; tests script failures through it."""

    handled: list[ThingHappened] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    fail_times: int = 0
    fail_permanently: bool = False
    delay_for: dict[int, float] = field(default_factory=dict)
    release: asyncio.Event | None = None

    def effects(self, thing: str) -> list[int]:
        return [event.n for event in self.handled if event.thing == thing]


PROBE = Probe()


def fresh_probe() -> Probe:
    """Start a test with a clean probe (the consumer reads the module global at call time)."""
    global PROBE
    PROBE = Probe()
    return PROBE


def probe_consumer(container: Container) -> EventHandler:
    async def handle(context: HandlerContext, event: DomainEvent) -> None:
        assert isinstance(event, ThingHappened)
        key = f"{event.thing}:{event.n}"
        PROBE.attempts[key] += 1
        if PROBE.release is not None:
            await PROBE.release.wait()
        if event.n in PROBE.delay_for:
            await asyncio.sleep(PROBE.delay_for[event.n])  # a slow handler, to test ordering
        if PROBE.fail_permanently:
            raise PermanentError("the thing is invalid")
        if PROBE.attempts[key] <= PROBE.fail_times:
            raise ConnectionError("downstream unavailable")
        PROBE.handled.append(event)

    return EventHandler(
        consumer="probe.recorder",
        event_types=frozenset({ThingHappened.event_type}),
        handle=handle,
        max_attempts=4,
        timeout_seconds=5,
    )


PROBE_MODULE = ModuleDescriptor(
    slug="probe", name="Probe", version="1.0.0", handlers=(probe_consumer,)
)


async def emit_things(
    container: Container, things: list[tuple[str, int]], *, fail: bool = False
) -> None:
    """Emit one ThingHappened per (thing, n) in one unit of work (rolled back when `fail`)."""
    async with container.uow.platform() as uow:
        emit_into(uow, things)
        if fail:
            raise RuntimeError("the use case failed after emitting")
        await uow.commit()


def emit_into(uow: UnitOfWork, things: list[tuple[str, int]], label: str = "x") -> None:
    for thing, n in things:
        uow.emit(ThingHappened(thing=thing, n=n, label=label), tenant_id=None)


def new_thing() -> str:
    return uuid.uuid4().hex[:8]
