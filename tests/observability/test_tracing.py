"""Tracing: one trace from the HTTP request through the unit of work, the relay's publish and
the handler, joined by the envelope's trace context; OTLP export only when set."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from rustok.core.settings import EventTransportKind
from rustok.observability import tracing
from rustok.testing.app import settings_for_tests
from rustok.testing.factories import auth_headers, user_token
from rustok.testing.services import nats_url, need, wait_until_async

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail

_EXPORTER = InMemorySpanExporter()
"""One per test process: OpenTelemetry's global provider can be installed only once."""

UPSTREAM_TRACE = "0af7651916cd43dd8448eb211c80319c"
UPSTREAM_SPAN = "b7ad6b7169203331"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Tracing on, into memory, for this test only (off again for the tests after it)."""
    monkeypatch.setattr(tracing, "_enabled", False)
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        tracing.configure_tracing(settings_for_tests("sqlite+aiosqlite://"), exporter=_EXPORTER)
    monkeypatch.setattr(tracing, "_enabled", True)
    _EXPORTER.clear()
    return _EXPORTER


@pytest.fixture
async def settings(database_url: str, backend: str) -> AsyncIterator[Settings]:
    """SQLite with the memory transport; PostgreSQL with NATS JetStream (a stream of its own),
    where the trace context crosses the broker as bytes."""
    settings = settings_for_tests(database_url, relay_poll_interval_seconds=0.05)
    if backend != "postgres":
        yield settings
        return
    need("NATS", nats_url(), 4222)
    suffix = uuid.uuid4().hex[:10]
    yield settings.model_copy(
        update={
            "event_transport": EventTransportKind.NATS,
            "nats_url": nats_url(),
            "nats_stream": f"RUSTOK_TRACE_{suffix}",
            "nats_subject_prefix": f"trace{suffix}.events",
        }
    )
    import nats
    from nats.js.errors import NotFoundError

    connection = await nats.connect(nats_url())
    try:
        with contextlib.suppress(NotFoundError):
            await connection.jetstream().delete_stream(f"RUSTOK_TRACE_{suffix}")
    finally:
        await connection.close()


def _one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    named = [span for span in spans if span.name == name]
    assert len(named) == 1, [span.name for span in spans]
    return named[0]


def _parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[int]:
    by_id = {other.context.span_id: other for other in spans}
    ancestors: list[int] = []
    parent = _parent_id(span)
    while parent is not None:
        ancestors.append(parent)
        parent = _parent_id(by_id[parent]) if parent in by_id else None
    return ancestors


async def test_one_trace_runs_from_the_request_to_the_handler(
    spans: InMemorySpanExporter,
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
) -> None:
    token = await user_token(client, container, tenant, email="op@acme.test", operator=True)
    spans.clear()

    response = await client.patch(
        f"/api/admin/tenants/{tenant.id}",
        json={"name": "Traced"},
        headers=auth_headers(tenant, token)
        | {"traceparent": f"00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01"},
    )

    def handled() -> bool:
        return any(
            span.name == "process tenancy.tenant.updated" for span in spans.get_finished_spans()
        )

    await wait_until_async(handled, timeout=10, message="the handler's span never ended")
    finished = [
        span
        for span in spans.get_finished_spans()
        if span.context.trace_id == int(UPSTREAM_TRACE, 16)
    ]
    (request,) = [span for span in finished if span.kind == SpanKind.SERVER]
    commit = _one(finished, "uow.commit")
    publish = _one(finished, "publish tenancy.tenant.updated")
    process = _one(finished, "process tenancy.tenant.updated")
    assert response.status_code == 200, response.text
    assert (request.kind, _parent_id(request)) == (SpanKind.SERVER, int(UPSTREAM_SPAN, 16))
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["rustok.request_id"] == response.headers["x-request-id"]
    assert request.context.span_id in _ancestors(commit, finished)
    assert (publish.kind, _parent_id(publish)) == (SpanKind.PRODUCER, commit.context.span_id)
    assert (process.kind, _parent_id(process)) == (SpanKind.CONSUMER, publish.context.span_id)
    assert process.attributes is not None
    assert process.attributes["messaging.consumer.group.name"] == "tenancy.cache_invalidation"


async def test_without_fastapis_own_span_the_middleware_starts_the_server_span(
    spans: InMemorySpanExporter,
) -> None:
    import httpx
    from fastapi import FastAPI

    app = FastAPI(telemetry={"tracing": False})

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    app.add_middleware(
        tracing.TracingMiddleware, settings=settings_for_tests("sqlite+aiosqlite://")
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get(
            "/items/7", headers={"traceparent": f"00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01"}
        )

    (span,) = spans.get_finished_spans()
    assert response.status_code == 200
    assert (span.name, span.kind) == ("GET /items/{item_id}", SpanKind.SERVER)
    assert (span.context.trace_id, _parent_id(span)) == (
        int(UPSTREAM_TRACE, 16),
        int(UPSTREAM_SPAN, 16),
    )
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200


async def test_an_untraced_request_writes_no_trace_context_into_its_events(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> None:
    from sqlalchemy import select

    from rustok.core.db import bind_platform
    from rustok.events.models import SysEvent

    token = await user_token(client, container, tenant, email="op@acme.test", operator=True)

    response = await client.patch(
        f"/api/admin/tenants/{tenant.id}",
        json={"name": "Untraced"},
        headers=auth_headers(tenant, token)
        | {"traceparent": f"00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01"},
    )

    async with container.session_factory() as session:
        bind_platform(session)  # the outbox is the platform's
        headers = (
            await session.scalars(
                select(SysEvent.headers).where(SysEvent.event_type == "tenancy.tenant.updated")
            )
        ).all()
    assert response.status_code == 200
    assert [sorted(set(header) & set(tracing.TRACE_HEADERS)) for header in headers] == [[]]


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, int]] = []  # noqa: RUF012 - one collector per test

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.rfile.read(length)
        self.received.append((self.path, self.headers["Content-Type"], length))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, int]]]]:
    """An OTLP/HTTP endpoint that records what it is sent."""
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Collector.received
    finally:
        server.shutdown()
        server.server_close()


_PROCESS = """
import sys
from opentelemetry import trace
from rustok.observability.tracing import configure_tracing, tracing_enabled
from rustok.testing.app import settings_for_tests

endpoint = sys.argv[1] or None
configure_tracing(settings_for_tests("sqlite+aiosqlite://", otel_exporter_otlp_endpoint=endpoint))
with trace.get_tracer("probe").start_as_current_span("probe"):
    pass
sdk = sorted(name for name in sys.modules if name.startswith("opentelemetry.sdk"))
print(tracing_enabled(), type(trace.get_tracer_provider()).__name__, bool(sdk))
"""


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [(False, "False ProxyTracerProvider False"), (True, "True TracerProvider True")],
)
def test_spans_are_exported_over_otlp_only_when_an_endpoint_is_set(
    collector: tuple[str, list[tuple[str, str, int]]], endpoint: bool, expected: str
) -> None:
    url, received = collector

    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_PROCESS), url if endpoint else ""],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == expected
    # The batch is flushed at exit: by now the collector has it, or never will.
    assert [(path, kind) for path, kind, _ in received] == (
        [("/v1/traces", "application/x-protobuf")] if endpoint else []
    )
