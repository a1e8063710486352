"""The media REST routes: upload, list, read, update, delete, download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.testing.events import outbox_rows
from rustok.testing.factories import auth_headers, user_token
from tests.media.conftest import (
    UPLOAD,
    image_bytes,
    media_events,
    media_rows,
    pdf_bytes,
    stored_files,
    upload,
)

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


async def test_an_uploaded_image_is_stored_described_and_served(
    client: httpx.AsyncClient,
    container: Container,
    manager: dict[str, str],
    tenant: TenantDetail,
    media_root: Path,
) -> None:
    content = image_bytes("PNG", (8, 6))

    created = await upload(client, manager, content, filename="red.png")

    assert created.status_code == 201, created.text
    media = created.json()
    assert (media["filename"], media["mime_type"], media["size"]) == (
        "red.png",
        "image/png",
        len(content),
    )
    assert (media["width"], media["height"]) == (8, 6)
    assert media["declared_type_mismatch"] is False
    files = stored_files(media_root)
    assert len(files) == 1
    assert files[0].read_bytes() == content
    assert "red" not in str(files[0])
    events = await outbox_rows(container, "content.media.uploaded")
    assert [e.payload["media_id"] for e in events] == [media["id"]]
    assert events[0].payload["width"] == 8

    served = await client.get(media["file_url"], headers=auth_headers(tenant))

    assert served.status_code == 200
    assert served.content == content
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    etag = served.headers["etag"]
    again = await client.get(
        media["file_url"], headers={**auth_headers(tenant), "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_a_pdf_is_served_as_an_attachment(
    client: httpx.AsyncClient, manager: dict[str, str], tenant: TenantDetail
) -> None:
    created = await upload(
        client, manager, pdf_bytes(), filename="Prix été.pdf", content_type="application/pdf"
    )
    served = await client.get(created.json()["file_url"], headers=auth_headers(tenant))

    assert created.status_code == 201
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == (
        "attachment; filename=\"Prix _t_.pdf\"; filename*=UTF-8''Prix%20%C3%A9t%C3%A9.pdf"
    )


async def test_list_pages_by_cursor_newest_first(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    ids = [
        (await upload(client, manager, image_bytes(), filename=f"{n}.png")).json()["id"]
        for n in range(3)
    ]

    first = await client.get(UPLOAD, params={"limit": 2}, headers=manager)
    second = await client.get(
        UPLOAD, params={"limit": 2, "after": first.json()["next_cursor"]}, headers=manager
    )

    assert [m["id"] for m in first.json()["items"]] == ids[::-1][:2]
    assert first.json()["has_more"] is True
    assert [m["id"] for m in second.json()["items"]] == ids[:1]
    assert second.json()["next_cursor"] is None


async def test_update_sets_texts_per_enabled_locale_and_renames(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str]
) -> None:
    media = (await upload(client, manager, image_bytes())).json()

    updated = await client.patch(
        f"{UPLOAD}/{media['id']}",
        json={
            "filename": "Poster.png",
            "translations": [{"locale": "en", "alt_text": "A poster", "caption": "Spring"}],
        },
        headers=manager,
    )
    cleared = await client.patch(
        f"{UPLOAD}/{media['id']}",
        json={"translations": [{"locale": "en", "alt_text": "", "caption": ""}]},
        headers=manager,
    )

    assert updated.status_code == 200, updated.text
    assert updated.json()["filename"] == "Poster.png"
    assert updated.json()["translations"] == [
        {"locale": "en", "alt_text": "A poster", "caption": "Spring"}
    ]
    assert cleared.json()["translations"] == []
    assert await media_rows(container) == (1, 0)


async def test_a_locale_not_enabled_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str]
) -> None:
    media = (await upload(client, manager, image_bytes())).json()

    refused = await client.patch(
        f"{UPLOAD}/{media['id']}",
        json={"filename": "x.png", "translations": [{"locale": "de", "alt_text": "Ein Bild"}]},
        headers=manager,
    )
    after = await client.get(f"{UPLOAD}/{media['id']}", headers=manager)

    assert refused.status_code == 422
    assert refused.json()["code"] == "LOCALE_NOT_ENABLED"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.translations.0.locale"]
    assert after.json()["filename"] == "picture.png"
    assert await media_rows(container) == (1, 0)


async def test_delete_removes_the_row_the_file_and_emits(
    client: httpx.AsyncClient,
    container: Container,
    manager: dict[str, str],
    tenant: TenantDetail,
    media_root: Path,
) -> None:
    media = (await upload(client, manager, image_bytes())).json()

    deleted = await client.delete(f"{UPLOAD}/{media['id']}", headers=manager)
    gone = await client.get(media["file_url"], headers=auth_headers(tenant))

    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert stored_files(media_root) == []
    assert await media_rows(container) == (0, 0)
    assert await media_events(container) == ["content.media.uploaded", "content.media.deleted"]


async def test_customers_cannot_upload_or_list(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, media_root: Path
) -> None:
    token = await user_token(client, container, tenant, email="c@acme.test")
    customer = auth_headers(tenant, token)

    uploaded = await upload(client, customer, image_bytes())
    listed = await client.get(UPLOAD, headers=customer)

    assert (uploaded.status_code, listed.status_code) == (403, 403)
    assert stored_files(media_root) == []
    assert await media_events(container) == []
