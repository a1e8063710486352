"""The NATS JetStream transport against a real server: delivery, dedup, groups, redelivery,
broadcast, poison messages, and a server restart."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import nats
import nats.js.errors
import pytest

from rustok.core.clock import utcnow
from rustok.core.ids import new_id
from rustok.events.envelope import EventEnvelope
from rustok.events.errors import TransportError
from rustok.events.transport import nats as nats_transport
from rustok.events.transport.nats import NatsTransport, consumer_name
from rustok.testing.services import nats_url, need, wait_until_async
from tests.events.nats_server import NatsServerProcess, free_port, nats_server_binary

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from nats.js import JetStreamContext

    from rustok.events.transport.base import Delivery

pytestmark = pytest.mark.nats

CREATED = "test.thing.created"
UPDATED = "test.thing.updated"
DELETED = "test.thing.deleted"
THINGS = frozenset({CREATED, UPDATED})


def envelope(event_type: str = CREATED, **payload: object) -> EventEnvelope:
    return EventEnvelope(
        id=new_id(),
        event_type=event_type,
        schema_version=1,
        tenant_id=new_id(),
        aggregate_type="thing",
        aggregate_id=str(new_id()),
        aggregate_version=1,
        occurred_at=utcnow(),
        payload=dict(payload),
        correlation_id="corr-1",
        headers={"request_id": "req-1"},
    )


@dataclass
class Collector:
    """A handler that records every delivery; acks it unless told otherwise."""

    ack: bool = True
    deliveries: list[Delivery] = field(default_factory=list)

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        if self.ack:
            await delivery.ack()

    @property
    def ids(self) -> list[uuid.UUID]:
        return [delivery.envelope.id for delivery in self.deliveries]


@dataclass(frozen=True)
class Names:
    url: str
    stream: str
    prefix: str


@pytest.fixture
async def names() -> AsyncIterator[Names]:
    url = nats_url()
    need("NATS", url, 4222)
    suffix = uuid.uuid4().hex[:12]
    yield Names(url, f"TEST_{suffix}", f"test.{suffix}")
    await _delete_stream(url, f"TEST_{suffix}")


async def _delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await nc.close()


@pytest.fixture
async def jetstream(names: Names) -> AsyncIterator[JetStreamContext]:
    """A plain client, to look at the stream and consumers from outside the transport."""
    nc = await nats.connect(names.url)
    yield nc.jetstream()
    await nc.close()


@pytest.fixture
async def make_transport(names: Names) -> AsyncIterator[Callable[..., NatsTransport]]:
    """Build transports on this test's stream (each still to be started); closes them all."""
    made: list[NatsTransport] = []

    def make(*, url: str | None = None, ack_wait_seconds: float = 30.0) -> NatsTransport:
        transport = NatsTransport(
            url=url or names.url,
            stream=names.stream,
            subject_prefix=names.prefix,
            duplicate_window_seconds=120.0,
            ack_wait_seconds=ack_wait_seconds,
            max_deliver=10,
        )
        made.append(transport)
        return transport

    yield make
    for transport in made:
        await transport.close()


async def started(transport: NatsTransport) -> NatsTransport:
    await transport.start()
    return transport


async def test_a_group_receives_every_event_of_its_types_once_in_order(
    make_transport: Callable[..., NatsTransport], jetstream: JetStreamContext, names: Names
) -> None:
    transport = await started(make_transport())
    collector = Collector()
    await transport.subscribe("index.things", THINGS, collector, max_in_flight=1)
    events = [envelope(CREATED if n % 2 else UPDATED, n=n) for n in range(50)]
    ignored = envelope(DELETED)

    await transport.publish([*events[:25], ignored, *events[25:]])
    last = envelope(UPDATED, last=True)
    await transport.publish([last])

    await wait_until_async(lambda: len(collector.deliveries) >= 51, timeout=10)
    assert collector.ids == [event.id for event in [*events, last]]
    assert [delivery.envelope for delivery in collector.deliveries[:50]] == events
    assert {delivery.delivery_count for delivery in collector.deliveries} == {1}
    stored = await jetstream.get_msg(names.stream, 1)
    assert stored.subject == f"{names.prefix}.{UPDATED}"
    assert stored.headers == {
        "Nats-Msg-Id": str(events[0].id),
        "Rustok-Tenant-Id": str(events[0].tenant_id),
        "Rustok-Event-Type": UPDATED,
        "Rustok-Schema-Version": "1",
        "Nats-Expected-Stream": names.stream,
    }
    assert EventEnvelope.from_bytes(stored.data or b"") == events[0]


