"""Redis stores for the distributed mode: every replica shares caches, counters and broadcasts.

This is the only module that imports `redis`. Driver errors leave it as
`rustok.core.errors.Unavailable`, so callers handle an unreachable store without knowing
which backend is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import uuid
from typing import TYPE_CHECKING, Any, cast

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from rustok.core.errors import Unavailable
from rustok.stores.base import (
    Broadcast,
    Generations,
    KeyValueStore,
    RateLimitDecision,
    RateLimitStore,
    Stores,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from redis.asyncio.client import PubSub

    from rustok.stores.base import MessageHandler

log = structlog.get_logger(__name__)

# Atomic steps of exact sliding-window logs, each kept in a sorted set (score = microseconds).
# The clock is the Redis server's TIME, so every replica judges the window by the same clock.
# KEYS the logs, in order; ARGV[1] a unique member; then per key its limit and its window in
# microseconds. Each key in turn until one refuses (the keys after it are not spent) adds
# {allowed (0|1), requests counted in the window, microseconds until the oldest counted
# request leaves the window} to the answer. A request spends all its budgets in one call.
_SLIDING_WINDOW_LUA = """
if redis.replicate_commands then
  -- Redis < 5 must be told to replicate effects before a script calls TIME and then writes.
  redis.replicate_commands()
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local answer = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  local allowed = 0
  if count < limit then
    redis.call('ZADD', key, now, ARGV[1])
    count = count + 1
    allowed = 1
  end
  local reset = 0
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if oldest[2] then
    reset = tonumber(oldest[2]) + window - now
  end
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  answer[#answer + 1] = allowed
  answer[#answer + 1] = count
  answer[#answer + 1] = reset
  if allowed == 0 then
    break
  end
end
return answer
"""


# The tag of each of KEYS; a key without one gets ARGV[1] (a fresh random tag) first. A key
# that vanished (an eviction, a flushed server) so starts again from a tag it never had, where
# a counter would restart at a value some cache entry may still hold.
_GENERATIONS_LUA = """
local answer = {}
for i, key in ipairs(KEYS) do
  local tag = redis.call('GET', key)
  if not tag then
    redis.call('SET', key, ARGV[1])
    tag = ARGV[1]
  end
  answer[i] = tag
end
return answer
"""


@contextlib.contextmanager
def _unavailable(operation: str) -> Iterator[None]:
    try:
        yield
    except RedisError as error:
        raise Unavailable(f"Redis {operation} failed ({type(error).__name__}).") from error


class RedisKeyValueStore(KeyValueStore):
    def __init__(self, client: aioredis.Redis, *, namespace: str) -> None:
        self._client = client
        self._namespace = namespace

    async def get(self, key: str) -> bytes | None:
        with _unavailable("GET"):
            value = await self._client.get(self._namespace + key)
        # The client is built without decode_responses, so values come back as bytes.
        return cast("bytes | None", value)

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        with _unavailable("SET"):
            await self._client.set(
                self._namespace + key, value, px=max(1, math.ceil(ttl_seconds * 1000))
            )

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        with _unavailable("DEL"):
            await self._client.delete(*(self._namespace + key for key in keys))


class RedisRateLimitStore(RateLimitStore):
    """An exact sliding-window log per key, updated atomically by one Lua script."""

    def __init__(self, client: aioredis.Redis, *, namespace: str) -> None:
        self._client = client
        self._namespace = namespace
        self._script = client.register_script(_SLIDING_WINDOW_LUA)

    async def hit(self, key: str, limit: int, window_seconds: float) -> RateLimitDecision:
        [decision] = await self.hit_each([(key, limit, window_seconds)])
        return decision

    async def hit_each(self, hits: Sequence[tuple[str, int, float]]) -> list[RateLimitDecision]:
        keys: list[str] = []
        args: list[int | str] = [uuid.uuid4().hex]
        for key, limit, window_seconds in hits:
            if limit < 1:
                raise ValueError("limit must be at least 1")
            keys.append(self._namespace + key)
            args += [limit, max(1, round(window_seconds * 1_000_000))]
        with _unavailable("rate limit script"):
            result: list[int] = await self._script(keys=keys, args=args)
        decisions = []
        for (_, limit, _), start in zip(hits, range(0, len(result), 3), strict=False):
            allowed, count, reset_us = (int(value) for value in result[start : start + 3])
            decisions.append(
                RateLimitDecision(
                    allowed=bool(allowed),
                    limit=limit,
                    remaining=max(0, limit - count),
                    reset_after_seconds=reset_us / 1_000_000,
                )
            )
        return decisions

    async def reset(self, key: str) -> None:
        with _unavailable("DEL"):
            await self._client.delete(self._namespace + key)


def _new_tag() -> str:
    return uuid.uuid4().hex


class RedisGenerations(Generations):
    """Random tags, one string key each (no expiry: a key per tenant and per user who changed)."""

    def __init__(self, client: aioredis.Redis, *, namespace: str) -> None:
        self._client = client
        self._namespace = namespace
        self._script = client.register_script(_GENERATIONS_LUA)

    async def read(self, keys: Sequence[str]) -> tuple[str, ...]:
        names = [self._namespace + key for key in keys]
        # A plain MGET costs the client about half of a script call; the script only for a
        # key that has no tag yet (once per tenant and user, or after an eviction).
        with _unavailable("MGET"):
            found = cast("list[bytes | None]", await self._client.mget(names))
        if None in found:
            with _unavailable("generations script"):
                found = cast(
                    "list[bytes | None]", await self._script(keys=names, args=[_new_tag()])
                )
        return tuple(tag.decode() if tag is not None else "" for tag in found)

    async def bump(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        with _unavailable("MSET"):
            await self._client.mset({self._namespace + key: _new_tag() for key in keys})


class RedisBroadcast(Broadcast):
    """PUBLISH / SUBSCRIBE over one dedicated connection read by a background listener task.

    The listener starts with the first subscription. When the connection drops it reconnects
    with exponential backoff (with jitter, capped) and subscribes to every channel again;
    messages published while it was away are lost, which is what pub/sub promises and why
    every cache that listens also has a TTL. Handlers run one at a time in arrival order.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        namespace: str,
        subscribe_timeout_seconds: float,
        idle_poll_seconds: float = 30.0,
        backoff_initial_seconds: float = 0.1,
        backoff_max_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._subscribe_timeout = subscribe_timeout_seconds
        self._idle_poll = idle_poll_seconds
        self._backoff_initial = backoff_initial_seconds
        self._backoff_max = backoff_max_seconds
        self._handlers: dict[str, list[MessageHandler]] = {}
        self._confirmed: set[str] = set()
        """Channels Redis has confirmed on the current connection."""
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._pubsub: PubSub | None = None
        """The listener's connection, once its subscriptions are sent; None while reconnecting."""
        self._listener: asyncio.Task[None] | None = None
        self._closed = False

    async def publish(self, channel: str, message: str) -> None:
        with _unavailable("PUBLISH"):
            await self._client.publish(self._namespace + channel, message)

    async def subscribe(self, channel: str, handler: MessageHandler) -> None:
        """Return once Redis confirms the subscription, so a publish right after is received.

        Raises `Unavailable` when Redis does not confirm within the subscribe timeout.
        """
        if self._closed:
            raise RuntimeError("the broadcast is closed")
        self._handlers.setdefault(channel, []).append(handler)
        if channel in self._confirmed:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel, []).append(waiter)
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="rustok-redis-broadcast")
        elif self._pubsub is not None:
            # Without a live connection the listener subscribes to this channel itself when
            # it (re)connects; a failure here is not final either, for the same reason.
            with contextlib.suppress(RedisError):
                await self._pubsub.subscribe(self._namespace + channel)
        try:
            async with asyncio.timeout(self._subscribe_timeout):
                await waiter
        except TimeoutError:
            handlers = self._handlers.get(channel, [])
            if handler in handlers:
                handlers.remove(handler)
            raise Unavailable(
                f"Redis did not confirm the subscription to {channel!r} "
                f"within {self._subscribe_timeout}s."
            ) from None
        finally:
            pending = self._waiters.get(channel, [])
            if waiter in pending:
                pending.remove(waiter)

    async def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            self._listener.cancel()
            # wait() rather than await: the task ends cancelled, and that is not our error.
            await asyncio.wait([self._listener])
            self._listener = None
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(RuntimeError("the broadcast is closed"))
        self._waiters.clear()
        self._handlers.clear()

    async def _listen(self) -> None:
        delay = self._backoff_initial
        while not self._closed:
            pubsub = self._client.pubsub()
            try:
                channels = self._channels()
                await pubsub.subscribe(*(self._namespace + channel for channel in channels))
                self._pubsub = pubsub
                # Channels added while the first SUBSCRIBE was in flight were not in it.
                late = self._channels() - channels
                if late:
                    await pubsub.subscribe(*(self._namespace + channel for channel in late))
                delay = self._backoff_initial
                while True:
                    message = await pubsub.get_message(timeout=self._idle_poll)
                    if message is not None:
                        await self._dispatch(message)
            except Exception as error:
                # Whatever broke, the listener must outlive it: a dead listener would silently
                # stop cache invalidation on this replica.
                retry_in = delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto
                log.warning(
                    "broadcast.connection_lost",
                    error=type(error).__name__,
                    detail=str(error)[:200],
                    retry_in_seconds=round(retry_in, 3),
                )
                delay = min(delay * 2, self._backoff_max)
            finally:
                self._confirmed.clear()
                self._pubsub = None
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call] # untyped in redis-py
            await asyncio.sleep(retry_in)

    def _channels(self) -> set[str]:
        return {*self._handlers, *self._waiters}

    async def _dispatch(self, message: dict[str, Any]) -> None:
        channel = _text(message["channel"]).removeprefix(self._namespace)
        kind = message["type"]
        if kind == "subscribe":
            self._confirmed.add(channel)
            for waiter in self._waiters.pop(channel, []):
                if not waiter.done():
                    waiter.set_result(None)
        elif kind == "message":
            data = _text(message["data"])
            for handler in tuple(self._handlers.get(channel, ())):
                try:
                    await handler(data)
                except Exception:
                    log.exception("broadcast.handler_failed", channel=channel)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisStores(Stores):
    """Stores shared by every process pointed at one Redis.

    `namespace` prefixes every key and channel, so deployments (or tests) can share a
    server without seeing each other. Each instance names its connections
    `client_name` (visible in `CLIENT LIST`).
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "",
        connect_timeout_seconds: float = 2.0,
        command_timeout_seconds: float = 5.0,
    ) -> None:
        self.client_name = f"rustok-{uuid.uuid4().hex[:12]}"
        self._client = aioredis.Redis.from_url(
            url,
            client_name=self.client_name,
            socket_connect_timeout=connect_timeout_seconds,
            socket_timeout=command_timeout_seconds,
            socket_keepalive=True,
            # Idle connections (the pub/sub one above all) are pinged before reuse, so a
            # connection that died silently is noticed and replaced.
            health_check_interval=30,
        )
        self.kv: RedisKeyValueStore = RedisKeyValueStore(self._client, namespace=namespace)
        self.rate_limits: RedisRateLimitStore = RedisRateLimitStore(
            self._client, namespace=namespace
        )
        self.broadcast: RedisBroadcast = RedisBroadcast(
            self._client, namespace=namespace, subscribe_timeout_seconds=command_timeout_seconds
        )
        self.generations: RedisGenerations = RedisGenerations(self._client, namespace=namespace)

    async def ping(self) -> None:
        with _unavailable("PING"):
            await self._client.ping()

    async def close(self) -> None:
        await self.broadcast.close()
        await self._client.aclose()
