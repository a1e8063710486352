"""What every store backend must do alike (memory and Redis), then what only Redis must add."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import pytest
import redis.asyncio

from rustok.core.errors import Unavailable
from rustok.stores.memory import MemoryStores
from rustok.stores.redis import RedisStores
from rustok.testing.services import need, redis_url, wait_until_async

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from rustok.stores.base import MessageHandler, Stores


def _namespace() -> str:
    """A key prefix no other test (or run) shares, so nothing needs flushing."""
    return f"rustok-test:{uuid.uuid4().hex}:"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    backend: Stores
    if request.param == "redis":
        need("Redis", redis_url(), 6379)
        backend = RedisStores(redis_url(), namespace=_namespace())
    else:
        backend = MemoryStores()
    yield backend
    await backend.close()


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[RedisStores, RedisStores]]:
    """Two instances on one Redis and one namespace, as two replicas of the app would be."""
    need("Redis", redis_url(), 6379)
    namespace = _namespace()
    first = RedisStores(redis_url(), namespace=namespace)
    second = RedisStores(redis_url(), namespace=namespace)
    yield first, second
    await first.close()
    await second.close()


def _collector() -> tuple[list[str], MessageHandler]:
    received: list[str] = []

    async def handler(message: str) -> None:
        received.append(message)

    return received, handler


def _has(received: list[str], expected: list[str]) -> Callable[[], bool]:
    return lambda: received == expected


# --- key-value ----------------------------------------------------------------------------


async def test_a_value_is_stored_read_and_deleted(stores: Stores) -> None:
    await stores.kv.set("greeting", b"hello", 60)
    await stores.kv.set("other", b"\x00\xffbinary", 60)

    assert await stores.kv.get("greeting") == b"hello"
    assert await stores.kv.get("other") == b"\x00\xffbinary"
    assert await stores.kv.get("absent") is None

    await stores.kv.delete("greeting", "absent")

    assert await stores.kv.get("greeting") is None
    assert await stores.kv.get("other") == b"\x00\xffbinary"


async def test_setting_again_replaces_the_value(stores: Stores) -> None:
    await stores.kv.set("key", b"one", 60)
    await stores.kv.set("key", b"two", 60)

    assert await stores.kv.get("key") == b"two"


async def test_a_value_expires_after_its_ttl(stores: Stores) -> None:
    await stores.kv.set("short", b"v", 0.05)
    await stores.kv.set("long", b"v", 60)

    async def expired() -> bool:
        return await stores.kv.get("short") is None

    await wait_until_async(expired, timeout=5)
    assert await stores.kv.get("long") == b"v"


# --- rate limits --------------------------------------------------------------------------


async def test_the_limit_allows_exactly_n_requests_then_refuses(stores: Stores) -> None:
    decisions = [await stores.rate_limits.hit("client", 3, 60) for _ in range(5)]

    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
    assert {d.limit for d in decisions} == {3}
    refused = decisions[3]
    assert 59 < refused.reset_after_seconds <= 60


async def test_keys_are_counted_separately(stores: Stores) -> None:
    for _ in range(2):
        await stores.rate_limits.hit("first", 2, 60)

    refused = await stores.rate_limits.hit("first", 2, 60)
    other = await stores.rate_limits.hit("second", 2, 60)

    assert refused.allowed is False
    assert other.allowed is True
    assert other.remaining == 1


async def test_hit_each_spends_keys_in_turn_and_stops_at_the_first_refusal(
    stores: Stores,
) -> None:
    await stores.rate_limits.hit("caller", 1, 60)  # the caller's only request
    await stores.rate_limits.hit("tenant", 5, 30)

    allowed = await stores.rate_limits.hit_each([("other", 2, 60), ("tenant", 5, 30)])
    refused = await stores.rate_limits.hit_each([("caller", 1, 60), ("tenant", 5, 30)])
    after = await stores.rate_limits.hit("tenant", 5, 30)

    assert [(d.allowed, d.limit, d.remaining) for d in allowed] == [(True, 2, 1), (True, 5, 3)]
    assert 29 < allowed[1].reset_after_seconds <= 30
    assert [(d.allowed, d.limit) for d in refused] == [(False, 1)]
    assert after.remaining == 2  # the refused call spent nothing of the tenant


async def test_reset_forgets_every_counted_request(stores: Stores) -> None:
    for _ in range(2):
        await stores.rate_limits.hit("client", 2, 60)

    await stores.rate_limits.reset("client")
    await stores.rate_limits.reset("never-counted")  # nothing to forget is not an error
    decision = await stores.rate_limits.hit("client", 2, 60)

    assert decision.allowed is True
    assert decision.remaining == 1


async def test_a_request_is_allowed_again_once_the_oldest_leaves_the_window(
    stores: Stores,
) -> None:
    window = 0.3
    assert (await stores.rate_limits.hit("client", 1, window)).allowed is True
    refused = await stores.rate_limits.hit("client", 1, window)
    assert refused.allowed is False
    assert 0 < refused.reset_after_seconds <= window

    async def allowed_again() -> bool:
        return (await stores.rate_limits.hit("client", 1, window)).allowed

    # Refused hits are not counted, so polling does not push the window further out.
    await wait_until_async(allowed_again, timeout=5)
    assert (await stores.rate_limits.hit("client", 1, window)).allowed is False


async def test_concurrent_hits_never_exceed_the_limit(stores: Stores) -> None:
    decisions = await asyncio.gather(*(stores.rate_limits.hit("burst", 50, 60) for _ in range(100)))

    assert sum(d.allowed for d in decisions) == 50
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(50))


async def test_a_limit_below_one_is_a_programming_error(stores: Stores) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await stores.rate_limits.hit("client", 0, 60)


# --- broadcast ----------------------------------------------------------------------------


async def test_a_published_message_reaches_every_subscriber_of_its_channel(
    stores: Stores,
) -> None:
    first, first_handler = _collector()
    second, second_handler = _collector()
    elsewhere, elsewhere_handler = _collector()
    await stores.broadcast.subscribe("news", first_handler)
    await stores.broadcast.subscribe("news", second_handler)
    await stores.broadcast.subscribe("sport", elsewhere_handler)

    await stores.broadcast.publish("news", "one")
    await stores.broadcast.publish("news", "two")

    await wait_until_async(_has(first, ["one", "two"]), timeout=5)
    await wait_until_async(_has(second, ["one", "two"]), timeout=5)
    await stores.broadcast.publish("sport", "marker")
    await wait_until_async(_has(elsewhere, ["marker"]), timeout=5)


async def test_concurrent_first_subscriptions_are_all_live_when_they_return(
    stores: Stores,
) -> None:
    received, handler = _collector()
    channels = [f"channel-{number}" for number in range(20)]

    await asyncio.gather(*(stores.broadcast.subscribe(channel, handler) for channel in channels))
    for channel in channels:
        await stores.broadcast.publish(channel, channel)

    await wait_until_async(lambda: sorted(received) == sorted(channels), timeout=5)


async def test_a_failing_handler_does_not_stop_delivery(stores: Stores) -> None:
    received, handler = _collector()

    async def broken(message: str) -> None:
        raise RuntimeError(message)

    await stores.broadcast.subscribe("news", broken)
    await stores.broadcast.subscribe("news", handler)

    await stores.broadcast.publish("news", "first")
    await stores.broadcast.publish("news", "second")

    await wait_until_async(_has(received, ["first", "second"]), timeout=5)


async def test_ping_answers_when_the_backend_is_up(stores: Stores) -> None:
    await stores.ping()


# --- generations --------------------------------------------------------------------------


async def test_a_tag_holds_until_its_key_is_bumped(stores: Stores) -> None:
    key, other = f"gen:{uuid.uuid4()}", f"gen:{uuid.uuid4()}"
    before = await stores.generations.read([key, other])
    assert await stores.generations.read([key, other]) == before

    await stores.generations.bump([key])

    after = await stores.generations.read([key, other])
    assert after[0] != before[0]
    assert after[1] == before[1]


# --- Redis only: what makes it shareable between replicas --------------------------------


@pytest.mark.redis
async def test_two_instances_share_one_limit_exactly(
    redis_pair: tuple[RedisStores, RedisStores],
) -> None:
    first, second = redis_pair

    decisions = await asyncio.gather(
        *((first if i % 2 else second).rate_limits.hit("shared-client", 50, 60) for i in range(100))
    )

    assert sum(d.allowed for d in decisions) == 50
    assert (await first.rate_limits.hit("shared-client", 50, 60)).allowed is False
    assert (await second.rate_limits.hit("shared-client", 50, 60)).allowed is False


@pytest.mark.redis
async def test_a_broadcast_reaches_the_other_instance(
    redis_pair: tuple[RedisStores, RedisStores],
) -> None:
    first, second = redis_pair
    on_first, first_handler = _collector()
    on_second, second_handler = _collector()
    await first.broadcast.subscribe("invalidate", first_handler)
    await second.broadcast.subscribe("invalidate", second_handler)

    # subscribe() returned, so the subscription is live: one publish must reach both.
    await second.broadcast.publish("invalidate", "tenant-1")

    await wait_until_async(_has(on_first, ["tenant-1"]), timeout=5)
    await wait_until_async(_has(on_second, ["tenant-1"]), timeout=5)


@pytest.mark.redis
async def test_namespaces_keep_instances_apart() -> None:
    need("Redis", redis_url(), 6379)
    first = RedisStores(redis_url(), namespace=_namespace())
    second = RedisStores(redis_url(), namespace=_namespace())
    try:
        await first.kv.set("key", b"first", 60)
        await first.rate_limits.hit("client", 1, 60)

        assert await second.kv.get("key") is None
        assert (await second.rate_limits.hit("client", 1, 60)).allowed is True
    finally:
        await first.close()
        await second.close()


@pytest.mark.redis
async def test_the_listener_reconnects_after_the_connection_is_killed(
    redis_pair: tuple[RedisStores, RedisStores],
) -> None:
    listener, publisher = redis_pair
    received, handler = _collector()
    await listener.broadcast.subscribe("invalidate", handler)
    await publisher.broadcast.publish("invalidate", "before")
    await wait_until_async(_has(received, ["before"]), timeout=5)

    killed = await _kill_pubsub_connections(listener.client_name)
    assert killed == 1

    async def delivered_after_reconnect() -> bool:
        # Messages sent while the listener is away are lost (pub/sub), so keep sending.
        await publisher.broadcast.publish("invalidate", "after")
        return "after" in received

    await wait_until_async(delivered_after_reconnect, timeout=10, interval=0.05)


@pytest.mark.redis
async def test_a_refused_request_stays_refused_for_the_whole_window_by_the_server_clock(
    redis_pair: tuple[RedisStores, RedisStores],
) -> None:
    limits = redis_pair[0].rate_limits
    window = 0.4
    admin = redis.asyncio.Redis.from_url(redis_url())
    try:
        # The script judges by Redis's TIME, so the test reads the same clock around each hit.
        counted_no_earlier_than = await _server_time(admin)
        assert (await limits.hit("client", 1, window)).allowed is True
        refused_until_allowed: list[tuple[float, bool]] = []

        async def allowed_again() -> bool:
            allowed = (await limits.hit("client", 1, window)).allowed
            refused_until_allowed.append((await _server_time(admin), allowed))
            return allowed

        await wait_until_async(allowed_again, timeout=5)
    finally:
        await admin.aclose()

    # A hit that the server answered less than `window` after the counted one (an upper bound
    # on its distance) must have been refused; polling every 10 ms yields many such hits.
    inside = [
        allowed for at, allowed in refused_until_allowed if at - counted_no_earlier_than < window
    ]
    assert len(inside) >= 5
    assert not any(inside)


async def _server_time(client: redis.asyncio.Redis) -> float:
    seconds, microseconds = await client.time()
    return float(seconds) + microseconds / 1_000_000


async def _kill_pubsub_connections(client_name: str) -> int:
    admin = redis.asyncio.Redis.from_url(redis_url())
    try:
        killed = 0
        for client in await admin.client_list(_type="pubsub"):
            if client.get("name") == client_name:
                killed += await admin.client_kill_filter(_id=client["id"])
        return killed
    finally:
        await admin.aclose()


async def test_ping_raises_unavailable_when_redis_is_unreachable() -> None:
    stores = RedisStores("redis://127.0.0.1:1/0", connect_timeout_seconds=0.5)
    try:
        with pytest.raises(Unavailable):
            await stores.ping()
    finally:
        await stores.close()


async def test_replicas_read_the_same_tags_and_see_each_others_bumps(
    redis_pair: tuple[RedisStores, RedisStores],
) -> None:
    first, second = redis_pair
    keys = ["gen:tenant", "gen:tenant:user"]
    seen = await first.generations.read(keys)
    assert await second.generations.read(keys) == seen

    await second.generations.bump(keys[1:])

    assert (await first.generations.read(keys))[1] != seen[1]


async def test_a_vanished_generation_comes_back_with_a_tag_it_never_had() -> None:
    need("Redis", redis_url(), 6379)
    namespace, key = _namespace(), "gen:evicted"
    stores = RedisStores(redis_url(), namespace=namespace)
    client = redis.asyncio.Redis.from_url(redis_url())
    try:
        seen = {(await stores.generations.read([key]))[0]}
        for _ in range(3):
            await stores.generations.bump([key])
            seen.add((await stores.generations.read([key]))[0])
        await client.delete(namespace + key)  # an eviction, a flushed server

        assert (await stores.generations.read([key]))[0] not in seen
    finally:
        await client.aclose()
        await stores.close()
