"""The HTTP/1.1 protocol `rustok serve` runs: uvicorn's httptools protocol with limits on the head.

uvicorn with httptools buffers request heads of any size and waits for a head forever (its
keep-alive timer stops at the first byte of the next request), so a client can hold memory or a
connection without limit. This protocol refuses a head over `RUSTOK_MAX_HEADERS` fields or
`RUSTOK_MAX_HEADER_BYTES` bytes with 431 while it arrives, and closes a connection whose head is
not complete within `RUSTOK_HEADER_READ_TIMEOUT_SECONDS`. The limits come from the settings
because uvicorn builds the protocol itself, in every worker process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from rustok.api.problems import PROBLEM_JSON, problem_body
from rustok.core.errors import FieldError
from rustok.core.settings import get_settings

if TYPE_CHECKING:
    import asyncio

    from uvicorn.config import Config
    from uvicorn.server import ServerState


class HeadTooLarge(Exception):
    pass


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.max_headers = settings.max_headers
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_read_timeout_seconds
        self.head_timer: asyncio.TimerHandle | None = None
        self.in_head = True
        self.head_fields = 0
        self.head_bytes = 0  # of the request line and fields httptools has handed over
        self.head_chunk_bytes = 0  # of the chunks that arrived while the head was incomplete
        self.refusal: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # a connection that never sends a byte is a head that is late

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        was_in_head = self.in_head
        super().data_received(data)
        if was_in_head and self.in_head and self.refusal is None:
            # The whole chunk was head: a single field too long to complete is caught here,
            # before httptools buffers it without end.
            self.head_chunk_bytes += len(data)
            if self.head_chunk_bytes > self.max_head_bytes:
                self._refuse(f"The request head exceeds {self.max_head_bytes} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        self.head_fields = 0
        self.head_bytes = 0
        self.head_chunk_bytes = 0
        if self.head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_fields += 1
        if self.head_fields > self.max_headers:
            self.refusal = f"The request has more than {self.max_headers} header fields."
            raise HeadTooLarge
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if self.refusal is None:
            super().send_400_response(msg)
            return
        self._refuse(self.refusal)

    def _count(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.max_head_bytes:
            self.refusal = f"The request head exceeds {self.max_head_bytes} bytes."
            raise HeadTooLarge

    def _refuse(self, detail: str) -> None:
        self.refusal = detail
        self._disarm_head_timer()
        if self.transport.is_closing():
            return
        body = orjson.dumps(
            problem_body(
                431,
                code="HEADERS_TOO_LARGE",
                detail=detail,
                fields=[FieldError("headers", detail)],
            )
        )
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[431],
                    b"content-type: " + PROBLEM_JSON.encode() + b"\r\n",
                    b"content-length: " + str(len(body)).encode() + b"\r\n",
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        self.transport.close()

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        # Nothing was asked yet, so there is nobody to answer: close, as nginx does.
        if self.in_head and not self.transport.is_closing():
            self.transport.close()
