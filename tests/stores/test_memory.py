"""The in-process stores on a clock the test moves: exact windows and bounded memory."""

from __future__ import annotations

import pytest

from rustok.stores.memory import MemoryStores


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stores(clock: FakeClock) -> MemoryStores:
    return MemoryStores(clock=clock, sweep_interval_seconds=10)


async def test_the_101st_request_within_the_window_is_refused(
    stores: MemoryStores, clock: FakeClock
) -> None:
    for _ in range(100):
        assert (await stores.rate_limits.hit("ip", 100, 60)).allowed is True
        clock.now += 0.5

    refused = await stores.rate_limits.hit("ip", 100, 60)

    assert refused.allowed is False
    assert refused.remaining == 0
    # The first request was 50 s ago, so a slot frees in exactly 10 s.
    assert refused.reset_after_seconds == pytest.approx(10.0)


async def test_the_window_slides_one_request_at_a_time(
    stores: MemoryStores, clock: FakeClock
) -> None:
    for _ in range(3):
        await stores.rate_limits.hit("ip", 3, 60)
        clock.now += 10  # requests at t=0, 10, 20

    clock.now = 1000.0 + 59.999
    assert (await stores.rate_limits.hit("ip", 3, 60)).allowed is False

    clock.now = 1000.0 + 60.0
    freed = await stores.rate_limits.hit("ip", 3, 60)
    refused = await stores.rate_limits.hit("ip", 3, 60)

    assert freed.allowed is True
    assert freed.remaining == 0
    assert refused.allowed is False
    assert refused.reset_after_seconds == pytest.approx(10.0)  # the t=10 request leaves next


async def test_idle_keys_are_swept_so_memory_stays_bounded(
    stores: MemoryStores, clock: FakeClock
) -> None:
    for number in range(1000):
        await stores.rate_limits.hit(f"ip-{number}", 5, 60)
        await stores.kv.set(f"key-{number}", b"v", 30)
    assert len(stores.rate_limits) == 1000
    assert len(stores.kv) == 1000

    clock.now += 61
    await stores.rate_limits.hit("fresh", 5, 60)
    await stores.kv.set("fresh", b"v", 30)

    assert len(stores.rate_limits) == 1
    assert len(stores.kv) == 1


async def test_keys_still_in_their_window_survive_the_sweep(
    stores: MemoryStores, clock: FakeClock
) -> None:
    await stores.rate_limits.hit("long-window", 1, 3600)
    await stores.kv.set("long-ttl", b"v", 3600)

    clock.now += 61
    await stores.rate_limits.hit("other", 1, 60)
    await stores.kv.set("other", b"v", 60)

    assert (await stores.rate_limits.hit("long-window", 1, 3600)).allowed is False
    assert await stores.kv.get("long-ttl") == b"v"


async def test_an_expired_value_is_dropped_when_read(
    stores: MemoryStores, clock: FakeClock
) -> None:
    await stores.kv.set("key", b"v", 5)

    clock.now += 5

    assert await stores.kv.get("key") is None
    assert len(stores.kv) == 0


async def test_broadcast_delivers_before_publish_returns(stores: MemoryStores) -> None:
    received: list[str] = []

    async def handler(message: str) -> None:
        received.append(message)

    await stores.broadcast.subscribe("channel", handler)
    await stores.broadcast.publish("channel", "now")

    assert received == ["now"]


async def test_close_drops_the_subscribers(stores: MemoryStores) -> None:
    received: list[str] = []

    async def handler(message: str) -> None:
        received.append(message)

    await stores.broadcast.subscribe("channel", handler)
    await stores.close()
    await stores.broadcast.publish("channel", "late")

    assert received == []
