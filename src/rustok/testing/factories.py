"""Plain async factories: `await make_tenant(container, slug="acme")` and friends."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from PIL import Image

from rustok.media.service import MediaService
from rustok.tenancy.schemas import TenantCreate

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    import httpx

    from rustok.auth.schemas import UserRead
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

DEFAULT_PASSWORD = "correct-horse-battery"  # noqa: S105 - test fixture


async def make_tenant(
    container: Container, *, slug: str, name: str | None = None, domain: str | None = None
) -> TenantDetail:
    return await container.tenants.create_tenant(
        TenantCreate(name=name or slug.title(), slug=slug, domain=domain)
    )


async def make_user(
    container: Container,
    tenant: TenantDetail,
    *,
    email: str,
    password: str = DEFAULT_PASSWORD,
    roles: Sequence[str] = ("customer",),
    operator: bool = False,
) -> UserRead:
    """A user with `roles`; `operator` also makes it a platform operator (as the CLI does)."""
    user = await container.auth.create_user(
        tenant_id=tenant.id, email=email, password=password, roles=roles
    )
    if operator:
        user = await container.auth.set_platform_operator(
            tenant_id=tenant.id, email=email, operator=True
        )
    return user


def auth_headers(tenant: TenantDetail, access_token: str | None = None) -> dict[str, str]:
    headers = {"X-Tenant-ID": tenant.slug}
    if access_token is not None:
        headers["Authorization"] = f"Bearer {access_token}"
    return headers


async def login(
    client: httpx.AsyncClient,
    tenant: TenantDetail,
    email: str,
    password: str = DEFAULT_PASSWORD,
) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=auth_headers(tenant)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def user_token(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    *,
    email: str,
    roles: Sequence[str] = ("customer",),
    operator: bool = False,
) -> str:
    """Create a user with `roles` and return a fresh access token for it."""
    await make_user(container, tenant, email=email, roles=roles, operator=operator)
    token: str = (await login(client, tenant, email))["access_token"]
    return token


@dataclass
class _Upload:
    filename: str = "pixel.png"
    content_type: str | None = "image/png"
    file: BinaryIO = field(default_factory=io.BytesIO)


async def make_media(container: Container, tenant_id: uuid.UUID) -> uuid.UUID:
    """A stored 2x2 PNG of the tenant's media, for rows that reference media."""
    upload = _Upload()
    Image.new("RGB", (2, 2), (10, 20, 30)).save(upload.file, format="PNG")
    upload.file.seek(0)
    stored = await container.service(MediaService).upload(tenant_id, upload, uploaded_by=None)
    return stored.id
