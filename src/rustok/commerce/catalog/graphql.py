"""GraphQL of the catalog: product, products (a cursor connection with filters), variant,
collections, categories, and mutations for the writes.

A product's variants, their prices, its options, images and categories are loaded by
DataLoaders, one batch per kind per request, so a page of products costs the same number of
statements whatever its size. Reads are public and see active products only, as in REST;
a caller holding `products:update` sees every product (`_staff`). Mutation inputs are JSON
objects of the same shape as the REST bodies, validated by the same models.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.commerce.catalog.permissions import PRODUCTS
from rustok.commerce.catalog.schemas import (
    CategoryCreate,
    CollectionCreate,
    ProductCreate,
    ProductFilter,
    ProductStatus,
    ProductUpdate,
    VariantInput,
    VariantUpdate,
)
from rustok.commerce.catalog.service import CatalogService
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.errors import FieldError, Invalid
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action, Permission, Scope
from rustok.core.text import check_plain
from rustok.web.graphql import GraphQLContext, page_size, parse_input, per_request, public, requires

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from rustok.commerce.catalog.schemas import (
        CategoryRead,
        CollectionRead,
        ImageRead,
        OptionRead,
        PriceRead,
        ProductCard,
        ProductRead,
        VariantRead,
    )

K = TypeVar("K")
V = TypeVar("V")

_STAFF = Permission(PRODUCTS, Action.UPDATE)


class Loaders:
    """The DataLoaders of one request (one batch per kind, whatever the page size)."""

    def __init__(self, context: GraphQLContext, locale: str | None) -> None:
        catalog = context.container.service(CatalogService)
        tenant = context.tenant

        def batch(
            load: Callable[[Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, list[V]]]],
        ) -> DataLoader[uuid.UUID, list[V]]:
            async def load_many(keys: list[uuid.UUID]) -> list[list[V]]:
                found = await load(keys)
                return [found.get(key, []) for key in keys]

            return DataLoader(load_fn=load_many)

        self.variants = batch(lambda ids: catalog.variants_by_product(tenant, ids))
        self.prices = batch(lambda ids: catalog.prices_by_variant(tenant, ids))
        self.options = batch(lambda ids: catalog.options_by_product(tenant, ids, locale=locale))
        self.images = batch(lambda ids: catalog.images_by_product(tenant, ids))
        self.categories = batch(
            lambda ids: catalog.categories_by_product(tenant, ids, locale=locale)
        )


def loaders(info: Info[GraphQLContext, Any], locale: str | None = None) -> Loaders:
    """This request's loaders, made on first use by a root field with its `locale`; the
    fields below it reuse them (two root fields asking two locales in one request share the
    first one's option labels: the objects do not carry the locale asked for)."""
    return per_request(info, "commerce_catalog_loaders", lambda: Loaders(info.context, locale))


async def _staff(info: Info[GraphQLContext, Any]) -> bool:
    """Whether the caller may see unpublished products (holds `products:update`)."""
    request = info.context.http_request
    if "authorization" not in request.headers:
        return False
    principal = await info.context.principal()
    scope = await info.context.container.permissions.scope_for(
        principal.tenant_id, principal.roles, _STAFF
    )
    return scope is not Scope.NONE


@strawberry.type
class Price:
    currency_code: str
    amount: int = strawberry.field(description="Minor units of the currency.")
    compare_at_amount: int | None

    @classmethod
    def of(cls, price: PriceRead) -> Price:
        return cls(
            currency_code=price.currency_code,
            amount=price.amount,
            compare_at_amount=price.compare_at_amount,
        )


@strawberry.type
class ChosenOption:
    option: str
    value: str


@strawberry.type
class Variant:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    barcode: str | None
    title: str
    options: list[ChosenOption]
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    manage_inventory: bool
    allow_backorder: bool
    rank: int

    @classmethod
    def of(cls, variant: VariantRead) -> Variant:
        return cls(
            id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            barcode=variant.barcode,
            title=variant.title,
            options=[ChosenOption(option=k, value=v) for k, v in variant.options.items()],
            weight_g=variant.weight_g,
            length_mm=variant.length_mm,
            width_mm=variant.width_mm,
            height_mm=variant.height_mm,
            manage_inventory=variant.manage_inventory,
            allow_backorder=variant.allow_backorder,
            rank=variant.rank,
        )

    @strawberry.field(description="Base prices, one per currency.")
    async def prices(self, info: Info[GraphQLContext, Any]) -> list[Price]:
        return [Price.of(p) for p in await loaders(info).prices.load(self.id)]


@strawberry.type
class OptionValue:
    id: uuid.UUID
    value: str
    label: str


@strawberry.type
class Option:
    id: uuid.UUID
    title: str
    label: str
    values: list[OptionValue]

    @classmethod
    def of(cls, option: OptionRead) -> Option:
        return cls(
            id=option.id,
            title=option.title,
            label=option.label,
            values=[OptionValue(id=v.id, value=v.value, label=v.label) for v in option.values],
        )


@strawberry.type
class Image:
    id: uuid.UUID
    media_id: uuid.UUID
    rank: int
    alt: str | None

    @classmethod
    def of(cls, image: ImageRead, locale: str) -> Image:
        return cls(id=image.id, media_id=image.media_id, rank=image.rank, alt=image.alt.get(locale))


@strawberry.type(name="ProductCategory")
class Category:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    locale: str
    title: str
    handle: str
    rank: int
    is_active: bool

    @classmethod
    def of(cls, category: CategoryRead) -> Category:
        return cls(
            id=category.id,
            parent_id=category.parent_id,
            locale=category.locale,
            title=category.title,
            handle=category.handle,
            rank=category.rank,
            is_active=category.is_active,
        )


@strawberry.type
class Collection:
    id: uuid.UUID
    locale: str
    title: str
    handle: str

    @classmethod
    def of(cls, collection: CollectionRead) -> Collection:
        return cls(
            id=collection.id,
            locale=collection.locale,
            title=collection.title,
            handle=collection.handle,
        )


@strawberry.type
class Product:
    id: uuid.UUID
    status: str
    version: int
    locale: str = strawberry.field(description="The locale that served the texts.")
    title: str
    subtitle: str | None
    handle: str
    description: str | None
    published_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, product: ProductCard | ProductRead) -> Product:
        return cls(
            id=product.id,
            status=product.status.value,
            version=product.version,
            locale=product.locale,
            title=product.title,
            subtitle=product.subtitle,
            handle=product.handle,
            description=product.description,
            published_at=product.published_at,
            created_at=product.created_at,
        )

    @strawberry.field
    async def variants(self, info: Info[GraphQLContext, Any]) -> list[Variant]:
        return [Variant.of(v) for v in await loaders(info).variants.load(self.id)]

    @strawberry.field
    async def options(self, info: Info[GraphQLContext, Any]) -> list[Option]:
        return [Option.of(o) for o in await loaders(info).options.load(self.id)]

    @strawberry.field
    async def images(self, info: Info[GraphQLContext, Any]) -> list[Image]:
        return [Image.of(i, self.locale) for i in await loaders(info).images.load(self.id)]

    @strawberry.field
    async def categories(self, info: Info[GraphQLContext, Any]) -> list[Category]:
        return [Category.of(c) for c in await loaders(info).categories.load(self.id)]


