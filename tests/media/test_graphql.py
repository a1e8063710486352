"""GraphQL of media: the same permissions, tenants and error codes as REST, and the loader."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.core.ids import new_id
from rustok.media.graphql import media_loader
from rustok.testing.factories import auth_headers, user_token
from tests.api.test_graphql import codes, gql
from tests.media.conftest import image_bytes, media_events, stored_files, upload

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

MEDIA = """query ($id: UUID!) {
  media(id: $id) { id filename mimeType width height fileUrl translations { locale altText } }
}"""
LIST = """query ($after: String) {
  mediaList(limit: 2, after: $after) { items { filename } nextCursor hasMore }
}"""
UPDATE = """mutation ($id: UUID!, $input: MediaUpdateInput!) {
  updateMedia(id: $id, input: $input) { filename translations { locale altText caption } }
}"""
DELETE = "mutation ($id: UUID!) { deleteMedia(id: $id) }"


async def test_media_is_read_listed_updated_and_deleted(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], media_root: Path
) -> None:
    ids = [
        (await upload(client, manager, image_bytes("PNG", (5, 4)), filename=f"{n}.png")).json()[
            "id"
        ]
        for n in range(3)
    ]

    one = await gql(client, MEDIA, manager, id=ids[0])
    first = await gql(client, LIST, manager)
    second = await gql(client, LIST, manager, after=first["data"]["mediaList"]["nextCursor"])
    updated = await gql(
        client,
        UPDATE,
        manager,
        id=ids[0],
        input={"filename": "zero.png", "translations": [{"locale": "en", "altText": "Zero"}]},
    )
    deleted = await gql(client, DELETE, manager, id=ids[0])

    assert one["data"]["media"] == {
        "id": ids[0],
        "filename": "0.png",
        "mimeType": "image/png",
        "width": 5,
        "height": 4,
        "fileUrl": f"/api/content/media/{ids[0]}/file",
        "translations": [],
    }
    assert [m["filename"] for m in first["data"]["mediaList"]["items"]] == ["2.png", "1.png"]
    assert second["data"]["mediaList"] == {
        "items": [{"filename": "0.png"}],
        "nextCursor": None,
        "hasMore": False,
    }
    assert updated["data"]["updateMedia"] == {
        "filename": "zero.png",
        "translations": [{"locale": "en", "altText": "Zero", "caption": ""}],
    }
    assert deleted["data"]["deleteMedia"] == ids[0]
    assert len(stored_files(media_root)) == 2
    assert (await media_events(container)).count("content.media.deleted") == 1


async def test_bad_input_is_refused_with_codes_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str]
) -> None:
    media_id = (await upload(client, manager, image_bytes(), filename="keep.png")).json()["id"]

    path = await gql(client, UPDATE, manager, id=media_id, input={"filename": "../x.png"})
    locale = await gql(
        client,
        UPDATE,
        manager,
        id=media_id,
        input={"translations": [{"locale": "fr", "altText": "Non"}]},
    )
    missing = await gql(client, DELETE, manager, id=str(new_id()))
    after = await gql(client, MEDIA, manager, id=media_id)

    assert codes(path) == ["VALIDATION_ERROR"]
    assert path["errors"][0]["extensions"]["fields"][0]["field"] == "input.filename"
    assert codes(locale) == ["LOCALE_NOT_ENABLED"]
    assert codes(missing) == ["MEDIA_NOT_FOUND"]
    assert after["data"]["media"]["filename"] == "keep.png"
    assert after["data"]["media"]["translations"] == []
    assert await media_events(container) == ["content.media.uploaded"]


async def test_customers_get_forbidden(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], tenant: TenantDetail
) -> None:
    media_id = (await upload(client, manager, image_bytes())).json()["id"]
    customer = auth_headers(
        tenant, await user_token(client, container, tenant, email="c@acme.test")
    )

    read = await gql(client, MEDIA, customer, id=media_id)
    deleted = await gql(client, DELETE, customer, id=media_id)

    assert (codes(read), codes(deleted)) == (["FORBIDDEN"], ["FORBIDDEN"])
    assert await media_events(container) == ["content.media.uploaded"]


async def test_the_loader_batches_a_pass_into_two_statements(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], tenant: TenantDetail
) -> None:
    ids = [uuid.UUID((await upload(client, manager, image_bytes())).json()["id"]) for _ in range(4)]
    # What a resolver's `info` offers the loader: the request's state, container and tenant.
    info: Any = SimpleNamespace(
        context=SimpleNamespace(
            http_request=SimpleNamespace(state=SimpleNamespace()),
            container=container,
            tenant=SimpleNamespace(id=tenant.id),
        )
    )
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            statements.append(statement)

    event.listen(container.engine.sync_engine, "before_cursor_execute", count)
    try:
        loader = media_loader(info)
        found = await asyncio.gather(*(loader.load(i) for i in [*ids, new_id()]))
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", count)

    assert [m.id if m else None for m in found][:4] == ids
    assert found[4] is None
    assert media_loader(info) is loader
    assert len(statements) == 2
