"""Uploads that must be refused: each answers a problem naming `file`, stores no byte, writes no
row and emits no event. And the names clients send never reach the file system."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.media.storage.base import KEY_PATTERN
from rustok.testing.factories import auth_headers
from tests.media.conftest import (
    UPLOAD,
    image_bytes,
    media_events,
    media_rows,
    media_settings,
    stored_files,
    upload,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


async def _assert_nothing_written(container: Container, media_root: Path) -> None:
    assert stored_files(media_root) == []
    assert await media_rows(container) == (0, 0)
    assert await media_events(container) == []


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "status", "code"),
    [
        (SVG, "logo.svg", "image/svg+xml", 415, "MEDIA_TYPE_REFUSED"),
        (SVG, "logo.png", "image/png", 415, "MEDIA_TYPE_REFUSED"),
        (b"<html><body onload=alert(1)>", "page.txt", "text/plain", 415, "MEDIA_TYPE_REFUSED"),
        (b"<!doctype html><p>hi", "page.jpg", "image/jpeg", 415, "MEDIA_TYPE_REFUSED"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.png", "image/png", 415, "MEDIA_TYPE_REFUSED"),
        (b"", "empty.png", "image/png", 422, "MEDIA_EMPTY"),
        (image_bytes("PNG", (40, 40))[:60], "cut.png", "image/png", 422, "IMAGE_UNREADABLE"),
        (b"\x89PNG\r\n\x1a\n<script>x</script>", "poly.png", "image/png", 422, "IMAGE_UNREADABLE"),
    ],
)
async def test_a_refused_upload_writes_nothing(
    client: httpx.AsyncClient,
    container: Container,
    manager: dict[str, str],
    media_root: Path,
    content: bytes,
    filename: str,
    content_type: str,
    status: int,
    code: str,
) -> None:
    response = await upload(client, manager, content, filename=filename, content_type=content_type)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    await _assert_nothing_written(container, media_root)


async def test_without_a_file_part_the_answer_names_it(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], media_root: Path
) -> None:
    response = await client.post(UPLOAD, data={"other": "x"}, headers=manager)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.file"]
    await _assert_nothing_written(container, media_root)


async def test_the_declared_type_is_ignored_and_a_mismatch_reported(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    response = await upload(
        client, manager, image_bytes("JPEG"), filename="photo.png", content_type="image/png"
    )

    assert response.status_code == 201
    media = response.json()
    assert media["mime_type"] == "image/jpeg"
    assert (media["declared_type"], media["declared_type_mismatch"]) == ("image/png", True)


async def test_a_bomb_is_refused_with_a_problem(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    manager: dict[str, str],
    media_root: Path,
    settings: Settings,
) -> None:
    async with make_client(**media_settings(settings, max_image_pixels=1000)) as small:
        response = await upload(small, manager, image_bytes("PNG", (100, 100)))

    assert response.status_code == 422
    assert response.json()["code"] == "IMAGE_TOO_LARGE"
    await _assert_nothing_written(container, media_root)


@pytest.mark.parametrize(("extra", "status"), [(0, 201), (1, 413)])
async def test_the_size_limit_holds_to_the_byte(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    manager: dict[str, str],
    media_root: Path,
    extra: int,
    status: int,
    settings: Settings,
) -> None:
    async with make_client(**media_settings(settings, max_upload_bytes=3000)) as limited:
        response = await upload(
            limited, manager, b"a" * (3000 + extra), filename="a.txt", content_type="text/plain"
        )

    assert response.status_code == status, response.text
    if status == 413:
        assert response.json()["code"] == "MEDIA_TOO_LARGE"
        assert [e["field"] for e in response.json()["errors"]] == ["file"]
        await _assert_nothing_written(container, media_root)
    else:
        assert response.json()["size"] == 3000


async def test_a_body_far_over_the_limit_is_cut_off_while_it_streams(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    manager: dict[str, str],
    media_root: Path,
    settings: Settings,
) -> None:
    async with make_client(**media_settings(settings, max_upload_bytes=3000)) as limited:
        response = await upload(
            limited, manager, b"a" * 200_000, filename="a.txt", content_type="text/plain"
        )

    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    await _assert_nothing_written(container, media_root)


async def test_uploads_may_exceed_the_small_body_limit_and_other_routes_may_not(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    manager: dict[str, str],
    settings: Settings,
) -> None:
    async with make_client(
        max_body_bytes=4096, **media_settings(settings, max_upload_bytes=100_000)
    ) as http:
        uploaded = await upload(
            http, manager, b"b" * 50_000, filename="b.txt", content_type="text/plain"
        )
        patched = await http.patch(
            f"{UPLOAD}/{uploaded.json()['id']}",
            json={"filename": "c" * 200, "translations": [{"locale": "en", "caption": "x" * 5000}]},
            headers=manager,
        )

    assert uploaded.status_code == 201
    assert patched.status_code == 413
    assert patched.json()["code"] == "PAYLOAD_TOO_LARGE"


async def _raw_upload(
    client: httpx.AsyncClient, headers: dict[str, str], filename: str
) -> httpx.Response:
    # Built by hand: HTTP clients escape NULs and line breaks in names; an attacker would not.
    boundary = "media-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + image_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return await client.post(
        UPLOAD,
        content=body,
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


async def test_a_name_too_long_for_a_part_header_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], media_root: Path
) -> None:
    response = await _raw_upload(client, manager, "../" * 3000 + "passwd")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    await _assert_nothing_written(container, media_root)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\temp\\..\\photo.png", "photo.png"),
        ("..", "upload"),
        ("/", "upload"),
        (".htaccess", "htaccess"),
        ("a\x00b.png", "ab.png"),
        ("tab\tand\x7fdel.png", "tabanddel.png"),
        ("x" * 1000 + ".png", "x" * 251 + ".png"),
    ],
)
async def test_a_client_file_name_is_only_ever_a_label(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    media_root: Path,
    sent: str,
    shown: str,
) -> None:
    # Built by hand: HTTP clients escape NULs and line breaks in names; an attacker would not.
    boundary = "media-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{sent}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + image_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = await client.post(
        UPLOAD,
        content=body,
        headers={**manager, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["filename"] == shown
    [stored] = stored_files(media_root)
    assert KEY_PATTERN.fullmatch(stored.relative_to(media_root).as_posix())
    assert not (media_root.parent / "etc").exists()


@pytest.mark.parametrize(
    "filename", ["../escape.png", "dir/name.png", "a\\b.png", "..", "a\x00.png", "", "x" * 256]
)
async def test_renaming_to_a_path_is_refused(
    client: httpx.AsyncClient, container: Container, manager: dict[str, str], filename: str
) -> None:
    media = (await upload(client, manager, image_bytes(), filename="keep.png")).json()

    response = await client.patch(
        f"{UPLOAD}/{media['id']}", json={"filename": filename}, headers=manager
    )
    after = await client.get(f"{UPLOAD}/{media['id']}", headers=manager)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.filename"]
    assert after.json()["filename"] == "keep.png"
    assert await media_events(container) == ["content.media.uploaded"]


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail, media_root: Path
) -> None:
    response = await upload(client, auth_headers(tenant), image_bytes())

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    await _assert_nothing_written(container, media_root)