async def test_an_event_published_twice_within_the_window_is_delivered_once(
    make_transport: Callable[..., NatsTransport], jetstream: JetStreamContext, names: Names
) -> None:
    transport = await started(make_transport())
    collector = Collector()
    await transport.subscribe("index.things", frozenset({CREATED}), collector, max_in_flight=1)
    first, second = envelope(), envelope()

    await transport.publish([first])
    await transport.publish([first, second])
    last = envelope()
    await transport.publish([last])

    await wait_until_async(lambda: last.id in collector.ids, timeout=10)
    assert collector.ids == [first.id, second.id, last.id]
    assert (await jetstream.stream_info(names.stream)).state.messages == 3


async def test_members_of_one_group_share_the_events_and_none_gets_one_twice(
    make_transport: Callable[..., NatsTransport],
) -> None:
    first_member = await started(make_transport())
    second_member = await started(make_transport())
    release = asyncio.Event()
    held = Collector()
    other = Collector()

    async def hold_after_the_first(delivery: Delivery) -> None:
        await held(delivery)
        await release.wait()  # this member's loop is stuck: the rest must go to the other

    await first_member.subscribe("index.things", THINGS, hold_after_the_first, max_in_flight=1)
    await second_member.subscribe("index.things", THINGS, other, max_in_flight=1)
    events = [envelope(n=n) for n in range(1000)]
    await first_member.publish(events)

    await wait_until_async(lambda: len(held.ids) + len(other.ids) >= 1, timeout=10)
    release.set()
    await wait_until_async(lambda: len(held.ids) + len(other.ids) >= 1000, timeout=20)
    last = envelope()
    await first_member.publish([last])
    await wait_until_async(lambda: last.id in held.ids + other.ids, timeout=10)

    assert held.ids
    assert other.ids
    assert not set(held.ids) & set(other.ids)
    assert sorted(held.ids + other.ids) == sorted([event.id for event in [*events, last]])


async def test_several_fetch_loops_of_one_member_deliver_each_event_once(
    make_transport: Callable[..., NatsTransport],
) -> None:
    transport = await started(make_transport())
    collector = Collector()
    await transport.subscribe("index.things", THINGS, collector, max_in_flight=3)
    events = [envelope(n=n) for n in range(600)]

    await transport.publish(events)

    await wait_until_async(lambda: len(collector.ids) >= 600, timeout=20)
    last = envelope()
    await transport.publish([last])
    await wait_until_async(lambda: last.id in collector.ids, timeout=10)
    assert sorted(collector.ids) == sorted([event.id for event in [*events, last]])


async def test_nak_with_a_delay_redelivers_with_a_higher_delivery_count(
    make_transport: Callable[..., NatsTransport],
) -> None:
    transport = await started(make_transport())
    seen: list[tuple[uuid.UUID, int]] = []

    async def nak_the_first_try(delivery: Delivery) -> None:
        seen.append((delivery.envelope.id, delivery.delivery_count))
        if delivery.delivery_count == 1:
            await delivery.nak(0.2)
        else:
            await delivery.ack()

    await transport.subscribe("index.things", THINGS, nak_the_first_try, max_in_flight=1)
    event = envelope()

    await transport.publish([event])

    await wait_until_async(lambda: len(seen) >= 2, timeout=10)
    assert seen == [(event.id, 1), (event.id, 2)]


