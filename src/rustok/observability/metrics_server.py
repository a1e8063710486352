"""`/metrics` for worker processes (`rustok worker relay`, `worker dispatch`), which run no
HTTP app: a tiny HTTP/1.1 server on the event loop, so scrape-time refreshers (shared gauges
read from the database and the broker) run on the loop that owns their connections."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from prometheus_client import CONTENT_TYPE_LATEST

from rustok.observability.metrics import render_metrics, token_accepted

log = structlog.get_logger(__name__)

_READ_TIMEOUT_SECONDS = 5.0


class MetricsServer:
    """Answers `GET /metrics` (and `GET /` likewise); anything else gets 404."""

    def __init__(self, host: str, port: int, *, token: str | None = None) -> None:
        self._host = host
        self._port = port
        self._token = token
        """When set, a scrape must send `Authorization: Bearer <token>` (as on the API port)."""
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when asked for port 0)."""
        if self._server is None or not self._server.sockets:
            return self._port
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        log.info("metrics.serving", host=self._host, port=self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def _authorised(self, header_lines: list[str]) -> bool:
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "authorization":
                return token_accepted(value.strip(), self._token)
        return token_accepted(None, self._token)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_READ_TIMEOUT_SECONDS):
                request = await reader.readuntil(b"\r\n\r\n")
            lines = request.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            if method in {"GET", "HEAD"} and path.split("?", 1)[0] in {"/metrics", "/"}:
                if self._authorised(lines[1:]):
                    body = await render_metrics()
                    status, content_type = "200 OK", CONTENT_TYPE_LATEST
                else:
                    body = b"send Authorization: Bearer <RUSTOK_METRICS_TOKEN>\n"
                    status, content_type = "401 Unauthorized", "text/plain"
            else:
                body, status, content_type = b"not found\n", "404 Not Found", "text/plain"
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (TimeoutError, ValueError, asyncio.IncompleteReadError, ConnectionError):
            pass  # a client that sends no proper request gets no answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
