"""Queries of the catalog. The session is bound to one tenant (its ORM statements get the
tenant criterion on their own) and every query here names the tenant as well, so a page of
products costs a fixed number of statements whatever its size (`rows_for`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import and_, delete, exists, func, select, update

from rustok.commerce.catalog.models import (
    Category,
    CategoryTranslation,
    Collection,
    CollectionTranslation,
    OptionValue,
    Product,
    ProductCategory,
    ProductCollection,
    ProductImage,
    ProductOption,
    ProductTranslation,
    Variant,
    VariantOptionValue,
    VariantPrice,
)
from rustok.commerce.catalog.schemas import ProductStatus
from rustok.core.clock import utcnow
from rustok.core.cursor import SortKey, keyset_after

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.commerce.catalog.schemas import ProductFilter
    from rustok.core.cursor import CursorValue

T = TypeVar("T")

PRODUCT_ORDER = "commerce.products.created_desc"
_PRODUCTS = Product.__table__.c
PRODUCT_KEYS = (
    SortKey(_PRODUCTS.created_at, descending=True),
    SortKey(_PRODUCTS.id, descending=True),
)


@dataclass
class ProductRows:
    """Everything a page of products is read with, fetched in one statement per table."""

    translations: dict[uuid.UUID, list[ProductTranslation]] = field(default_factory=dict)
    options: dict[uuid.UUID, list[ProductOption]] = field(default_factory=dict)
    values: dict[uuid.UUID, list[OptionValue]] = field(default_factory=dict)
    variants: dict[uuid.UUID, list[Variant]] = field(default_factory=dict)
    variant_values: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    prices: dict[uuid.UUID, list[VariantPrice]] = field(default_factory=dict)
    images: dict[uuid.UUID, list[ProductImage]] = field(default_factory=dict)
    collections: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    categories: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)


def _group(rows: Iterable[T], key: str) -> dict[uuid.UUID, list[T]]:
    grouped: dict[uuid.UUID, list[T]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


class CatalogRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- products -------------------------------------------------------------------------

    def _visible(self, *, staff: bool) -> ColumnElement[bool]:
        clauses = [Product.tenant_id == self.tenant_id, Product.deleted_at.is_(None)]
        if not staff:
            clauses.append(Product.status == ProductStatus.ACTIVE.value)
        return and_(*clauses)

    async def product(self, product_id: uuid.UUID, *, staff: bool = True) -> Product | None:
        return await self.session.scalar(
            select(Product).where(Product.id == product_id, self._visible(staff=staff))
        )

    async def bump_version(self, product_id: uuid.UUID, expected: int | None) -> int | None:
        """Take the product's next version atomically; None when `expected` is stale (or the
        product is gone). `expected=None` bumps whatever the version is."""
        query = update(Product).where(
            Product.tenant_id == self.tenant_id,
            Product.id == product_id,
            Product.deleted_at.is_(None),
        )
        if expected is not None:
            query = query.where(Product.version == expected)
        result = await self.session.execute(
            query.values(version=Product.version + 1, updated_at=utcnow())
            .returning(Product.version)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def list_products(
        self,
        filters: ProductFilter,
        *,
        staff: bool,
        after: Sequence[CursorValue] | None,
        limit: int,
    ) -> Sequence[Product]:
        query = select(Product).where(self._visible(staff=staff))
        if filters.status is not None:
            query = query.where(Product.status == filters.status.value)
        if filters.collection_id is not None:
            query = query.where(
                exists().where(
                    ProductCollection.tenant_id == self.tenant_id,
                    ProductCollection.product_id == Product.id,
                    ProductCollection.collection_id == filters.collection_id,
                )
            )
        if filters.category_id is not None:
            query = query.where(
                exists().where(
                    ProductCategory.tenant_id == self.tenant_id,
                    ProductCategory.product_id == Product.id,
                    ProductCategory.category_id == filters.category_id,
                )
            )
        if filters.q:
            query = query.where(
                exists().where(
                    ProductTranslation.tenant_id == self.tenant_id,
                    ProductTranslation.product_id == Product.id,
                    func.lower(ProductTranslation.title).contains(
                        filters.q.lower(), autoescape=True
                    ),
                )
            )
        if filters.currency_code is not None:
            price = [
                VariantPrice.tenant_id == self.tenant_id,
                VariantPrice.currency_code == filters.currency_code,
                Variant.tenant_id == self.tenant_id,
                Variant.product_id == Product.id,
                VariantPrice.variant_id == Variant.id,
            ]
            if filters.price_min is not None:
                price.append(VariantPrice.amount >= filters.price_min)
            if filters.price_max is not None:
                price.append(VariantPrice.amount <= filters.price_max)
            query = query.where(exists().where(*price))
        if after is not None:
            query = query.where(keyset_after(PRODUCT_KEYS, after))
        query = query.order_by(Product.created_at.desc(), Product.id.desc()).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    async def rows_for(self, product_ids: Sequence[uuid.UUID]) -> ProductRows:
        """The related rows of these products: nine statements, however many products."""
        if not product_ids:
            return ProductRows()
        ids = list(product_ids)
        tenant = self.tenant_id
        s = self.session
        translations = await s.scalars(
            select(ProductTranslation)
            .where(ProductTranslation.tenant_id == tenant, ProductTranslation.product_id.in_(ids))
            .order_by(ProductTranslation.locale)
        )
        options = await s.scalars(
            select(ProductOption)
            .where(ProductOption.tenant_id == tenant, ProductOption.product_id.in_(ids))
            .order_by(ProductOption.rank, ProductOption.id)
        )
        values = await s.scalars(
            select(OptionValue)
            .where(OptionValue.tenant_id == tenant, OptionValue.product_id.in_(ids))
            .order_by(OptionValue.rank, OptionValue.id)
        )
        variants = (
            await s.scalars(
                select(Variant)
                .where(Variant.tenant_id == tenant, Variant.product_id.in_(ids))
                .order_by(Variant.rank, Variant.id)
            )
        ).all()
        variant_ids = [variant.id for variant in variants]
        variant_values, prices = await self.variant_rows(variant_ids)
        images = await s.scalars(
            select(ProductImage)
            .where(ProductImage.tenant_id == tenant, ProductImage.product_id.in_(ids))
            .order_by(ProductImage.rank, ProductImage.id)
        )
        collections = await s.scalars(
            select(ProductCollection).where(
                ProductCollection.tenant_id == tenant, ProductCollection.product_id.in_(ids)
            )
        )
        categories = await s.scalars(
            select(ProductCategory).where(
                ProductCategory.tenant_id == tenant, ProductCategory.product_id.in_(ids)
            )
        )
        return ProductRows(
            translations=_group(translations, "product_id"),
            options=_group(options, "product_id"),
            values=_group(values, "option_id"),
            variants=_group(variants, "product_id"),
            variant_values=variant_values,
            prices=prices,
            images=_group(images, "product_id"),
            collections={
                k: [r.collection_id for r in v]
                for k, v in _group(collections, "product_id").items()
            },
            categories={
                k: [r.category_id for r in v] for k, v in _group(categories, "product_id").items()
            },
        )

    async def translations_for(
        self, product_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ProductTranslation]]:
        rows = await self.session.scalars(
            select(ProductTranslation)
            .where(
                ProductTranslation.tenant_id == self.tenant_id,
                ProductTranslation.product_id.in_(list(product_ids)),
            )
            .order_by(ProductTranslation.locale)
        )
        return _group(rows, "product_id")

    async def options_for(
        self, product_ids: Sequence[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, list[ProductOption]], dict[uuid.UUID, list[OptionValue]]]:
        """Options by product and values by option, of these products (two statements)."""
        ids = list(product_ids)
        options = await self.session.scalars(
            select(ProductOption)
            .where(ProductOption.tenant_id == self.tenant_id, ProductOption.product_id.in_(ids))
            .order_by(ProductOption.rank, ProductOption.id)
        )
        values = await self.session.scalars(
            select(OptionValue)
            .where(OptionValue.tenant_id == self.tenant_id, OptionValue.product_id.in_(ids))
            .order_by(OptionValue.rank, OptionValue.id)
        )
        return _group(options, "product_id"), _group(values, "option_id")

    async def variants_for(self, product_ids: Sequence[uuid.UUID]) -> Sequence[Variant]:
        return (
            await self.session.scalars(
                select(Variant)
                .where(
                    Variant.tenant_id == self.tenant_id, Variant.product_id.in_(list(product_ids))
                )
                .order_by(Variant.rank, Variant.id)
            )
        ).all()

    async def images_for(
        self, product_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ProductImage]]:
        rows = await self.session.scalars(
            select(ProductImage)
            .where(
                ProductImage.tenant_id == self.tenant_id,
                ProductImage.product_id.in_(list(product_ids)),
            )
            .order_by(ProductImage.rank, ProductImage.id)
        )
        return _group(rows, "product_id")

    async def categories_for(
        self, product_ids: Sequence[uuid.UUID]
    ) -> tuple[list[ProductCategory], Sequence[Category]]:
        """The category links of these products and the categories they name (two statements)."""
        links = list(
            (
                await self.session.scalars(
                    select(ProductCategory).where(
                        ProductCategory.tenant_id == self.tenant_id,
                        ProductCategory.product_id.in_(list(product_ids)),
                    )
                )
            ).all()
        )
        categories = (
            await self.session.scalars(
                select(Category).where(
                    Category.tenant_id == self.tenant_id,
                    Category.id.in_({link.category_id for link in links}),
                )
            )
        ).all()
        return links, categories

    async def variant_rows(
        self, variant_ids: Sequence[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, list[uuid.UUID]], dict[uuid.UUID, list[VariantPrice]]]:
        """Option value ids and base prices of these variants (two statements)."""
        if not variant_ids:
            return {}, {}
        return await self.links_for(variant_ids), await self.prices_for(variant_ids)

    async def links_for(self, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The option value ids of each of these variants."""
        links = await self.session.scalars(
            select(VariantOptionValue).where(
                VariantOptionValue.tenant_id == self.tenant_id,
                VariantOptionValue.variant_id.in_(list(variant_ids)),
            )
        )
        return {k: [r.option_value_id for r in v] for k, v in _group(links, "variant_id").items()}

    async def prices_for(
        self, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[VariantPrice]]:
        prices = await self.session.scalars(
            select(VariantPrice)
            .where(
                VariantPrice.tenant_id == self.tenant_id,
                VariantPrice.variant_id.in_(list(variant_ids)),
            )
            .order_by(VariantPrice.currency_code)
        )
        return _group(prices, "variant_id")

    async def translation_by_handle(
        self, handle: str, locales: Sequence[str]
    ) -> Sequence[ProductTranslation]:
        return (
            await self.session.scalars(
                select(ProductTranslation).where(
                    ProductTranslation.tenant_id == self.tenant_id,
                    ProductTranslation.handle == handle,
                    ProductTranslation.locale.in_(list(locales)),
                )
            )
        ).all()

    async def product_handles(self, locale: str, prefix: str) -> set[str]:
        """Handles taken in `locale` that start with `prefix` (the candidates of a new one)."""
        rows = await self.session.scalars(
            select(ProductTranslation.handle).where(
                ProductTranslation.tenant_id == self.tenant_id,
                ProductTranslation.locale == locale,
                ProductTranslation.handle.startswith(prefix, autoescape=True),
            )
        )
        return set(rows.all())

    async def translations_of(self, product_id: uuid.UUID) -> Sequence[ProductTranslation]:
        return (
            await self.session.scalars(
                select(ProductTranslation).where(
                    ProductTranslation.tenant_id == self.tenant_id,
                    ProductTranslation.product_id == product_id,
                )
            )
        ).all()

    async def replace_links(
        self,
        model: type[ProductCollection] | type[ProductCategory],
        product_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
    ) -> None:
        await self.session.execute(
            delete(model).where(model.tenant_id == self.tenant_id, model.product_id == product_id)
        )
        for linked in dict.fromkeys(ids):
            if model is ProductCollection:
                self.session.add(
                    ProductCollection(
                        tenant_id=self.tenant_id, product_id=product_id, collection_id=linked
                    )
                )
            else:
                self.session.add(
                    ProductCategory(
                        tenant_id=self.tenant_id, product_id=product_id, category_id=linked
                    )
                )

    async def replace_images(self, product_id: uuid.UUID, images: list[ProductImage]) -> None:
        await self.session.execute(
            delete(ProductImage).where(
                ProductImage.tenant_id == self.tenant_id, ProductImage.product_id == product_id
            )
        )
        self.session.add_all(images)

    # --- options and variants ---------------------------------------------------------------

    async def options_of(self, product_id: uuid.UUID) -> Sequence[ProductOption]:
        return (
            await self.session.scalars(
                select(ProductOption)
                .where(
                    ProductOption.tenant_id == self.tenant_id,
                    ProductOption.product_id == product_id,
                )
                .order_by(ProductOption.rank)
            )
        ).all()

    async def values_of(self, product_id: uuid.UUID) -> Sequence[OptionValue]:
        return (
            await self.session.scalars(
                select(OptionValue)
                .where(
                    OptionValue.tenant_id == self.tenant_id, OptionValue.product_id == product_id
                )
                .order_by(OptionValue.rank)
            )
        ).all()

    async def variant(self, variant_id: uuid.UUID) -> Variant | None:
        return await self.session.scalar(
            select(Variant).where(Variant.tenant_id == self.tenant_id, Variant.id == variant_id)
        )

    async def variants_of(self, product_id: uuid.UUID) -> Sequence[Variant]:
        return (
            await self.session.scalars(
                select(Variant).where(
                    Variant.tenant_id == self.tenant_id, Variant.product_id == product_id
                )
            )
        ).all()

    async def existing_variants(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(Variant.id).where(Variant.tenant_id == self.tenant_id, Variant.id.in_(list(ids)))
        )
        return set(rows.all())

    async def variant_stock(
        self, ids: Sequence[uuid.UUID], *, staff: bool
    ) -> Sequence[tuple[Variant, str]]:
        """Variants of these ids with their product's status (one statement), of products
        the caller may see."""
        if not ids:
            return []
        rows = await self.session.execute(
            select(Variant, Product.status)
            .join(
                Product,
                (Product.id == Variant.product_id) & (Product.tenant_id == Variant.tenant_id),
            )
            .where(
                Variant.tenant_id == self.tenant_id,
                Variant.id.in_(list(ids)),
                self._visible(staff=staff),
            )
        )
        return [(row[0], row[1]) for row in rows]

    async def skus_taken(self, skus: Sequence[str]) -> set[str]:
        if not skus:
            return set()
        rows = await self.session.scalars(
            select(Variant.sku).where(Variant.tenant_id == self.tenant_id, Variant.sku.in_(skus))
        )
        return set(rows.all())

    async def replace_prices(self, variant_id: uuid.UUID, prices: list[VariantPrice]) -> None:
        await self.session.execute(
            delete(VariantPrice).where(
                VariantPrice.tenant_id == self.tenant_id, VariantPrice.variant_id == variant_id
            )
        )
        self.session.add_all(prices)

    async def delete_variant(self, variant_id: uuid.UUID) -> None:
        # The links and prices first: SQLite runs the cascade only with foreign keys on, and
        # deleting them here keeps both databases doing the same statements.
        for model in (VariantOptionValue, VariantPrice):
            await self.session.execute(
                delete(model).where(
                    model.tenant_id == self.tenant_id, model.variant_id == variant_id
                )
            )
        await self.session.execute(
            delete(Variant).where(Variant.tenant_id == self.tenant_id, Variant.id == variant_id)
        )

    # --- collections and categories -------------------------------------------------------

    async def existing(
        self, model: type[Collection] | type[Category], ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(model.id).where(model.tenant_id == self.tenant_id, model.id.in_(list(ids)))
        )
        return set(rows.all())

    async def collection(self, collection_id: uuid.UUID) -> Collection | None:
        return await self.session.scalar(
            select(Collection).where(
                Collection.tenant_id == self.tenant_id, Collection.id == collection_id
            )
        )

    async def category(self, category_id: uuid.UUID) -> Category | None:
        return await self.session.scalar(
            select(Category).where(Category.tenant_id == self.tenant_id, Category.id == category_id)
        )

    async def collections(self) -> Sequence[Collection]:
        return (
            await self.session.scalars(
                select(Collection)
                .where(Collection.tenant_id == self.tenant_id)
                .order_by(Collection.created_at, Collection.id)
            )
        ).all()

    async def categories(self) -> Sequence[Category]:
        return (
            await self.session.scalars(
                select(Category)
                .where(Category.tenant_id == self.tenant_id)
                .order_by(Category.rank, Category.created_at, Category.id)
            )
        ).all()

    async def collection_translations(
        self, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[CollectionTranslation]]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(CollectionTranslation)
            .where(
                CollectionTranslation.tenant_id == self.tenant_id,
                CollectionTranslation.collection_id.in_(list(ids)),
            )
            .order_by(CollectionTranslation.locale)
        )
        return _group(rows, "collection_id")

    async def category_translations(
        self, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[CategoryTranslation]]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(CategoryTranslation)
            .where(
                CategoryTranslation.tenant_id == self.tenant_id,
                CategoryTranslation.category_id.in_(list(ids)),
            )
            .order_by(CategoryTranslation.locale)
        )
        return _group(rows, "category_id")

    async def group_handles(
        self,
        model: type[CollectionTranslation] | type[CategoryTranslation],
        locale: str,
        prefix: str,
    ) -> set[str]:
        rows = await self.session.scalars(
            select(model.handle).where(
                model.tenant_id == self.tenant_id,
                model.locale == locale,
                model.handle.startswith(prefix, autoescape=True),
            )
        )
        return set(rows.all())

    async def has_children(self, category_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(Category.id)
            .where(Category.tenant_id == self.tenant_id, Category.parent_id == category_id)
            .limit(1)
        )
        return found is not None

    async def parents(self) -> dict[uuid.UUID, uuid.UUID | None]:
        rows = await self.session.execute(
            select(Category.id, Category.parent_id).where(Category.tenant_id == self.tenant_id)
        )
        return {row.id: row.parent_id for row in rows}

    async def delete_group(
        self, model: type[Collection] | type[Category], row_id: uuid.UUID
    ) -> None:
        if model is Collection:
            links: list[
                tuple[type[ProductCollection] | type[CollectionTranslation], ColumnElement[bool]]
            ] = [
                (ProductCollection, ProductCollection.collection_id == row_id),
                (CollectionTranslation, CollectionTranslation.collection_id == row_id),
            ]
            for link, condition in links:
                await self.session.execute(
                    delete(link).where(link.tenant_id == self.tenant_id, condition)
                )
        else:
            await self.session.execute(
                delete(ProductCategory).where(
                    ProductCategory.tenant_id == self.tenant_id,
                    ProductCategory.category_id == row_id,
                )
            )
            await self.session.execute(
                delete(CategoryTranslation).where(
                    CategoryTranslation.tenant_id == self.tenant_id,
                    CategoryTranslation.category_id == row_id,
                )
            )
        await self.session.execute(
            delete(model).where(model.tenant_id == self.tenant_id, model.id == row_id)
        )
