"""The reference apps of bench/http.py: RusToK's answers with (almost) nothing behind them.

- `make_bare`: a raw ASGI callable that writes the stored bytes: the server stack alone.
- `make_fastapi`: a minimal FastAPI app, one route per endpoint with one dependency (it
  reads `X-Tenant-ID`), returning the stored JSON decoded, so FastAPI encodes it as an
  ordinary handler's answer: the framework's own price.

Both answer exactly the bytes RusToK answered (bench/http.py checks that before measuring);
the bodies come as JSON `{path: body}` in the file named by `BENCH_REFERENCE_BODIES`, so that
uvicorn's worker processes, which import this module afresh, find them too. This directory
holds nothing else: uvicorn puts it first on `sys.path`, where bench/http.py would shadow the
standard library's `http`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header

BODIES_VARIABLE = "BENCH_REFERENCE_BODIES"
_HEADERS = [(b"content-type", b"application/json")]


def _bodies() -> dict[str, bytes]:
    stored: dict[str, str] = json.loads(Path(os.environ[BODIES_VARIABLE]).read_text("utf-8"))
    return {path: body.encode() for path, body in stored.items()}


def make_bare() -> Any:
    bodies = _bodies()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bodies.get(scope["path"])
        await send(
            {
                "type": "http.response.start",
                "status": 404 if body is None else 200,
                "headers": _HEADERS,
            }
        )
        await send({"type": "http.response.body", "body": body or b""})

    return app


# async: FastAPI runs a plain `def` dependency in a worker thread, which would be measured.
async def tenant_header(x_tenant_id: Annotated[str | None, Header()] = None) -> str | None:
    return x_tenant_id


def make_fastapi() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    for path, body in _bodies().items():
        app.add_api_route(path, _handler(json.loads(body)), methods=["GET"])
    return app


def _handler(answer: Any) -> Any:
    async def handler(_: Annotated[str | None, Depends(tenant_header)]) -> Any:
        return answer

    return handler
