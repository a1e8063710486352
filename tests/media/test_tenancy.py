"""Another tenant's media is not there: every route answers 404 for its ids and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.testing.factories import auth_headers
from tests.media.conftest import UPLOAD, image_bytes, media_events, stored_files, upload

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def test_every_route_refuses_another_tenants_media(
    client: httpx.AsyncClient,
    container: Container,
    manager: dict[str, str],
    other_manager: dict[str, str],
    other_tenant: TenantDetail,
    media_root: Path,
) -> None:
    media = (await upload(client, manager, image_bytes(), filename="acme.png")).json()
    path = f"{UPLOAD}/{media['id']}"

    answers = {
        "get": await client.get(path, headers=other_manager),
        "patch": await client.patch(
            path,
            json={"filename": "mine.png", "translations": [{"locale": "en", "alt_text": "x"}]},
            headers=other_manager,
        ),
        "delete": await client.delete(path, headers=other_manager),
        "file": await client.get(f"{path}/file", headers=auth_headers(other_tenant)),
    }
    listed = await client.get(UPLOAD, headers=other_manager)
    graphql = {
        name: await client.post("/api/graphql", json={"query": query}, headers=other_manager)
        for name, query in {
            "media": f'{{ media(id: "{media["id"]}") {{ filename }} }}',
            "update": f'mutation {{ updateMedia(id: "{media["id"]}", '
            'input: {filename: "mine.png"}) { filename } }',
            "delete": f'mutation {{ deleteMedia(id: "{media["id"]}") }}',
        }.items()
    }
    graphql_list = await client.post(
        "/api/graphql", json={"query": "{ mediaList { items { id } } }"}, headers=other_manager
    )
    still = await client.get(path, headers=manager)

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert {r.json()["code"] for r in answers.values()} == {"MEDIA_NOT_FOUND"}
    assert listed.json()["items"] == []
    assert {
        name: r.json()["errors"][0]["extensions"]["code"] for name, r in graphql.items()
    } == dict.fromkeys(graphql, "MEDIA_NOT_FOUND")
    assert graphql_list.json()["data"]["mediaList"]["items"] == []
    assert still.json()["filename"] == "acme.png"
    assert still.json()["translations"] == []
    assert len(stored_files(media_root)) == 1
    assert await media_events(container) == ["content.media.uploaded"]


async def test_uploads_of_two_tenants_live_apart(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    other_manager: dict[str, str],
    tenant: TenantDetail,
    other_tenant: TenantDetail,
    media_root: Path,
) -> None:
    ours = (await upload(client, manager, image_bytes())).json()
    theirs = (await upload(client, other_manager, image_bytes("GIF"))).json()

    listed = await client.get(UPLOAD, headers=manager)

    assert [m["id"] for m in listed.json()["items"]] == [ours["id"]]
    prefixes = {p.relative_to(media_root).parts[0] for p in stored_files(media_root)}
    assert prefixes == {tenant.id.hex, other_tenant.id.hex}
    assert theirs["mime_type"] == "image/gif"
