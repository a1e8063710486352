"""The distributed transport: NATS JetStream.

One stream holds every event under `<subject_prefix>.<event_type>`. The event id is the
JetStream message id, so when the relay re-sends an event (after a failed or unconfirmed
publish) within the duplicate window, the server drops the copy.

A consumer group is a durable pull consumer named after the group: every process of the group
fetches from it, so each event goes to one member, and the position survives restarts of both
the process and the server. A broadcast subscription is a pull consumer of its own per
transport instance (process) that starts at the end of the stream and is removed by the server
once the process stops asking for messages.

Every fetch loop survives NATS outages: the client reconnects forever with backoff, the loop
waits for the connection, then makes sure its consumer still exists before fetching again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import random
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import nats
import nats.errors
import nats.js.errors
import structlog
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from rustok.events.envelope import EventEnvelope
from rustok.events.errors import TransportError
from rustok.events.transport.base import Delivery, EventTransport

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from nats.aio.client import Client, Server
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext

    from rustok.events.transport.base import DeliveryHandler

log = structlog.get_logger(__name__)

_CONNECT_ATTEMPTS = 3
_CONNECT_WAIT_SECONDS = 1.0
_REQUEST_TIMEOUT_SECONDS = 5.0
"""How long a publish waits for its JetStream ack, and an API call for its answer."""
_PUBLISH_CHUNK = 1000
"""Publishes in flight at once: enough to fill the pipe, few enough to bound memory."""
_FETCH_BATCH = 256
_FETCH_WAIT_SECONDS = 2.0
"""A long poll: short enough that a pull request lost in a server restart is soon renewed."""
_RETRY_BASE_SECONDS = 0.1
_RETRY_CAP_SECONDS = 5.0
_STREAM_SETUP_ATTEMPTS = 5
_CONSUMER_CHECK_SECONDS = 30.0
"""How often a fetch loop makes sure its consumer exists: a fetch from a deleted consumer
only ever times out, so without a check the loop would wait forever."""
_BROADCAST_INACTIVE_SECONDS = 60.0
"""A broadcast consumer whose process died is deleted by the server after this long idle."""
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


def _retry_delay(failures: int) -> float:
    """0 for the first try, then exponential with equal jitter, capped."""
    if failures <= 0:
        return 0.0
    ceiling = min(_RETRY_CAP_SECONDS, _RETRY_BASE_SECONDS * 2 ** (failures - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


def consumer_name(group: str) -> str:
    """A valid JetStream consumer name for `group`, stable across processes.

    Characters NATS does not allow become `_`; then a short hash of the original name keeps
    groups that differ only in those characters ("a.b", "a_b") from sharing a consumer.
    """
    if not group:
        raise ValueError("a consumer group needs a name")
    safe = _UNSAFE_NAME.sub("_", group)
    if safe == group:
        return group
    digest = hashlib.blake2s(group.encode(), digest_size=4).hexdigest()
    return f"{safe}-{digest}"


def _next_server(servers: list[Server], _info: dict[str, Any]) -> tuple[Server | None, float]:
    # Called by nats-py before every reconnect attempt: try the server that failed least
    # (so a cluster is walked round), and wait longer the more often it has failed.
    server = min(servers, key=lambda candidate: candidate.reconnects)
    return server, _retry_delay(server.reconnects)


class NatsDelivery(Delivery):
    """One JetStream message for one consumer. Settling twice is a no-op, and a settle that
    cannot reach the server is only logged: the server redelivers after `ack_wait`, and the
    consumer's ledger turns that into a no-op."""

    def __init__(self, msg: Msg, envelope: EventEnvelope, delivery_count: int) -> None:
        self._msg = msg
        self.envelope = envelope
        self.delivery_count = delivery_count
        self._settled = False

    async def ack(self) -> None:
        await self._settle("ack", self._msg.ack)

    async def nak(self, delay_seconds: float) -> None:
        await self._settle("nak", lambda: self._msg.nak(delay=max(delay_seconds, 0.0)))

    async def in_progress(self) -> None:
        if self._settled:
            return
        try:
            await self._msg.in_progress()
        except nats.errors.Error as error:
            self._log_failure("in_progress", error)

    async def _settle(self, action: str, send: Callable[[], Awaitable[None]]) -> None:
        if self._settled:
            return
        self._settled = True
        try:
            await send()
        except nats.errors.Error as error:
            self._log_failure(action, error)

    def _log_failure(self, action: str, error: Exception) -> None:
        log.warning(
            "events.nats.settle_failed",
            action=action,
            event_id=str(self.envelope.id),
            error=repr(error),
        )


