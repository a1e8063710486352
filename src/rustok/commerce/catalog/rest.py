"""REST of the catalog under `/api/commerce/`: products, variants, collections, categories.

Reads are public (the storefront): a caller holding `products:update` also sees draft and
archived products, everyone else only active ones. Writes need `products:<action>`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from rustok.commerce.catalog.handles import HANDLE_PATTERN, MAX_HANDLE_LENGTH
from rustok.commerce.catalog.permissions import PRODUCTS
from rustok.commerce.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    CollectionCreate,
    CollectionRead,
    CollectionUpdate,
    CurrencyCode,
    ProductCreate,
    ProductFilter,
    ProductRead,
    ProductStatus,
    ProductUpdate,
    VariantDetail,
    VariantInput,
    VariantRead,
    VariantUpdate,
)
from rustok.commerce.catalog.service import CatalogService
from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.permissions import Action, Permission, Scope
from rustok.core.text import PlainText
from rustok.tenancy.schemas import Locale
from rustok.web.access import (
    Access,
    ContainerDep,
    TenantDep,
    container_of,
    get_principal,
    public,
    require,
)

router = APIRouter(prefix="/commerce")

LocaleQuery = Annotated[Locale | None, Query(description="Locale to read in (fallback chain).")]
_STAFF = Permission(PRODUCTS, Action.UPDATE)


async def _is_staff(request: Request) -> bool:
    """Whether the caller may see unpublished products: a logged-in holder of
    `products:update`. No token: a storefront visitor; a bad token is still a 401."""
    if "authorization" not in request.headers:
        return False
    principal = await get_principal(request)
    scope = await container_of(request).permissions.scope_for(
        principal.tenant_id, principal.roles, _STAFF
    )
    return scope is not Scope.NONE


StaffDep = Annotated[bool, Depends(_is_staff)]
BAD_TOKEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "A token was sent and is not valid (`UNAUTHENTICATED`); send none."}
}


# `async` though it does no I/O: FastAPI runs a plain `def` dependency in a worker thread.
async def _catalog(container: ContainerDep) -> CatalogService:
    return container.service(CatalogService)


Catalog = Annotated[CatalogService, Depends(_catalog)]


@router.get(
    "/products",
    response_model=CursorPage[ProductRead],
    summary="Products, newest first, by cursor; filtered by status, collection, category, text "
    "or price range",
    responses=BAD_TOKEN,
)
async def list_products(
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
    page: Annotated[CursorParams, Depends()],
    locale: LocaleQuery = None,
    status: Annotated[
        ProductStatus | None, Query(description="Staff only; others always see active ones.")
    ] = None,
    collection_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    # Plain text: a NUL would reach PostgreSQL's LIKE and fail there (a 500, not a 422).
    q: Annotated[
        PlainText | None, Query(min_length=1, max_length=100, description="Title text.")
    ] = None,
    currency_code: Annotated[
        CurrencyCode | None,
        Query(description="With price_min / price_max: a variant's base price."),
    ] = None,
    price_min: Annotated[int | None, Query(ge=0, le=10**13)] = None,
    price_max: Annotated[int | None, Query(ge=0, le=10**13)] = None,
) -> CursorPage[ProductRead]:
    filters = ProductFilter(
        status=status if staff else None,
        collection_id=collection_id,
        category_id=category_id,
        q=q,
        currency_code=currency_code,
        price_min=price_min,
        price_max=price_max,
    )
    return await catalog.list_products(
        tenant, filters, after=page.after, limit=page.limit, locale=locale, staff=staff
    )


@router.post(
    "/products",
    response_model=ProductRead,
    status_code=201,
    summary="Create a product with its translations, options, variants and their prices",
)
async def create_product(
    data: ProductCreate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.CREATE)],
) -> ProductRead:
    return await catalog.create_product(tenant, data)


@router.get(
    "/products/handle/{handle}",
    response_model=ProductRead,
    summary="A product by its handle in the locale asked for (or along its fallback chain)",
    responses=BAD_TOKEN,
)
async def get_product_by_handle(
    handle: Annotated[
        str, Path(min_length=1, max_length=MAX_HANDLE_LENGTH, pattern=HANDLE_PATTERN)
    ],
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
    locale: LocaleQuery = None,
) -> ProductRead:
    return await catalog.get_product_by_handle(tenant, handle, locale=locale, staff=staff)


@router.get(
    "/products/{product_id}", response_model=ProductRead, summary="One product", responses=BAD_TOKEN
)
async def get_product(
    product_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
    locale: LocaleQuery = None,
) -> ProductRead:
    return await catalog.get_product(tenant, product_id, locale=locale, staff=staff)


@router.patch(
    "/products/{product_id}",
    response_model=ProductRead,
    summary="Change a product at the version read (a stale version is 409 VERSION_CONFLICT)",
)
async def update_product(
    product_id: uuid.UUID,
    data: ProductUpdate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> ProductRead:
    return await catalog.update_product(tenant, product_id, data)


@router.delete(
    "/products/{product_id}",
    status_code=204,
    summary="Delete a draft or archived product (an active one is 409 PRODUCT_ACTIVE)",
)
async def delete_product(
    product_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.DELETE)],
) -> Response:
    await catalog.delete_product(tenant, product_id)
    return Response(status_code=204)


@router.post(
    "/products/{product_id}/publish", response_model=ProductRead, summary="Put a product on sale"
)
async def publish_product(
    product_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> ProductRead:
    return await catalog.publish(tenant, product_id)


@router.post(
    "/products/{product_id}/unpublish",
    response_model=ProductRead,
    summary="Take an active product off sale (back to draft)",
)
async def unpublish_product(
    product_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> ProductRead:
    return await catalog.unpublish(tenant, product_id)


@router.post(
    "/products/{product_id}/archive", response_model=ProductRead, summary="Archive a product"
)
async def archive_product(
    product_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> ProductRead:
    return await catalog.archive(tenant, product_id)


@router.post(
    "/products/{product_id}/variants",
    response_model=VariantRead,
    status_code=201,
    summary="Add a variant to a product",
)
async def add_variant(
    product_id: uuid.UUID,
    data: VariantInput,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> VariantRead:
    return await catalog.add_variant(tenant, product_id, data)


@router.get(
    "/variants/{variant_id}",
    response_model=VariantDetail,
    summary="One variant",
    responses=BAD_TOKEN,
)
async def get_variant(
    variant_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
) -> VariantDetail:
    return await catalog.get_variant(tenant, variant_id, staff=staff)


@router.patch("/variants/{variant_id}", response_model=VariantRead, summary="Change a variant")
async def update_variant(
    variant_id: uuid.UUID,
    data: VariantUpdate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> VariantRead:
    return await catalog.update_variant(tenant, variant_id, data)


@router.delete("/variants/{variant_id}", status_code=204, summary="Delete a variant")
async def delete_variant(
    variant_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> Response:
    await catalog.delete_variant(tenant, variant_id)
    return Response(status_code=204)


@router.get(
    "/collections", response_model=list[CollectionRead], summary="Collections", responses=BAD_TOKEN
)
async def list_collections(
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[None, public()],
    __: StaffDep,
    locale: LocaleQuery = None,
) -> list[CollectionRead]:
    return await catalog.list_collections(tenant, locale=locale)


@router.post(
    "/collections", response_model=CollectionRead, status_code=201, summary="Create a collection"
)
async def create_collection(
    data: CollectionCreate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.CREATE)],
) -> CollectionRead:
    return await catalog.create_collection(tenant, data)


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionRead,
    summary="One collection",
    responses=BAD_TOKEN,
)
async def get_collection(
    collection_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[None, public()],
    __: StaffDep,
    locale: LocaleQuery = None,
) -> CollectionRead:
    return await catalog.get_collection(tenant, collection_id, locale=locale)


@router.patch(
    "/collections/{collection_id}", response_model=CollectionRead, summary="Change a collection"
)
async def update_collection(
    collection_id: uuid.UUID,
    data: CollectionUpdate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> CollectionRead:
    return await catalog.update_collection(tenant, collection_id, data)


@router.delete(
    "/collections/{collection_id}",
    status_code=204,
    summary="Delete a collection (its products stay)",
)
async def delete_collection(
    collection_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.DELETE)],
) -> Response:
    await catalog.delete_collection(tenant, collection_id)
    return Response(status_code=204)


@router.get(
    "/categories",
    response_model=list[CategoryRead],
    summary="Categories (a tree)",
    responses=BAD_TOKEN,
)
async def list_categories(
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
    locale: LocaleQuery = None,
) -> list[CategoryRead]:
    return await catalog.list_categories(tenant, locale=locale, staff=staff)


@router.post(
    "/categories", response_model=CategoryRead, status_code=201, summary="Create a category"
)
async def create_category(
    data: CategoryCreate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.CREATE)],
) -> CategoryRead:
    return await catalog.create_category(tenant, data)


@router.get(
    "/categories/{category_id}",
    response_model=CategoryRead,
    summary="One category",
    responses=BAD_TOKEN,
)
async def get_category(
    category_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    staff: StaffDep,
    _: Annotated[None, public()],
    locale: LocaleQuery = None,
) -> CategoryRead:
    return await catalog.get_category(tenant, category_id, locale=locale, staff=staff)


@router.patch(
    "/categories/{category_id}",
    response_model=CategoryRead,
    summary="Change or move a category (never under itself)",
)
async def update_category(
    category_id: uuid.UUID,
    data: CategoryUpdate,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.UPDATE)],
) -> CategoryRead:
    return await catalog.update_category(tenant, category_id, data)


@router.delete(
    "/categories/{category_id}",
    status_code=204,
    summary="Delete a category without children (else 409 CATEGORY_HAS_CHILDREN)",
)
async def delete_category(
    category_id: uuid.UUID,
    catalog: Catalog,
    tenant: TenantDep,
    _: Annotated[Access, require(PRODUCTS, Action.DELETE)],
) -> Response:
    await catalog.delete_category(tenant, category_id)
    return Response(status_code=204)