async def test_an_event_not_acked_within_ack_wait_is_redelivered(
    make_transport: Callable[..., NatsTransport],
) -> None:
    transport = await started(make_transport(ack_wait_seconds=1.0))
    collector = Collector(ack=False)
    await transport.subscribe("index.things", THINGS, collector, max_in_flight=1)
    event = envelope()

    await transport.publish([event])

    await wait_until_async(lambda: len(collector.deliveries) >= 2, timeout=10)
    assert collector.ids[:2] == [event.id, event.id]
    assert [delivery.delivery_count for delivery in collector.deliveries[:2]] == [1, 2]
    await collector.deliveries[-1].ack()


async def test_broadcast_reaches_every_process_with_what_is_published_from_now(
    make_transport: Callable[..., NatsTransport], jetstream: JetStreamContext, names: Names
) -> None:
    first_process = await started(make_transport())
    second_process = await started(make_transport())
    before = envelope()
    await first_process.publish([before])
    first, second = Collector(ack=False), Collector(ack=False)
    await first_process.subscribe_broadcast("cache.things", THINGS, first)
    await second_process.subscribe_broadcast("cache.things", THINGS, second)
    events = [envelope(UPDATED, n=n) for n in range(20)]

    await first_process.publish([*events, envelope(DELETED)])

    expected = [event.id for event in events]
    await wait_until_async(lambda: len(first.ids) >= 20 and len(second.ids) >= 20, timeout=10)
    last = envelope()
    await second_process.publish([last])
    await wait_until_async(lambda: last.id in first.ids and last.id in second.ids, timeout=10)
    assert first.ids == second.ids == [*expected, last.id]
    # The transport acks after the handler, so nothing waits for redelivery (one broadcast
    # consumer per process).
    consumers = await jetstream.consumers_info(names.stream)
    assert [consumer.num_ack_pending for consumer in consumers] == [0, 0]
    await first_process.close()
    await second_process.close()
    assert (await jetstream.stream_info(names.stream)).state.consumer_count == 0


async def test_an_unparsable_message_is_terminated_and_later_events_still_arrive(
    make_transport: Callable[..., NatsTransport], jetstream: JetStreamContext, names: Names
) -> None:
    transport = await started(make_transport(ack_wait_seconds=1.0))
    collector = Collector()
    await transport.subscribe("index.things", THINGS, collector, max_in_flight=1)
    await jetstream.publish(f"{names.prefix}.{CREATED}", b"{not json", stream=names.stream)
    await jetstream.publish(f"{names.prefix}.{CREATED}", b'{"id": "nope"}', stream=names.stream)
    event = envelope()

    await transport.publish([event])

    await wait_until_async(lambda: event.id in collector.ids, timeout=10)

    async def everything_settled() -> bool:
        info = await jetstream.consumer_info(names.stream, consumer_name("index.things"))
        return bool(info.num_ack_pending == 0 and info.ack_floor.stream_seq == 3)

    await wait_until_async(everything_settled, timeout=10)
    assert collector.ids == [event.id]


async def test_a_deleted_stream_and_consumer_are_recreated_and_delivery_resumes(
    make_transport: Callable[..., NatsTransport],
    jetstream: JetStreamContext,
    names: Names,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nats_transport, "_CONSUMER_CHECK_SECONDS", 0.2)
    transport = await started(make_transport())
    collector = Collector()
    await transport.subscribe("index.things", THINGS, collector, max_in_flight=1)
    first = envelope()
    await transport.publish([first])
    await wait_until_async(lambda: first.id in collector.ids, timeout=10)

    await jetstream.delete_stream(names.stream)
    second = envelope()
    with pytest.raises(TransportError):
        await transport.publish([second])
    await transport.publish([second])  # the relay's next try

    await wait_until_async(lambda: second.id in collector.ids, timeout=10)
    assert collector.ids == [first.id, second.id]


