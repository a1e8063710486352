"""Tracing: OpenTelemetry spans from the HTTP request to the event handler, one trace.

Off by default: no SDK provider is installed, the API's no-op tracer answers every span, the
HTTP middleware passes requests straight through, and no trace context is written to events.
With `RUSTOK_OTEL_EXPORTER_OTLP_ENDPOINT` set, `configure_tracing` installs the SDK provider
with a batching OTLP/HTTP exporter (service name `RUSTOK_OTEL_SERVICE_NAME`).

The trace travels with the event as W3C Trace Context (`traceparent`, `tracestate`) in the
envelope's headers: the outbox row gets the context of the committing unit of work, the relay
publishes each event under a producer span of that trace (and sends its context on), and the
dispatcher runs the handler under a consumer span of it, in whichever process that happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from contextlib import AbstractContextManager

    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span
    from opentelemetry.util.types import AttributeValue
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from rustok.core.settings import Settings

TRACE_HEADERS = ("traceparent", "tracestate")
"""The envelope headers that carry the trace (W3C Trace Context)."""

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("rustok")
"""The API's proxy tracer: a no-op until `configure_tracing` installs a provider."""
_enabled = False


def tracing_enabled() -> bool:
    return _enabled


def configure_tracing(settings: Settings, *, exporter: SpanExporter | None = None) -> bool:
    """Install the SDK provider when OTLP export is set (or an `exporter` is given: tests);
    returns whether tracing is on. The SDK is imported only then, so it costs nothing off."""
    global _enabled
    if _enabled or (exporter is None and not settings.otel_exporter_otlp_endpoint):
        return _enabled
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    # The provider flushes its batch at interpreter exit (shutdown_on_exit).
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_exporter_otlp_endpoint
        assert endpoint is not None
        # The collector's base URL, as OTEL_EXPORTER_OTLP_ENDPOINT means it: traces go to
        # /v1/traces under it.
        exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _enabled = True
    return True


def inject_trace(headers: dict[str, str]) -> None:
    """Write the current span's context into `headers` (nothing when no span is recording)."""
    if _enabled:
        _PROPAGATOR.inject(headers)


def span_from(
    headers: Mapping[str, str],
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> AbstractContextManager[Span] | None:
    """A span, current while its block runs, continuing the trace in `headers`; None when
    tracing is off or the headers carry no trace (the caller then runs untraced)."""
    if not _enabled or "traceparent" not in headers:
        return None
    return _tracer.start_as_current_span(
        name, context=_PROPAGATOR.extract(headers), kind=kind, attributes=attributes
    )


def start_span_from(
    headers: Mapping[str, str],
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> tuple[Span, dict[str, str]] | None:
    """A started span continuing the trace in `headers`, and `headers` with the span's own
    context in place of its parent's (to send on); None when untraced. The caller ends it."""
    if not _enabled or "traceparent" not in headers:
        return None
    span = _tracer.start_span(
        name, context=_PROPAGATOR.extract(headers), kind=kind, attributes=attributes
    )
    forwarded = {key: value for key, value in headers.items() if key not in TRACE_HEADERS}
    _PROPAGATOR.inject(forwarded, context=trace.set_span_in_context(span))
    return span, forwarded


def end_spans(spans: Iterable[Span], error: BaseException | None = None) -> None:
    """End spans started with `start_span_from`, failed with `error` if given."""
    for span in spans:
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()


class TracingMiddleware:
    """Pure ASGI: the HTTP request's server span, continuing the caller's `traceparent`, and
    named after the route; when tracing is off, requests pass straight through.

    FastAPI (0.165 here) starts that span itself once a provider is installed, around
    its middleware stack: then this one only labels it with the request id (the key to the
    request's log lines) instead of starting a second server span.

    Mounting it configures tracing from `settings`: Starlette builds the middleware in each
    serving process (at startup), which is where the provider must be installed."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        configure_tracing(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _enabled or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = trace.get_current_span()
        if current.is_recording():
            await self.app(scope, receive, _labelling(send, current))
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in (b"traceparent", b"tracestate")
        }
        method = scope["method"]
        with _tracer.start_as_current_span(
            f"HTTP {method}",
            context=_PROPAGATOR.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ) as span:
            await self.app(scope, receive, _labelling(send, span))
            template = getattr(scope.get("route"), "path", None)
            if isinstance(template, str):
                # The route is known only once the router ran; a template keeps names few.
                span.set_attribute("http.route", template)
                span.update_name(f"{method} {template}")


def _labelling(send: Send, span: Span) -> Send:
    """`send`, labelling `span` with the response's status and request id."""

    async def send_labelled(message: Message) -> None:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            span.set_attribute("http.response.status_code", status)
            for name, value in message.get("headers", ()):
                if name.lower() == b"x-request-id":
                    span.set_attribute("rustok.request_id", value.decode("latin-1"))
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))
        await send(message)

    return send_labelled
