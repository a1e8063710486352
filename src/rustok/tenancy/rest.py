"""REST of the tenancy module: the current tenant, operators' tenant management, modules."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from rustok.core.pagination import Page, PageParams
from rustok.core.permissions import Action
from rustok.tenancy.identifiers import LOCALE_PATTERN
from rustok.tenancy.permissions import MODULES
from rustok.tenancy.schemas import (
    ModuleRead,
    TenantCreate,
    TenantDetail,
    TenantLocaleUpsert,
    TenantPublic,
    TenantRead,
    TenantUpdate,
)
from rustok.web.access import Access, ContainerDep, OperatorDep, TenantDep, public, require

router = APIRouter()

LocalePath = Annotated[str, Path(pattern=LOCALE_PATTERN, max_length=16, examples=["de"])]


@router.get("/tenant", response_model=TenantPublic, summary="The tenant this request talks to")
async def current_tenant(tenant: TenantDep, _: Annotated[None, public()]) -> TenantPublic:
    return TenantPublic.of(tenant)


@router.get("/admin/tenants", response_model=Page[TenantRead], summary="All tenants")
async def list_tenants(
    container: ContainerDep,
    page: Annotated[PageParams, Depends()],
    _: OperatorDep,
) -> Page[TenantRead]:
    items, total = await container.tenants.list_tenants(offset=page.offset, limit=page.limit)
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.post(
    "/admin/tenants", response_model=TenantDetail, status_code=201, summary="Create a tenant"
)
async def create_tenant(
    data: TenantCreate,
    container: ContainerDep,
    _: OperatorDep,
) -> TenantDetail:
    return await container.tenants.create_tenant(data)


@router.get("/admin/tenants/{tenant_id}", response_model=TenantDetail, summary="One tenant")
async def get_tenant(
    tenant_id: uuid.UUID,
    container: ContainerDep,
    _: OperatorDep,
) -> TenantDetail:
    return await container.tenants.get_tenant(tenant_id)


@router.patch("/admin/tenants/{tenant_id}", response_model=TenantDetail, summary="Update a tenant")
async def update_tenant(
    tenant_id: uuid.UUID,
    data: TenantUpdate,
    container: ContainerDep,
    caller: OperatorDep,
) -> TenantDetail:
    return await container.tenants.update_tenant(tenant_id, data, calling_from=caller.tenant_id)


@router.post(
    "/admin/tenants/{tenant_id}/deactivate",
    response_model=TenantDetail,
    summary="Deactivate a tenant (its requests then get 403)",
)
async def deactivate_tenant(
    tenant_id: uuid.UUID,
    container: ContainerDep,
    caller: OperatorDep,
) -> TenantDetail:
    return await container.tenants.set_active(
        tenant_id, active=False, calling_from=caller.tenant_id
    )


@router.post(
    "/admin/tenants/{tenant_id}/activate", response_model=TenantDetail, summary="Reactivate"
)
async def activate_tenant(
    tenant_id: uuid.UUID,
    container: ContainerDep,
    _: OperatorDep,
) -> TenantDetail:
    return await container.tenants.set_active(tenant_id, active=True)


@router.put(
    "/admin/tenants/{tenant_id}/locales/{locale}",
    response_model=TenantDetail,
    summary="Add or change a locale of a tenant",
)
async def upsert_locale(
    tenant_id: uuid.UUID,
    locale: LocalePath,
    data: TenantLocaleUpsert,
    container: ContainerDep,
    _: OperatorDep,
) -> TenantDetail:
    return await container.tenants.upsert_locale(tenant_id, locale, data)


@router.delete(
    "/admin/tenants/{tenant_id}/locales/{locale}",
    response_model=TenantDetail,
    summary="Remove a locale of a tenant",
)
async def delete_locale(
    tenant_id: uuid.UUID,
    locale: LocalePath,
    container: ContainerDep,
    _: OperatorDep,
) -> TenantDetail:
    return await container.tenants.delete_locale(tenant_id, locale)


@router.get("/admin/modules", response_model=list[ModuleRead], summary="Modules of this tenant")
async def list_modules(
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(MODULES, Action.LIST)],
) -> list[ModuleRead]:
    return await container.modules.list_modules(tenant.id)


@router.post("/admin/modules/{slug}/enable", response_model=ModuleRead, summary="Enable a module")
async def enable_module(
    slug: str,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(MODULES, Action.UPDATE)],
) -> ModuleRead:
    return await container.modules.set_enabled(tenant.id, slug, enabled=True)


@router.post("/admin/modules/{slug}/disable", response_model=ModuleRead, summary="Disable a module")
async def disable_module(
    slug: str,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(MODULES, Action.UPDATE)],
) -> ModuleRead:
    return await container.modules.set_enabled(tenant.id, slug, enabled=False)
