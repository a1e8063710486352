"""`rustok openapi`: the API contract as files, for client generators, Postman and newman."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

openapi_app = typer.Typer(help="The OpenAPI document and the Postman collection.")

DEFAULT_TENANT = "demo"


@openapi_app.command("export")
def export(
    output: Annotated[
        Path | None,
        typer.Option(help="Write the OpenAPI document to this file (default: standard output)."),
    ] = None,
    postman: Annotated[
        Path | None,
        typer.Option(help="Also write a Postman collection (v2.1) generated from it here."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="The collection's {{baseUrl}} [http://localhost:RUSTOK_PORT]."),
    ] = None,
) -> None:
    """Write the OpenAPI document, and with --postman a collection that logs in as the demo
    admin and calls every REST operation, each with its status and content type tested."""
    from rustok.api.app import create_app
    from rustok.api.postman import build_collection
    from rustok.bootstrap import build_container
    from rustok.core.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        typer.echo(f"error: invalid settings: {error}", err=True)
        raise typer.Exit(2) from None
    container = build_container(settings)
    document = create_app(container).openapi()
    asyncio.run(container.engine.dispose())
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    if postman is not None:
        collection = build_collection(
            document,
            base_url=base_url or f"http://localhost:{settings.port}",
            tenant=DEFAULT_TENANT,
            email=settings.demo_admin_email,
            password=settings.demo_admin_password,
        )
        postman.write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n", "utf-8")
        typer.echo(f"wrote {postman} ({len(collection['item'])} requests)", err=True)
