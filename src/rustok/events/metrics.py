"""Metrics of the event spine, in the platform's one registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from rustok.observability.metrics import REGISTRY

OUTBOX_PENDING = Gauge(
    "rustok_outbox_pending", "Outbox events not yet published.", registry=REGISTRY
)
OUTBOX_LAG = Gauge(
    "rustok_outbox_lag_seconds", "Age of the oldest unpublished outbox event.", registry=REGISTRY
)
OUTBOX_PUBLISHED = Counter(
    "rustok_outbox_published", "Outbox events published to the transport.", registry=REGISTRY
)
RELAY_ERRORS = Counter(
    "rustok_outbox_relay_errors",
    "Relay cycles that failed on the database (the relay backs off and tries again).",
    registry=REGISTRY,
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "rustok_outbox_publish_failures",
    "Outbox events whose publish attempt failed.",
    registry=REGISTRY,
)
DLQ_DEPTH = Gauge(
    "rustok_events_dlq_depth", "Open dead letters, by consumer.", ["consumer"], registry=REGISTRY
)
CONSUMER_BACKLOG = Gauge(
    "rustok_events_consumer_backlog",
    "Events the transport holds for a consumer group: not yet delivered, or delivered and "
    "not yet acknowledged.",
    ["consumer"],
    registry=REGISTRY,
)
HANDLED = Counter(
    "rustok_events_handled",
    "Deliveries processed by a consumer, by outcome (ok, duplicate, retry, dead_lettered).",
    ["consumer", "outcome"],
    registry=REGISTRY,
)
HANDLER_DURATION = Histogram(
    "rustok_events_handler_duration_seconds",
    "Time a consumer's handler took per attempt.",
    ["consumer"],
    registry=REGISTRY,
)
END_TO_END_LAG = Histogram(
    "rustok_events_end_to_end_seconds",
    "From the event's commit to its handler finishing.",
    ["consumer"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
ORDER_WAITS = Counter(
    "rustok_events_order_waits",
    "Deliveries parked behind an earlier event of their aggregate (parked), and parked ones "
    "let through after the order wait without it (expired).",
    ["consumer", "outcome"],
    registry=REGISTRY,
)