@dataclass
class _Subscription:
    consumer: str
    event_types: frozenset[str]
    handler: DeliveryHandler
    broadcast: bool
    next_sequence: int = 1
    """Broadcast only: the stream sequence a re-created consumer starts from."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class NatsTransport(EventTransport):
    name = "nats"
    durable = True

    def __init__(
        self,
        *,
        url: str,
        stream: str,
        subject_prefix: str,
        duplicate_window_seconds: float,
        ack_wait_seconds: float,
        max_deliver: int,
    ) -> None:
        self._url = url
        self._stream = stream
        self._prefix = subject_prefix
        self._duplicate_window = duplicate_window_seconds
        self._ack_wait = ack_wait_seconds
        self._max_deliver = max_deliver
        self._instance = uuid.uuid4().hex[:12]
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._subscriptions: dict[str, _Subscription] = {}
        self._connected = asyncio.Event()
        self._generation = 0
        """Bumped on every reconnect: fetch loops then check that their consumer survived."""
        self._closing = False
        self._reconnect_callbacks: list[Callable[[], None]] = []

    def on_reconnected(self, callback: Callable[[], None]) -> None:
        self._reconnect_callbacks.append(callback)

    def _subject(self, event_type: str) -> str:
        return f"{self._prefix}.{event_type}"

    async def start(self) -> None:
        if self._nc is not None:
            return
        self._closing = False
        try:
            nc = await nats.connect(
                self._url,
                name=f"rustok-{self._instance}",
                max_reconnect_attempts=_CONNECT_ATTEMPTS,
                reconnect_time_wait=_CONNECT_WAIT_SECONDS,
                reconnect_to_server_handler=_next_server,
                error_cb=self._on_error,
                disconnected_cb=self._on_disconnected,
                reconnected_cb=self._on_reconnected,
                closed_cb=self._on_closed,
            )
        except Exception as error:
            raise TransportError(f"cannot connect to NATS at {self._url}: {error!r}") from error
        # No server at boot is a deployment error worth failing for; once connected, an outage
        # is weathered by reconnecting for as long as it lasts.
        nc.options["max_reconnect_attempts"] = -1
        self._nc = nc
        self._js = nc.jetstream(timeout=_REQUEST_TIMEOUT_SECONDS)
        self._connected.set()
        try:
            await self._set_up_stream(self._js)
        except Exception as error:
            await self.close()
            raise TransportError(f"cannot set up stream {self._stream}: {error!r}") from error
        log.info("events.nats.started", url=self._url, stream=self._stream)

    async def _set_up_stream(self, js: JetStreamContext) -> None:
        # A server busy with other streams (or electing a meta leader) answers the JetStream
        # API with a 5xx or not at all for a moment: that is worth a few tries, not a failed boot.
        for failures in range(_STREAM_SETUP_ATTEMPTS):
            await asyncio.sleep(_retry_delay(failures))
            try:
                await self._ensure_stream(js)
            except (
                nats.js.errors.ServerError,
                nats.js.errors.ServiceUnavailableError,
                TimeoutError,
            ) as error:
                last: Exception = error
            else:
                return
            log.warning("events.nats.stream_setup_retry", stream=self._stream, error=repr(last))
        raise last

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        # Create the stream, or bring an existing one to our settings while keeping what an
        # operator added (more subjects, limits such as max_age).
        wanted = StreamConfig(
            name=self._stream,
            subjects=[f"{self._prefix}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            duplicate_window=self._duplicate_window,
        )
        try:
            info = await js.stream_info(self._stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(wanted)
            return
        current = info.config
        subjects = list(current.subjects or [])
        if f"{self._prefix}.>" not in subjects:
            subjects.append(f"{self._prefix}.>")
        updated = dataclasses.replace(
            current,
            subjects=subjects,
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            duplicate_window=self._duplicate_window,
        )
        if updated != current:
            await js.update_stream(updated)

    async def close(self) -> None:
        self._closing = True
        subscriptions = list(self._subscriptions.values())
        self._subscriptions.clear()
        tasks = [task for subscription in subscriptions for task in subscription.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        nc, js = self._nc, self._js
        self._nc = self._js = None
        self._connected.clear()
        if nc is None or js is None:
            return
        if nc.is_connected:
            for subscription in subscriptions:
                if subscription.broadcast:
                    await self._delete_consumer(js, subscription.consumer)
        # Closing flushes what is still buffered (acks, naks) before the socket goes.
        await nc.close()

    async def _delete_consumer(self, js: JetStreamContext, consumer: str) -> None:
        try:
            await js.delete_consumer(self._stream, consumer)
        except Exception as error:
            # The server deletes it anyway once it has been idle for the inactive threshold.
            log.info("events.nats.consumer_not_deleted", consumer=consumer, error=repr(error))

    async def ping(self) -> None:
        _, js = self._live()
        try:
            await js.account_info()
        except Exception as error:
            raise TransportError(f"JetStream does not answer: {error!r}") from error

    async def backlog(self, groups: Sequence[str]) -> dict[str, int]:
        """From the server, so any process can tell (an API replica with no consumers too)."""
        _, js = self._live()
        found: dict[str, int] = {}
        for group in groups:
            try:
                info = await js.consumer_info(self._stream, consumer_name(group))
            except nats.js.errors.NotFoundError:
                continue
            except Exception as error:
                raise TransportError(f"cannot read consumer {group}: {error!r}") from error
            found[group] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return found

    def _live(self) -> tuple[Client, JetStreamContext]:
        if self._nc is None or self._js is None:
            raise TransportError("the NATS transport is not started")
        if not self._nc.is_connected:
            raise TransportError("not connected to NATS")
        return self._nc, self._js

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        # Failing fast while disconnected lets the relay back off instead of filling the
        # client's buffer with publishes nobody would confirm.
        _, js = self._live()
        for start in range(0, len(envelopes), _PUBLISH_CHUNK):
            chunk = envelopes[start : start + _PUBLISH_CHUNK]
            # Started in order on one connection, so the stream keeps the batch order.
            results = await asyncio.gather(
                *(self._publish_one(js, envelope) for envelope in chunk), return_exceptions=True
            )
            failures = [result for result in results if isinstance(result, BaseException)]
            if any(
                isinstance(failure, nats.js.errors.NoStreamResponseError) for failure in failures
            ):
                await self._restore_stream(js)
            if failures:
                raise TransportError(
                    f"JetStream did not accept {len(failures)} of {len(chunk)} events: "
                    f"{failures[0]!r}"
                ) from failures[0]

    async def _restore_stream(self, js: JetStreamContext) -> None:
        # No stream took the subject: it was deleted. Create it again so that the relay's
        # next try succeeds; this publish still fails, and the relay re-sends it.
        try:
            await self._ensure_stream(js)
        except Exception as error:
            log.warning("events.nats.stream_not_restored", stream=self._stream, error=repr(error))
        else:
            log.warning("events.nats.stream_restored", stream=self._stream)

    async def _publish_one(self, js: JetStreamContext, envelope: EventEnvelope) -> None:
        headers = {
            "Nats-Msg-Id": str(envelope.id),
            "Rustok-Event-Type": envelope.event_type,
            "Rustok-Schema-Version": str(envelope.schema_version),
        }
        if envelope.tenant_id is not None:
            headers["Rustok-Tenant-Id"] = str(envelope.tenant_id)
        await js.publish(
            self._subject(envelope.event_type),
            envelope.to_bytes(),
            timeout=_REQUEST_TIMEOUT_SECONDS,
            stream=self._stream,
            headers=headers,
        )

    # -- consuming -------------------------------------------------------------------------

    async def subscribe(
        self,
        group: str,
        event_types: frozenset[str],
        handler: DeliveryHandler,
        *,
        max_in_flight: int,
    ) -> None:
        """`max_in_flight` fetch loops share the group's consumer; each hands its messages to
        `handler` one at a time, in stream order, so with 1 the handler sees the stream order.
        """
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        subscription = _Subscription(consumer_name(group), event_types, handler, broadcast=False)
        await self._add(group, subscription, loops=max_in_flight)

    async def subscribe_broadcast(
        self, name: str, event_types: frozenset[str], handler: DeliveryHandler
    ) -> None:
        consumer = f"{consumer_name(name)}-bcast-{self._instance}"
        subscription = _Subscription(consumer, event_types, handler, broadcast=True)
        _, js = self._live()
        try:
            info = await js.stream_info(self._stream)
        except Exception as error:
            raise TransportError(f"cannot read stream {self._stream}: {error!r}") from error
        subscription.next_sequence = info.state.last_seq + 1
        await self._add(f"broadcast:{name}", subscription, loops=1)

    async def _add(self, key: str, subscription: _Subscription, *, loops: int) -> None:
        if not subscription.event_types:
            raise ValueError(f"{key!r} subscribes to no event types")
        if key in self._subscriptions:
            raise ValueError(f"{key!r} is subscribed twice")
        _, js = self._live()
        try:
            # Create or update: a group's consumer follows its current event types and
            # settings, and keeps its position.
            await js.add_consumer(self._stream, self._consumer_config(subscription))
        except Exception as error:
            raise TransportError(
                f"cannot create consumer {subscription.consumer}: {error!r}"
            ) from error
        self._subscriptions[key] = subscription
        subscription.tasks = [
            asyncio.create_task(
                self._consume(subscription), name=f"nats-consumer:{subscription.consumer}:{n}"
            )
            for n in range(loops)
        ]

    def _consumer_config(self, subscription: _Subscription) -> ConsumerConfig:
        config = ConsumerConfig(
            name=subscription.consumer,
            durable_name=subscription.consumer,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_deliver=self._max_deliver,
            deliver_policy=DeliverPolicy.ALL,
            **self._filter(subscription.event_types),
        )
        if subscription.broadcast:
            # A start sequence (not "new"), so a consumer re-created after an outage resumes
            # where this process stopped instead of skipping what was published meanwhile.
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = subscription.next_sequence
            config.inactive_threshold = _BROADCAST_INACTIVE_SECONDS
        return config

    def _filter(self, event_types: frozenset[str]) -> dict[str, Any]:
        subjects = sorted(self._subject(event_type) for event_type in event_types)
        if len(subjects) == 1:
            return {"filter_subject": subjects[0], "filter_subjects": None}
        if self._multi_filter_supported():
            return {"filter_subject": None, "filter_subjects": subjects}
        # Before nats-server 2.10 a consumer has one filter: take the whole prefix and skip
        # the other types here (`_handle` acks them).
        return {"filter_subject": f"{self._prefix}.>", "filter_subjects": None}

    def _multi_filter_supported(self) -> bool:
        if self._nc is None:
            return False
        version = self._nc.connected_server_version
        return (version.major, version.minor) >= (2, 10)

    async def _consume(self, subscription: _Subscription) -> None:
        js = self._js
        assert js is not None  # subscribe() checked the connection
        loop = asyncio.get_running_loop()
        pull: JetStreamContext.PullSubscription | None = None
        generation = self._generation
        next_check = loop.time() + _CONSUMER_CHECK_SECONDS
        failures = 0
        # Not `while True`: on Python 3.11 nats-py's wait_for can swallow our cancellation when
        # a message arrives at the same moment; the flag still ends the loop for close().
        while not self._closing:
            # Pull requests sent while disconnected would pile up in the client's buffer.
            await self._connected.wait()
            try:
                if generation != self._generation or loop.time() >= next_check:
                    generation = self._generation
                    next_check = loop.time() + _CONSUMER_CHECK_SECONDS
                    await self._ensure_consumer(js, subscription)
                if pull is None:
                    pull = await js.pull_subscribe_bind(
                        durable=subscription.consumer, stream=self._stream
                    )
                messages = await pull.fetch(_FETCH_BATCH, timeout=_FETCH_WAIT_SECONDS)
            except TimeoutError:
                failures = 0
                continue  # nothing to fetch (or the request was lost in an outage): ask again
            except Exception as error:
                failures += 1
                next_check = 0.0  # look for the cause (and repair it) before fetching again
                log.warning(
                    "events.nats.fetch_failed",
                    consumer=subscription.consumer,
                    failures=failures,
                    error=repr(error),
                )
                await asyncio.sleep(_retry_delay(failures))
                continue
            failures = 0
            for msg in messages:
                try:
                    await self._handle(subscription, msg)
                except Exception:
                    # Unsettled, so the server redelivers it after ack_wait; the loop goes on.
                    log.exception("events.nats.message_failed", consumer=subscription.consumer)

    async def _ensure_consumer(self, js: JetStreamContext, subscription: _Subscription) -> None:
        try:
            await js.consumer_info(self._stream, subscription.consumer)
        except nats.js.errors.NotFoundError:
            pass
        else:
            return
        # The server lost it (state wiped, stream deleted, an idle broadcast consumer removed
        # while we were away): create it again. A group starts over from the stream's first
        # message, which its ledger turns into no-ops; a broadcast resumes where it stopped.
        log.warning("events.nats.consumer_recreated", consumer=subscription.consumer)
        await self._ensure_stream(js)
        await js.add_consumer(self._stream, self._consumer_config(subscription))

    async def _handle(self, subscription: _Subscription, msg: Msg) -> None:
        metadata = msg.metadata
        if subscription.broadcast:
            subscription.next_sequence = metadata.sequence.stream + 1
        event_type = msg.subject.removeprefix(f"{self._prefix}.")
        if event_type not in subscription.event_types:
            await _skip(msg)
            return
        try:
            envelope = EventEnvelope.from_bytes(msg.data)
        except Exception as error:
            # It will not parse on redelivery either; keep the rest of the stream moving.
            log.error(
                "events.nats.undecodable",
                consumer=subscription.consumer,
                subject=msg.subject,
                stream_sequence=metadata.sequence.stream,
                error=repr(error),
            )
            await _terminate(msg)
            return
        delivery = NatsDelivery(msg, envelope, metadata.num_delivered)
        try:
            await subscription.handler(delivery)
        except Exception:
            # The dispatcher settles every delivery itself; reaching here is a bug there. The
            # message is redelivered after ack_wait.
            log.exception(
                "events.nats.handler_failed",
                consumer=subscription.consumer,
                event_id=str(envelope.id),
            )
        if subscription.broadcast:
            await delivery.ack()

    # -- connection callbacks --------------------------------------------------------------

    async def _on_error(self, error: Exception) -> None:
        log.warning("events.nats.error", url=self._url, error=repr(error))

    async def _on_disconnected(self) -> None:
        self._connected.clear()
        if not self._closing:
            log.warning("events.nats.disconnected", url=self._url)

    async def _on_reconnected(self) -> None:
        self._generation += 1
        self._connected.set()
        log.info("events.nats.reconnected", url=self._url)
        for callback in self._reconnect_callbacks:
            callback()

    async def _on_closed(self) -> None:
        self._connected.clear()
        log.info("events.nats.closed", url=self._url)


async def _skip(msg: Msg) -> None:
    try:
        await msg.ack()
    except nats.errors.Error as error:
        log.warning("events.nats.settle_failed", action="skip", error=repr(error))


async def _terminate(msg: Msg) -> None:
    try:
        await msg.term()
    except nats.errors.Error as error:
        log.warning("events.nats.settle_failed", action="term", error=repr(error))