@strawberry.type
class ProductConnection:
    items: list[Product]
    next_cursor: str | None
    has_more: bool


@strawberry.type
class CatalogQuery:
    @strawberry.field(extensions=[public()], description="One product (active ones for shoppers).")
    async def product(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, locale: str | None = None
    ) -> Product:
        catalog = info.context.container.service(CatalogService)
        loaders(info, locale)
        card = await catalog.product_card(
            info.context.tenant, id, locale=locale, staff=await _staff(info)
        )
        return Product.of(card)

    @strawberry.field(
        extensions=[public()],
        description="Products, newest first, by cursor; filtered like the REST list.",
    )
    async def products(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        locale: str | None = None,
        status: str | None = None,
        collection_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        q: str | None = None,
    ) -> ProductConnection:
        staff = await _staff(info)
        try:
            wanted = ProductStatus(status) if status is not None and staff else None
        except ValueError:
            raise Invalid(
                "Unknown status.", fields=[FieldError("status", "draft, active or archived")]
            ) from None
        if q is not None:
            try:
                check_plain(q)  # a NUL would fail in PostgreSQL's LIKE
            except ValueError as error:
                raise Invalid(
                    "Invalid search text.", fields=[FieldError("q", str(error))]
                ) from None
        filters = ProductFilter(
            status=wanted, collection_id=collection_id, category_id=category_id, q=q or None
        )
        loaders(info, locale)
        page = await info.context.container.service(CatalogService).product_cards(
            info.context.tenant,
            filters,
            after=after,
            limit=page_size(first),
            locale=locale,
            staff=staff,
        )
        return ProductConnection(
            items=[Product.of(p) for p in page.items],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )

    @strawberry.field(extensions=[public()], description="One variant (of an active product).")
    async def variant(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Variant:
        detail = await info.context.container.service(CatalogService).get_variant(
            info.context.tenant, id, staff=await _staff(info)
        )
        return Variant.of(detail.variant)

    @strawberry.field(extensions=[public()], description="The tenant's collections.")
    async def collections(
        self, info: Info[GraphQLContext, Any], locale: str | None = None
    ) -> list[Collection]:
        rows = await info.context.container.service(CatalogService).list_collections(
            info.context.tenant, locale=locale
        )
        return [Collection.of(row) for row in rows]

    @strawberry.field(
        extensions=[public()], description="The tenant's product categories (a tree)."
    )
    async def product_categories(
        self, info: Info[GraphQLContext, Any], locale: str | None = None
    ) -> list[Category]:
        rows = await info.context.container.service(CatalogService).list_categories(
            info.context.tenant, locale=locale
        )
        return [Category.of(row) for row in rows]


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.CREATE)],
        description="Create a product: `input` is the body of POST /api/commerce/products.",
    )
    async def create_product(self, info: Info[GraphQLContext, Any], input: JSON) -> Product:
        catalog = info.context.container.service(CatalogService)
        return Product.of(
            await catalog.create_product(info.context.tenant, parse_input(ProductCreate, input))
        )

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.UPDATE)],
        description="Change a product at the version read (`input` as PATCH's body).",
    )
    async def update_product(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Product:
        catalog = info.context.container.service(CatalogService)
        return Product.of(
            await catalog.update_product(info.context.tenant, id, parse_input(ProductUpdate, input))
        )

    @strawberry.mutation(extensions=[requires(PRODUCTS, Action.UPDATE)], description="Put on sale.")
    async def publish_product(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Product:
        catalog = info.context.container.service(CatalogService)
        return Product.of(await catalog.publish(info.context.tenant, id))

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.UPDATE)], description="Back to draft."
    )
    async def unpublish_product(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Product:
        catalog = info.context.container.service(CatalogService)
        return Product.of(await catalog.unpublish(info.context.tenant, id))

    @strawberry.mutation(extensions=[requires(PRODUCTS, Action.UPDATE)], description="Archive.")
    async def archive_product(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Product:
        catalog = info.context.container.service(CatalogService)
        return Product.of(await catalog.archive(info.context.tenant, id))

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.DELETE)],
        description="Delete a draft or archived product; answers its id.",
    )
    async def delete_product(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> uuid.UUID:
        await info.context.container.service(CatalogService).delete_product(info.context.tenant, id)
        return id

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.UPDATE)],
        description="Add a variant (`input` as POST /products/{id}/variants).",
    )
    async def add_variant(
        self, info: Info[GraphQLContext, Any], product_id: uuid.UUID, input: JSON
    ) -> Variant:
        catalog = info.context.container.service(CatalogService)
        variant = await catalog.add_variant(
            info.context.tenant, product_id, parse_input(VariantInput, input)
        )
        return Variant.of(variant)

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.UPDATE)], description="Change a variant."
    )
    async def update_variant(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Variant:
        catalog = info.context.container.service(CatalogService)
        variant = await catalog.update_variant(
            info.context.tenant, id, parse_input(VariantUpdate, input)
        )
        return Variant.of(variant)

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.UPDATE)],
        description="Delete a variant; answers its id.",
    )
    async def delete_variant(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> uuid.UUID:
        await info.context.container.service(CatalogService).delete_variant(info.context.tenant, id)
        return id

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.CREATE)], description="Create a collection."
    )
    async def create_collection(self, info: Info[GraphQLContext, Any], input: JSON) -> Collection:
        catalog = info.context.container.service(CatalogService)
        return Collection.of(
            await catalog.create_collection(
                info.context.tenant, parse_input(CollectionCreate, input)
            )
        )

    @strawberry.mutation(
        extensions=[requires(PRODUCTS, Action.CREATE)], description="Create a product category."
    )
    async def create_product_category(
        self, info: Info[GraphQLContext, Any], input: JSON
    ) -> Category:
        catalog = info.context.container.service(CatalogService)
        return Category.of(
            await catalog.create_category(info.context.tenant, parse_input(CategoryCreate, input))
        )


GRAPHQL = GraphQLPart(query=CatalogQuery, mutation=CatalogMutation)