async def test_ping_and_publish_need_a_started_transport(
    make_transport: Callable[..., NatsTransport],
) -> None:
    transport = make_transport()
    with pytest.raises(TransportError):
        await transport.ping()
    with pytest.raises(TransportError):
        await transport.publish([envelope()])

    await transport.start()
    await transport.ping()
    await transport.close()

    with pytest.raises(TransportError):
        await transport.ping()


async def test_start_fails_with_a_transport_error_when_no_server_answers() -> None:
    transport = NatsTransport(
        url=f"nats://127.0.0.1:{free_port()}",
        stream="TEST_NOWHERE",
        subject_prefix="test.nowhere",
        duplicate_window_seconds=120.0,
        ack_wait_seconds=30.0,
        max_deliver=10,
    )

    with pytest.raises(TransportError, match="cannot connect"):
        await transport.start()
    await transport.close()


def test_consumer_names_are_valid_and_distinct() -> None:
    assert consumer_name("index_content") == "index_content"
    dotted = consumer_name("index.content")
    assert dotted.startswith("index_content-")
    assert dotted != consumer_name("index content")
    assert consumer_name("index.content") == dotted
    with pytest.raises(ValueError, match="name"):
        consumer_name("")


@pytest.fixture
async def private_server(tmp_path: Path) -> AsyncIterator[NatsServerProcess]:
    """Requested before `make_transport`, so transports close before the server stops."""
    server = NatsServerProcess(nats_server_binary(), tmp_path)
    await server.start()
    yield server
    await server.stop()


async def test_nothing_is_lost_or_doubled_across_a_server_restart(
    private_server: NatsServerProcess,
    make_transport: Callable[..., NatsTransport],
    names: Names,
) -> None:
    transport = await started(make_transport(url=private_server.url))
    group, broadcast = Collector(), Collector()
    await transport.subscribe("index.things", THINGS, group, max_in_flight=1)
    await transport.subscribe_broadcast("cache.things", THINGS, broadcast)
    before = [envelope(n=n) for n in range(20)]
    await transport.publish(before)
    await wait_until_async(lambda: len(group.ids) >= 20 and len(broadcast.ids) >= 20)
    # Acks travel asynchronously: let them land, or the restart would rightly redeliver.
    await wait_until_async(nothing_pending(private_server.url, names.stream), timeout=10)

    await private_server.stop()
    await wait_until_async(answers(transport, expected=False), timeout=10)
    during = [envelope(n=n) for n in range(20, 30)]
    with pytest.raises(TransportError):
        await transport.publish(during)

    await private_server.start()
    await wait_until_async(answers(transport, expected=True), timeout=30)
    after = [envelope(n=n) for n in range(30, 50)]
    await transport.publish(during)  # the relay re-sends what failed
    await transport.publish(after)
    last = envelope()
    await transport.publish([last])

    await wait_until_async(lambda: last.id in group.ids and last.id in broadcast.ids, timeout=30)
    expected = [event.id for event in [*before, *during, *after, last]]
    assert group.ids == expected
    assert broadcast.ids == expected


def answers(transport: NatsTransport, *, expected: bool) -> Callable[[], Awaitable[bool]]:
    """A condition: whether `ping` succeeds is `expected`."""

    async def check() -> bool:
        try:
            await transport.ping()
        except TransportError:
            return not expected
        return expected

    return check


def nothing_pending(url: str, stream: str) -> Callable[[], Awaitable[bool]]:
    """A condition: no consumer of `stream` waits for an ack."""

    async def check() -> bool:
        nc = await nats.connect(url)
        try:
            consumers = await nc.jetstream().consumers_info(stream)
        finally:
            await nc.close()
        return all(consumer.num_ack_pending == 0 for consumer in consumers)

    return check
