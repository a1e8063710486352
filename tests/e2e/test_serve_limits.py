"""`rustok serve` over real sockets holds its HTTP limits against clients that misbehave.

One server on a fresh SQLite file with short timeouts and small header limits; each test talks
raw HTTP/1.1 on a socket and waits for the server's answer or close with a deadline.
"""

from __future__ import annotations

import socket
import time
from typing import TYPE_CHECKING

import httpx
import orjson
import pytest

from tests.cli.running import cli_environment, run_rustok
from tests.e2e.test_serve import Server, start_server
from tests.events.nats_server import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-limits")]

TIMEOUT_SECONDS = 1
# How long a test waits for the server to answer or close: far past every timeout above, so
# only a server that holds the connection forever fails it.
DEADLINE_SECONDS = 15.0
# uvicorn's own keep-alive timeout is 5 s: an idle connection closed before this deadline was
# closed by the setting.
KEEP_ALIVE_DEADLINE_SECONDS = 4.0
MAX_HEADERS = 20
MAX_HEADER_BYTES = 4096
METRICS_TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    directory = tmp_path_factory.mktemp("limits")
    metrics_port = free_port()
    env = cli_environment(
        f"sqlite+aiosqlite:///{directory / 'rustok.db'}",
        body_read_timeout_seconds=str(TIMEOUT_SECONDS),
        header_read_timeout_seconds=str(TIMEOUT_SECONDS),
        keep_alive_timeout_seconds=str(TIMEOUT_SECONDS),
        max_headers=str(MAX_HEADERS),
        max_header_bytes=str(MAX_HEADER_BYTES),
        metrics_port=str(metrics_port),
        metrics_token=METRICS_TOKEN,
    )
    migrated = run_rustok("db", "migrate", env=env, cwd=directory)
    assert migrated.code == 0, migrated
    started = start_server("serve-limits", env, directory)
    try:
        yield started, metrics_port
    finally:
        assert started.stop() == 0, started.log()


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE_SECONDS)


def _read_until_closed(sock: socket.socket, within: float = DEADLINE_SECONDS) -> bytes:
    """Everything the server sends until it closes; fails if it has not closed by the deadline."""
    deadline = time.monotonic() + within
    received = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"still open after {within}s; got {received!r}")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            raise AssertionError(f"still open after {within}s; got {received!r}") from None
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def _problem(answer: bytes) -> tuple[str, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n")[0].decode()
    assert b"content-type: application/problem+json" in head.lower(), answer
    return status_line, orjson.loads(body)


def test_a_body_that_stops_arriving_is_answered_408_and_closed(
    server: tuple[Server, int],
) -> None:
    with _connect(server[0]) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"email"'
        )
        answer = _read_until_closed(sock)

    status_line, body = _problem(answer)
    assert status_line == "HTTP/1.1 408 Request Timeout"
    assert (body["code"], body["status"]) == ("REQUEST_TIMEOUT", 408)


def test_a_head_that_stops_arriving_is_closed(server: tuple[Server, int]) -> None:
    with _connect(server[0]) as sock:
        sock.sendall(b"GET /api/health/live HTTP/1.1\r\nHost: localh")
        answer = _read_until_closed(sock)

    assert answer == b""


def test_a_connection_that_sends_nothing_is_closed(server: tuple[Server, int]) -> None:
    with _connect(server[0]) as sock:
        answer = _read_until_closed(sock)

    assert answer == b""


def test_an_idle_keep_alive_connection_is_closed(server: tuple[Server, int]) -> None:
    with _connect(server[0]) as sock:
        sock.sendall(b"GET /api/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = _read_until_closed(sock, within=KEEP_ALIVE_DEADLINE_SECONDS)

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'{"status":"ok"}')


def test_too_many_header_fields_are_431_before_the_app(server: tuple[Server, int]) -> None:
    fields = b"".join(b"X-Filler-%d: x\r\n" % n for n in range(MAX_HEADERS + 1))
    with _connect(server[0]) as sock:
        sock.sendall(b"GET /api/health/live HTTP/1.1\r\nHost: localhost\r\n" + fields + b"\r\n")
        answer = _read_until_closed(sock)

    status_line, body = _problem(answer)
    assert status_line == "HTTP/1.1 431 Request Header Fields Too Large"
    assert body["code"] == "HEADERS_TOO_LARGE"
    assert body["detail"] == f"The request has more than {MAX_HEADERS} header fields."


def test_a_header_field_that_never_ends_is_431_while_it_arrives(
    server: tuple[Server, int],
) -> None:
    with _connect(server[0]) as sock:
        sock.sendall(b"GET /api/health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        sock.sendall(b"a" * (MAX_HEADER_BYTES + 1))
        answer = _read_until_closed(sock)

    status_line, body = _problem(answer)
    assert status_line == "HTTP/1.1 431 Request Header Fields Too Large"
    assert body["detail"] == f"The request head exceeds {MAX_HEADER_BYTES} bytes."


def test_metrics_are_served_on_their_own_port_with_the_token(
    server: tuple[Server, int],
) -> None:
    api, metrics_port = server
    with api.client() as http:
        on_api_port = http.get("/metrics")
    scrape = f"http://127.0.0.1:{metrics_port}/metrics"
    with_token = httpx.get(scrape, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    without_token = httpx.get(scrape)

    assert on_api_port.status_code == 404
    assert with_token.status_code == 200
    assert "rustok_http_requests_total" in with_token.text
    assert without_token.status_code == 401
    assert without_token.json()["code"] == "METRICS_TOKEN_REQUIRED"
