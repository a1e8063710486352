"""Fixtures of the media tests: callers with media permissions, files made on the spot."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image
from sqlalchemy import func, select

from rustok.media.models import Media, MediaTranslation
from rustok.testing.events import outbox_rows
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail

UPLOAD = "/api/content/media"


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=image_format)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media_root(settings: Settings) -> Path:
    return Path(str(settings.modules["media"]["storage_dir"]))


def media_settings(settings: Settings, **values: object) -> dict[str, object]:
    """`make_client` overrides that change these media settings and keep the others."""
    media = {**settings.modules.get("media", {}), **values}
    return {"modules": {**settings.modules, "media": media}}


def stored_files(root: Path) -> list[Path]:
    """Every file under the storage root, temporary ones included."""
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


async def media_rows(container: Container) -> tuple[int, int]:
    async with container.platform_sessions() as session:
        media = await session.scalar(select(func.count()).select_from(Media)) or 0
        texts = await session.scalar(select(func.count()).select_from(MediaTranslation)) or 0
        return media, texts


async def media_events(container: Container) -> list[str]:
    return [row.event_type for row in await outbox_rows(container) if "media" in row.event_type]


@pytest.fixture
async def manager(
    client: httpx.AsyncClient, container: Container, tenant: TenantDetail
) -> dict[str, str]:
    token = await user_token(client, container, tenant, email="m@acme.test", roles=["manager"])
    return auth_headers(tenant, token)


@pytest.fixture
async def other_manager(
    client: httpx.AsyncClient, container: Container, other_tenant: TenantDetail
) -> dict[str, str]:
    token = await user_token(
        client, container, other_tenant, email="m@globex.test", roles=["manager"]
    )
    return auth_headers(other_tenant, token)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    filename: str = "picture.png",
    content_type: str = "image/png",
) -> httpx.Response:
    return await client.post(
        UPLOAD, files={"file": (filename, content, content_type)}, headers=headers
    )
