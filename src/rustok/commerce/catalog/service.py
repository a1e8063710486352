"""Catalog use cases, each one unit of work: products with their translations, options,
variants and base prices; collections and categories.

Reads take `staff`: a caller who may change products sees drafts and archived products too;
everyone else (customers, anonymous storefront calls) sees only active ones. A product is read
in one locale, chosen along the tenant's fallback chain (`locale_chain`); `ProductRead.locale`
says which one served it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import IntegrityError

from rustok.commerce.catalog.errors import (
    CategoryCycle,
    CategoryHasChildren,
    CategoryNotFound,
    CollectionNotFound,
    HandleTaken,
    InvalidVariant,
    OptionCombinationTaken,
    ProductActive,
    ProductNotFound,
    SkuTaken,
    StaleVersion,
    UnknownReference,
    VariantNotFound,
)
from rustok.commerce.catalog.events import (
    PricePayload,
    ProductArchived,
    ProductCreated,
    ProductDeleted,
    ProductPublished,
    ProductUnpublished,
    ProductUpdated,
    VariantCreated,
    VariantDeleted,
    VariantPayload,
    VariantUpdated,
)
from rustok.commerce.catalog.handles import handle_from, numbered
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
from rustok.commerce.catalog.repository import PRODUCT_ORDER, CatalogRepository, ProductRows
from rustok.commerce.catalog.schemas import (
    CategoryRead,
    CollectionRead,
    GroupTranslationRead,
    ImageRead,
    OptionRead,
    OptionValueRead,
    PriceRead,
    ProductCard,
    ProductRead,
    ProductStatus,
    TranslationRead,
    VariantDetail,
    VariantRead,
    VariantStock,
)
from rustok.core.clock import utcnow
from rustok.core.cursor import CursorPage, decode_cursor, page_of
from rustok.core.errors import FieldError
from rustok.core.ids import new_id
from rustok.media.service import MediaService

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from rustok.commerce.catalog.schemas import (
        CategoryCreate,
        CategoryUpdate,
        CollectionCreate,
        CollectionUpdate,
        GroupTranslationInput,
        ImageInput,
        OptionInput,
        PriceInput,
        ProductCreate,
        ProductFilter,
        ProductUpdate,
        TranslationInput,
        VariantInput,
        VariantUpdate,
    )
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory


Translated = TypeVar("Translated", ProductTranslation, CollectionTranslation, CategoryTranslation)


def locale_chain(tenant: TenantSnapshot, requested: str | None) -> tuple[str, ...]:
    """The locales to try, in order: the requested one (else the tenant's default), each
    one's fallback in turn, then the tenant's default."""
    fallbacks = {loc.locale: loc.fallback_locale for loc in tenant.locales}
    chain: list[str] = []
    current: str | None = requested or tenant.default_locale
    while current is not None and current not in chain:
        chain.append(current)
        current = fallbacks.get(current)
    if tenant.default_locale not in chain:
        chain.append(tenant.default_locale)
    return tuple(chain)


def _pick(rows: Sequence[Translated], chain: Sequence[str]) -> Translated:
    """The translation the chain serves; the first one there is when none of its locales has
    one (a product always has at least one translation)."""
    by_locale = {row.locale: row for row in rows}
    for locale in chain:
        if locale in by_locale:
            return by_locale[locale]
    return rows[0]


def _label(translations: dict[str, str], fallback: str, chain: Sequence[str]) -> str:
    for locale in chain:
        if locale in translations:
            return translations[locale]
    return fallback


class CatalogService:
    """Products, variants, collections and categories of a tenant's catalog."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    # --- reads ------------------------------------------------------------------------------

    async def get_product(
        self,
        tenant: TenantSnapshot,
        product_id: uuid.UUID,
        *,
        locale: str | None = None,
        staff: bool = False,
    ) -> ProductRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id, staff=staff)
            if product is None:
                raise ProductNotFound("No such product.")
            return (await self._read(repo, [product], locale_chain(tenant, locale)))[0]

    async def get_product_by_handle(
        self, tenant: TenantSnapshot, handle: str, *, locale: str | None = None, staff: bool = False
    ) -> ProductRead:
        """The product whose handle is `handle` in the first locale of the chain that has it."""
        chain = locale_chain(tenant, locale)
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            found = {row.locale: row for row in await repo.translation_by_handle(handle, chain)}
            for candidate in chain:
                if candidate in found:
                    product = await repo.product(found[candidate].product_id, staff=staff)
                    if product is not None:
                        served = (candidate, *(c for c in chain if c != candidate))
                        return (await self._read(repo, [product], served))[0]
            raise ProductNotFound(f"No product has the handle {handle!r}.")

    async def list_products(
        self,
        tenant: TenantSnapshot,
        filters: ProductFilter,
        *,
        after: str | None,
        limit: int,
        locale: str | None = None,
        staff: bool = False,
    ) -> CursorPage[ProductRead]:
        position = decode_cursor(after, order=PRODUCT_ORDER, width=2) if after else None
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            rows = await repo.list_products(filters, staff=staff, after=position, limit=limit)
            page, cursor = page_of(rows, limit, lambda p: (p.created_at, p.id), order=PRODUCT_ORDER)
            items = await self._read(repo, page, locale_chain(tenant, locale))
            return CursorPage(items=items, next_cursor=cursor)

    # --- batch reads (GraphQL's DataLoaders): a fixed number of statements per batch ----------

    async def product_cards(
        self,
        tenant: TenantSnapshot,
        filters: ProductFilter,
        *,
        after: str | None,
        limit: int,
        locale: str | None = None,
        staff: bool = False,
    ) -> CursorPage[ProductCard]:
        """A page of products with their translations only (two statements)."""
        position = decode_cursor(after, order=PRODUCT_ORDER, width=2) if after else None
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            rows = await repo.list_products(filters, staff=staff, after=position, limit=limit)
            page, cursor = page_of(rows, limit, lambda p: (p.created_at, p.id), order=PRODUCT_ORDER)
            items = await self._cards(repo, page, locale_chain(tenant, locale))
            return CursorPage(items=items, next_cursor=cursor)

    async def product_card(
        self,
        tenant: TenantSnapshot,
        product_id: uuid.UUID,
        *,
        locale: str | None = None,
        staff: bool = False,
    ) -> ProductCard:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id, staff=staff)
            if product is None:
                raise ProductNotFound("No such product.")
            return (await self._cards(repo, [product], locale_chain(tenant, locale)))[0]

    async def variants_by_product(
        self, tenant: TenantSnapshot, product_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[VariantRead]]:
        """The variants of these products, without prices (`prices_by_variant` has them)."""
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            variants = await repo.variants_for(product_ids)
            links = await repo.links_for([v.id for v in variants])
            options, values = await repo.options_for(product_ids)
            titles = {o.id: o.title for group in options.values() for o in group}
            labels = {
                v.id: (titles[v.option_id], v.value) for group in values.values() for v in group
            }
            found: dict[uuid.UUID, list[VariantRead]] = {pid: [] for pid in product_ids}
            for variant in variants:
                found[variant.product_id].append(self._variant_read(variant, links, {}, labels))
            return found

    async def prices_by_variant(
        self, tenant: TenantSnapshot, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[PriceRead]]:
        async with self._uow(tenant.id, read_only=True) as uow:
            rows = await CatalogRepository(uow.session, tenant.id).prices_for(variant_ids)
            return {
                vid: [
                    PriceRead(
                        currency_code=p.currency_code,
                        amount=p.amount,
                        compare_at_amount=p.compare_at_amount,
                    )
                    for p in rows.get(vid, [])
                ]
                for vid in variant_ids
            }

    async def options_by_product(
        self, tenant: TenantSnapshot, product_ids: Sequence[uuid.UUID], *, locale: str | None
    ) -> dict[uuid.UUID, list[OptionRead]]:
        chain = locale_chain(tenant, locale)
        async with self._uow(tenant.id, read_only=True) as uow:
            options, values = await CatalogRepository(uow.session, tenant.id).options_for(
                product_ids
            )
            return {
                pid: [_option_read(o, values.get(o.id, []), chain) for o in options.get(pid, [])]
                for pid in product_ids
            }

    async def images_by_product(
        self, tenant: TenantSnapshot, product_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ImageRead]]:
        async with self._uow(tenant.id, read_only=True) as uow:
            rows = await CatalogRepository(uow.session, tenant.id).images_for(product_ids)
            return {
                pid: [
                    ImageRead(id=i.id, media_id=i.media_id, rank=i.rank, alt=i.alt)
                    for i in rows.get(pid, [])
                ]
                for pid in product_ids
            }

    async def categories_by_product(
        self, tenant: TenantSnapshot, product_ids: Sequence[uuid.UUID], *, locale: str | None
    ) -> dict[uuid.UUID, list[CategoryRead]]:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            links, categories = await repo.categories_for(product_ids)
            reads = {
                c.id: c
                for c in await self._categories(repo, categories, locale_chain(tenant, locale))
            }
            found: dict[uuid.UUID, list[CategoryRead]] = {pid: [] for pid in product_ids}
            for link in links:
                found[link.product_id].append(reads[link.category_id])
            return found

    async def _cards(
        self, repo: CatalogRepository, products: Sequence[Product], chain: Sequence[str]
    ) -> list[ProductCard]:
        translations = await repo.translations_for([p.id for p in products])
        cards = []
        for product in products:
            own = translations.get(product.id, [])
            served = _pick(own, chain)
            cards.append(
                ProductCard(
                    id=product.id,
                    status=ProductStatus(product.status),
                    version=product.version,
                    locale=served.locale,
                    title=served.title,
                    subtitle=served.subtitle,
                    handle=served.handle,
                    description=served.description,
                    translations=[_translation_read(t) for t in own],
                    metadata=product.metadata_,
                    published_at=product.published_at,
                    created_at=product.created_at,
                    updated_at=product.updated_at,
                )
            )
        return cards

    async def get_variant(
        self, tenant: TenantSnapshot, variant_id: uuid.UUID, *, staff: bool = False
    ) -> VariantDetail:
        async with self._uow(tenant.id, read_only=True) as uow:
            return await self.variant_in(uow, variant_id, staff=staff)

    async def variant_in(
        self, uow: UnitOfWork, variant_id: uuid.UUID, *, staff: bool
    ) -> VariantDetail:
        """A variant with its prices, inside a caller's unit of work (pricing uses it); a
        variant of a product the caller may not see is not found."""
        if uow.tenant_id is None:
            raise VariantNotFound("No such variant.")
        repo = CatalogRepository(uow.session, uow.tenant_id)
        variant = await repo.variant(variant_id)
        product = await repo.product(variant.product_id, staff=staff) if variant else None
        if variant is None or product is None:
            raise VariantNotFound("No such variant.")
        values, prices = await repo.variant_rows([variant.id])
        labels = await self._value_labels(repo, product.id)
        return VariantDetail(
            variant=self._variant_read(variant, values, prices, labels),
            product_id=product.id,
            product_status=ProductStatus(product.status),
        )

    # --- product writes ---------------------------------------------------------------------

    async def create_product(self, tenant: TenantSnapshot, data: ProductCreate) -> ProductRead:
        """A product with its translations, options, variants and their prices, images and
        links, in one unit of work; nothing is written if any part is refused."""
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            await self._check_links(repo, data.collection_ids, data.category_ids)
            now = utcnow()
            active = data.status is ProductStatus.ACTIVE
            product = Product(
                id=new_id(),
                tenant_id=tenant.id,
                status=data.status.value,
                metadata_=data.metadata,
                version=1,
                published_at=now if active else None,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(product)
            await self._flush(uow)
            translations = await self._translations(repo, product.id, data.translations)
            uow.session.add_all(translations)
            options = self._options(tenant.id, product.id, data.options)
            uow.session.add_all(options.options.values())
            skus = [variant.sku for variant in data.variants]
            self._refuse_duplicate_skus(skus, "body.variants")
            taken = await repo.skus_taken(skus)
            variants: list[tuple[Variant, list[VariantPrice]]] = []
            keys: dict[str, int] = {}
            for index, variant_in in enumerate(data.variants):
                where = f"body.variants.{index}"
                if variant_in.sku in taken:
                    raise SkuTaken(
                        f"The SKU {variant_in.sku!r} is taken.",
                        fields=[FieldError(f"{where}.sku", "taken")],
                    )
                value_ids = options.resolve(variant_in.options, f"{where}.options")
                key = ",".join(sorted(str(v) for v in value_ids))
                if key in keys:
                    raise InvalidVariant(
                        f"Variants {keys[key]} and {index} have the same options.",
                        fields=[FieldError(f"{where}.options", "same combination as another")],
                    )
                keys[key] = index
                variant, prices = self._new_variant(
                    tenant.id, product.id, variant_in, value_ids, key, index, options
                )
                variants.append((variant, prices))
            # Rows in the order of their foreign keys: the flush does not sort unrelated mappers.
            await self._flush(uow)
            uow.session.add_all(options.values.values())
            await self._flush(uow)
            uow.session.add_all([variant for variant, _ in variants])
            await self._flush(uow)
            for variant, prices in variants:
                uow.session.add_all(prices)
                uow.session.add_all(
                    VariantOptionValue(
                        tenant_id=tenant.id, variant_id=variant.id, option_value_id=value_id
                    )
                    for value_id in options.ids_of(variant.id)
                )
            uow.session.add_all(await self._images(uow, tenant.id, product.id, data.images))
            await repo.replace_links(ProductCollection, product.id, data.collection_ids)
            await repo.replace_links(ProductCategory, product.id, data.category_ids)
            await self._flush(uow)
            read = (await self._read(repo, [product], locale_chain(tenant, None)))[0]
            uow.emit(
                ProductCreated(
                    product_id=product.id,
                    version=product.version,
                    status=product.status,
                    handles={t.locale: t.handle for t in translations},
                    titles={t.locale: t.title for t in translations},
                    variants=[_variant_payload(v) for v in read.variants],
                ),
                tenant_id=tenant.id,
                aggregate_version=product.version,
            )
            await uow.commit()
            return read

    async def update_product(
        self, tenant: TenantSnapshot, product_id: uuid.UUID, data: ProductUpdate
    ) -> ProductRead:
        """Change a product read at `data.version`; a stale one is a 409 (`VERSION_CONFLICT`)."""
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id)
            if product is None:
                raise ProductNotFound("No such product.")
            changes = sorted(data.model_dump(exclude_unset=True).keys() - {"version"})
            await self._check_links(repo, data.collection_ids or [], data.category_ids or [])
            version = await repo.bump_version(product_id, data.version)
            if version is None:
                raise StaleVersion(
                    f"The product changed since version {data.version}; read it again.",
                    fields=[FieldError("body.version", f"current version is {product.version}")],
                )
            if data.translations is not None:
                existing = {t.locale: t for t in await repo.translations_of(product_id)}
                replaced = [existing[t.locale] for t in data.translations if t.locale in existing]
                for row in replaced:
                    await uow.session.delete(row)
                await self._flush(uow)
                uow.session.add_all(await self._translations(repo, product_id, data.translations))
            if data.metadata is not None:
                product.metadata_ = data.metadata
            if data.images is not None:
                await repo.replace_images(
                    product_id, await self._images(uow, tenant.id, product_id, data.images)
                )
            if data.collection_ids is not None:
                await repo.replace_links(ProductCollection, product_id, data.collection_ids)
            if data.category_ids is not None:
                await repo.replace_links(ProductCategory, product_id, data.category_ids)
            await self._flush(uow)
            await uow.session.refresh(product)
            read = (await self._read(repo, [product], locale_chain(tenant, None)))[0]
            uow.emit(
                ProductUpdated(product_id=product_id, version=version, changes=changes),
                tenant_id=tenant.id,
                aggregate_version=version,
            )
            await uow.commit()
            return read

    async def publish(self, tenant: TenantSnapshot, product_id: uuid.UUID) -> ProductRead:
        """Put a product on sale (active); publishing an active product changes nothing."""
        return await self._set_status(tenant, product_id, ProductStatus.ACTIVE)

    async def unpublish(self, tenant: TenantSnapshot, product_id: uuid.UUID) -> ProductRead:
        """Take an active product off sale (back to draft); others are left as they are."""
        return await self._set_status(tenant, product_id, ProductStatus.DRAFT)

    async def archive(self, tenant: TenantSnapshot, product_id: uuid.UUID) -> ProductRead:
        return await self._set_status(tenant, product_id, ProductStatus.ARCHIVED)

    async def _set_status(
        self, tenant: TenantSnapshot, product_id: uuid.UUID, status: ProductStatus
    ) -> ProductRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id)
            if product is None:
                raise ProductNotFound("No such product.")
            current = ProductStatus(product.status)
            unchanged = current is status or (
                status is ProductStatus.DRAFT and current is not ProductStatus.ACTIVE
            )
            if not unchanged:
                version = await repo.bump_version(product_id, None)
                assert version is not None
                product.status = status.value
                if status is ProductStatus.ACTIVE:
                    product.published_at = utcnow()
                await self._flush(uow)
                await uow.session.refresh(product)
                event = {
                    ProductStatus.ACTIVE: ProductPublished,
                    ProductStatus.DRAFT: ProductUnpublished,
                    ProductStatus.ARCHIVED: ProductArchived,
                }[status]
                uow.emit(
                    event(product_id=product_id, version=version),
                    tenant_id=tenant.id,
                    aggregate_version=version,
                )
            read = (await self._read(repo, [product], locale_chain(tenant, None)))[0]
            if not unchanged:
                await uow.commit()
            return read

    async def delete_product(self, tenant: TenantSnapshot, product_id: uuid.UUID) -> None:
        """Soft-delete a draft or archived product (it is then found nowhere); an active one is
        refused (`PRODUCT_ACTIVE`). Its handles and SKUs stay reserved."""
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id)
            if product is None:
                raise ProductNotFound("No such product.")
            if product.status == ProductStatus.ACTIVE.value:
                raise ProductActive(
                    "An active product cannot be deleted; unpublish or archive it first."
                )
            version = await repo.bump_version(product_id, None)
            assert version is not None
            product.deleted_at = utcnow()
            variants = await repo.variants_of(product_id)
            await self._flush(uow)
            uow.emit(
                ProductDeleted(
                    product_id=product_id,
                    version=version,
                    variant_ids=[variant.id for variant in variants],
                ),
                tenant_id=tenant.id,
                aggregate_version=version,
            )
            await uow.commit()

    # --- variants ---------------------------------------------------------------------------

    async def add_variant(
        self, tenant: TenantSnapshot, product_id: uuid.UUID, data: VariantInput
    ) -> VariantRead:
        """A new variant of a product; an option value it names that the product lacks is
        added to the option."""
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            product = await repo.product(product_id)
            if product is None:
                raise ProductNotFound("No such product.")
            if await repo.skus_taken([data.sku]):
                raise SkuTaken(
                    f"The SKU {data.sku!r} is taken.", fields=[FieldError("body.sku", "taken")]
                )
            options = _Options.load(
                tenant.id,
                product_id,
                await repo.options_of(product_id),
                await repo.values_of(product_id),
            )
            value_ids = options.resolve(data.options, "body.options")
            key = ",".join(sorted(str(v) for v in value_ids))
            existing = await repo.variants_of(product_id)
            if any(variant.options_key == key for variant in existing):
                raise OptionCombinationTaken(
                    "Another variant of this product has these options.",
                    fields=[FieldError("body.options", "same combination as another variant")],
                )
            rank = max((v.rank for v in existing), default=-1) + 1
            variant, prices = self._new_variant(
                tenant.id, product_id, data, value_ids, key, rank, options
            )
            uow.session.add_all(options.new_values)
            await self._flush(uow)
            uow.session.add(variant)
            await self._flush(uow)
            uow.session.add_all(prices)
            uow.session.add_all(
                VariantOptionValue(tenant_id=tenant.id, variant_id=variant.id, option_value_id=v)
                for v in value_ids
            )
            await self._flush(uow)
            read = self._variant_read(
                variant, {variant.id: list(value_ids)}, {variant.id: prices}, options.labels()
            )
            uow.emit(
                VariantCreated(
                    product_id=product_id, variant_id=variant.id, variant=_variant_payload(read)
                ),
                tenant_id=tenant.id,
            )
            await uow.commit()
            return read

    async def update_variant(
        self, tenant: TenantSnapshot, variant_id: uuid.UUID, data: VariantUpdate
    ) -> VariantRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            variant = await self._variant_of_live_product(repo, variant_id)
            changes = sorted(data.model_dump(exclude_unset=True).keys())
            if (
                data.sku is not None
                and data.sku != variant.sku
                and await repo.skus_taken([data.sku])
            ):
                raise SkuTaken(
                    f"The SKU {data.sku!r} is taken.", fields=[FieldError("body.sku", "taken")]
                )
            for name in changes:
                if name in {"prices", "metadata"}:
                    continue
                value = getattr(data, name)
                if value is None and name in {
                    "sku",
                    "manage_inventory",
                    "allow_backorder",
                    "rank",
                    "title",
                }:
                    continue  # not nullable: leaving them out and sending null mean the same
                setattr(variant, name, value)
            if data.metadata is not None:
                variant.metadata_ = data.metadata
            if data.prices is not None:
                await repo.replace_prices(
                    variant.id, _price_rows(tenant.id, variant.id, data.prices)
                )
            await self._flush(uow)
            read = await self._variant_read_in(repo, variant)
            uow.emit(
                VariantUpdated(
                    product_id=variant.product_id,
                    variant_id=variant.id,
                    variant=_variant_payload(read),
                    changes=changes,
                ),
                tenant_id=tenant.id,
            )
            await uow.commit()
            return read

    async def delete_variant(self, tenant: TenantSnapshot, variant_id: uuid.UUID) -> None:
        """Delete a variant; also one of a deleted product, which frees its SKU."""
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            variant = await repo.variant(variant_id)
            if variant is None:
                raise VariantNotFound("No such variant.")
            product_id, sku = variant.product_id, variant.sku
            await repo.delete_variant(variant_id)
            uow.emit(
                VariantDeleted(product_id=product_id, variant_id=variant_id, sku=sku),
                tenant_id=tenant.id,
            )
            await uow.commit()

    async def set_prices_in(
        self, uow: UnitOfWork, variant_id: uuid.UUID, prices: Sequence[PriceInput]
    ) -> VariantRead:
        """Replace a variant's base prices inside a caller's unit of work (pricing's use case
        emits the event)."""
        if uow.tenant_id is None:
            raise VariantNotFound("No such variant.")
        repo = CatalogRepository(uow.session, uow.tenant_id)
        variant = await self._variant_of_live_product(repo, variant_id)
        await repo.replace_prices(variant.id, _price_rows(uow.tenant_id, variant.id, prices))
        await self._flush(uow)
        return await self._variant_read_in(repo, variant)

    async def existing_variants_in(
        self, uow: UnitOfWork, variant_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of these variant ids are variants of this tenant (price lists check theirs)."""
        if uow.tenant_id is None:
            return set()
        return await CatalogRepository(uow.session, uow.tenant_id).existing_variants(variant_ids)

    async def variant_stock_in(
        self,
        uow: UnitOfWork,
        variant_ids: Sequence[uuid.UUID],
        *,
        staff: bool = True,
        tenant_id: uuid.UUID | None = None,
    ) -> dict[uuid.UUID, VariantStock]:
        """SKU and stock flags of these variants, inside a caller's unit of work (inventory
        uses it; a platform unit of work names the tenant); ids of other tenants, deleted
        products or (for shoppers) products not on sale are missing from the answer."""
        owner = uow.tenant_id or tenant_id
        if owner is None:
            return {}
        rows = await CatalogRepository(uow.session, owner).variant_stock(variant_ids, staff=staff)
        return {
            variant.id: VariantStock(
                id=variant.id,
                product_id=variant.product_id,
                sku=variant.sku,
                manage_inventory=variant.manage_inventory,
                allow_backorder=variant.allow_backorder,
                product_status=ProductStatus(status),
            )
            for variant, status in rows
        }

    async def base_prices_in(
        self, uow: UnitOfWork, variant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[PriceRead]]:
        """The base prices of these variants, inside a caller's unit of work (one statement;
        pricing prices a cart's lines with it)."""
        if uow.tenant_id is None or not variant_ids:
            return {}
        rows = await CatalogRepository(uow.session, uow.tenant_id).prices_for(variant_ids)
        return {
            vid: [
                PriceRead(
                    currency_code=p.currency_code,
                    amount=p.amount,
                    compare_at_amount=p.compare_at_amount,
                )
                for p in group
            ]
            for vid, group in rows.items()
        }

    async def _variant_of_live_product(
        self, repo: CatalogRepository, variant_id: uuid.UUID
    ) -> Variant:
        variant = await repo.variant(variant_id)
        if variant is None or await repo.product(variant.product_id) is None:
            raise VariantNotFound("No such variant.")
        return variant

    async def _variant_read_in(self, repo: CatalogRepository, variant: Variant) -> VariantRead:
        values, prices = await repo.variant_rows([variant.id])
        return self._variant_read(
            variant, values, prices, await self._value_labels(repo, variant.product_id)
        )

    async def _value_labels(
        self, repo: CatalogRepository, product_id: uuid.UUID
    ) -> dict[uuid.UUID, tuple[str, str]]:
        options = {o.id: o.title for o in await repo.options_of(product_id)}
        return {v.id: (options[v.option_id], v.value) for v in await repo.values_of(product_id)}

    # --- collections and categories -----------------------------------------------------------

    async def list_collections(
        self, tenant: TenantSnapshot, *, locale: str | None = None
    ) -> list[CollectionRead]:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            rows = await repo.collections()
            return await self._collections(repo, rows, locale_chain(tenant, locale))

    async def get_collection(
        self, tenant: TenantSnapshot, collection_id: uuid.UUID, *, locale: str | None = None
    ) -> CollectionRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            row = await repo.collection(collection_id)
            if row is None:
                raise CollectionNotFound("No such collection.")
            return (await self._collections(repo, [row], locale_chain(tenant, locale)))[0]

    async def create_collection(
        self, tenant: TenantSnapshot, data: CollectionCreate
    ) -> CollectionRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            row = Collection(id=new_id(), tenant_id=tenant.id, metadata_=data.metadata)
            uow.session.add(row)
            await self._flush(uow)
            uow.session.add_all(
                await self._group_translations(
                    repo, CollectionTranslation, row.id, data.translations
                )
            )
            await self._flush(uow)
            read = (await self._collections(repo, [row], locale_chain(tenant, None)))[0]
            await uow.commit()
            return read

    async def update_collection(
        self, tenant: TenantSnapshot, collection_id: uuid.UUID, data: CollectionUpdate
    ) -> CollectionRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            row = await repo.collection(collection_id)
            if row is None:
                raise CollectionNotFound("No such collection.")
            if data.metadata is not None:
                row.metadata_ = data.metadata
            if data.translations is not None:
                existing = (await repo.collection_translations([row.id])).get(row.id, [])
                await self._replace_group_translations(
                    uow, repo, CollectionTranslation, row.id, existing, data.translations
                )
            read = (await self._collections(repo, [row], locale_chain(tenant, None)))[0]
            await uow.commit()
            return read

    async def delete_collection(self, tenant: TenantSnapshot, collection_id: uuid.UUID) -> None:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            if await repo.collection(collection_id) is None:
                raise CollectionNotFound("No such collection.")
            await repo.delete_group(Collection, collection_id)
            await uow.commit()

    async def list_categories(
        self, tenant: TenantSnapshot, *, locale: str | None = None, staff: bool = False
    ) -> list[CategoryRead]:
        """The categories, by rank; shoppers see active ones only."""
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            rows = [row for row in await repo.categories() if staff or row.is_active]
            return await self._categories(repo, rows, locale_chain(tenant, locale))

    async def get_category(
        self,
        tenant: TenantSnapshot,
        category_id: uuid.UUID,
        *,
        locale: str | None = None,
        staff: bool = False,
    ) -> CategoryRead:
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            row = await repo.category(category_id)
            if row is None or not (staff or row.is_active):
                raise CategoryNotFound("No such category.")
            return (await self._categories(repo, [row], locale_chain(tenant, locale)))[0]

    async def create_category(self, tenant: TenantSnapshot, data: CategoryCreate) -> CategoryRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            if data.parent_id is not None and await repo.category(data.parent_id) is None:
                raise UnknownReference(
                    "The parent category does not exist.",
                    fields=[FieldError("body.parent_id", "no such category")],
                )
            row = Category(
                id=new_id(),
                tenant_id=tenant.id,
                parent_id=data.parent_id,
                rank=data.rank,
                is_active=data.is_active,
            )
            uow.session.add(row)
            await self._flush(uow)
            uow.session.add_all(
                await self._group_translations(repo, CategoryTranslation, row.id, data.translations)
            )
            await self._flush(uow)
            read = (await self._categories(repo, [row], locale_chain(tenant, None)))[0]
            await uow.commit()
            return read

    async def update_category(
        self, tenant: TenantSnapshot, category_id: uuid.UUID, data: CategoryUpdate
    ) -> CategoryRead:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            row = await repo.category(category_id)
            if row is None:
                raise CategoryNotFound("No such category.")
            if "parent_id" in data.model_fields_set:
                await self._check_parent(repo, category_id, data.parent_id)
                row.parent_id = data.parent_id
            if data.rank is not None:
                row.rank = data.rank
            if data.is_active is not None:
                row.is_active = data.is_active
            if data.translations is not None:
                existing = (await repo.category_translations([row.id])).get(row.id, [])
                await self._replace_group_translations(
                    uow, repo, CategoryTranslation, row.id, existing, data.translations
                )
            await self._flush(uow)
            read = (await self._categories(repo, [row], locale_chain(tenant, None)))[0]
            await uow.commit()
            return read

    async def delete_category(self, tenant: TenantSnapshot, category_id: uuid.UUID) -> None:
        async with self._uow(tenant.id) as uow:
            repo = CatalogRepository(uow.session, tenant.id)
            if await repo.category(category_id) is None:
                raise CategoryNotFound("No such category.")
            if await repo.has_children(category_id):
                raise CategoryHasChildren("Move or delete the category's children first.")
            await repo.delete_group(Category, category_id)
            await uow.commit()

    async def _check_parent(
        self, repo: CatalogRepository, category_id: uuid.UUID, parent_id: uuid.UUID | None
    ) -> None:
        if parent_id is None:
            return
        parents = await repo.parents()
        if parent_id not in parents:
            raise UnknownReference(
                "The parent category does not exist.",
                fields=[FieldError("body.parent_id", "no such category")],
            )
        current: uuid.UUID | None = parent_id
        while current is not None:
            if current == category_id:
                raise CategoryCycle(
                    "A category cannot be moved under itself or its descendants.",
                    fields=[FieldError("body.parent_id", "would make a cycle")],
                )
            current = parents.get(current)

    # --- building blocks ----------------------------------------------------------------------

    async def _flush(self, uow: UnitOfWork) -> None:
        """Flush; a unique key that a concurrent writer took meanwhile is a 409, not a 500."""
        try:
            await uow.session.flush()
        except IntegrityError as error:
            text = str(error.orig).lower()
            if "sku" in text:
                raise SkuTaken(
                    "A SKU is taken.", fields=[FieldError("body.sku", "taken")]
                ) from None
            if "handle" in text:
                raise HandleTaken(
                    "A handle is taken.", fields=[FieldError("body.translations", "handle taken")]
                ) from None
            if "options_key" in text:
                raise OptionCombinationTaken(
                    "Another variant has these options.",
                    fields=[FieldError("body.options", "same combination")],
                ) from None
            raise

    async def _check_links(
        self,
        repo: CatalogRepository,
        collection_ids: Sequence[uuid.UUID],
        category_ids: Sequence[uuid.UUID],
    ) -> None:
        for model, ids, name in (
            (Collection, collection_ids, "collection_ids"),
            (Category, category_ids, "category_ids"),
        ):
            found = await repo.existing(model, ids)
            for index, linked in enumerate(ids):
                if linked not in found:
                    raise UnknownReference(
                        f"{name[:-4].title()} {linked} does not exist.",
                        fields=[FieldError(f"body.{name}.{index}", "no such row in this tenant")],
                    )

    async def _translations(
        self,
        repo: CatalogRepository,
        product_id: uuid.UUID,
        items: Sequence[TranslationInput],
    ) -> list[ProductTranslation]:
        rows = []
        for index, item in enumerate(items):
            if item.handle is not None:
                if item.handle in await repo.product_handles(item.locale, item.handle):
                    raise HandleTaken(
                        f"The handle {item.handle!r} is taken in {item.locale!r}.",
                        fields=[FieldError(f"body.translations.{index}.handle", "taken")],
                    )
                handle = item.handle
            else:
                base = handle_from(item.title, fallback="product")
                handle = _free(base, await repo.product_handles(item.locale, base))
            rows.append(
                ProductTranslation(
                    tenant_id=repo.tenant_id,
                    product_id=product_id,
                    locale=item.locale,
                    title=item.title,
                    subtitle=item.subtitle,
                    handle=handle,
                    description=item.description,
                )
            )
        return rows

    async def _group_translations(
        self,
        repo: CatalogRepository,
        model: type[CollectionTranslation] | type[CategoryTranslation],
        owner_id: uuid.UUID,
        items: Sequence[GroupTranslationInput],
    ) -> list[CollectionTranslation] | list[CategoryTranslation]:
        handles: list[str] = []
        for index, item in enumerate(items):
            if item.handle is not None:
                if item.handle in await repo.group_handles(model, item.locale, item.handle):
                    raise HandleTaken(
                        f"The handle {item.handle!r} is taken in {item.locale!r}.",
                        fields=[FieldError(f"body.translations.{index}.handle", "taken")],
                    )
                handles.append(item.handle)
            else:
                base = handle_from(item.title, fallback="group")
                handles.append(_free(base, await repo.group_handles(model, item.locale, base)))
        if model is CollectionTranslation:
            return [
                CollectionTranslation(
                    tenant_id=repo.tenant_id,
                    collection_id=owner_id,
                    locale=item.locale,
                    title=item.title,
                    handle=handle,
                    description=item.description,
                )
                for item, handle in zip(items, handles, strict=True)
            ]
        return [
            CategoryTranslation(
                tenant_id=repo.tenant_id,
                category_id=owner_id,
                locale=item.locale,
                title=item.title,
                handle=handle,
                description=item.description,
            )
            for item, handle in zip(items, handles, strict=True)
        ]

    async def _replace_group_translations(
        self,
        uow: UnitOfWork,
        repo: CatalogRepository,
        model: type[CollectionTranslation] | type[CategoryTranslation],
        owner_id: uuid.UUID,
        existing: Sequence[CollectionTranslation] | Sequence[CategoryTranslation],
        items: Sequence[GroupTranslationInput],
    ) -> None:
        given = {item.locale for item in items}
        for row in existing:
            if row.locale in given:
                await uow.session.delete(row)
        await self._flush(uow)
        uow.session.add_all(await self._group_translations(repo, model, owner_id, items))
        await self._flush(uow)

    def _options(
        self, tenant_id: uuid.UUID, product_id: uuid.UUID, items: Sequence[OptionInput]
    ) -> _Options:
        options = _Options(tenant_id, product_id)
        for rank, item in enumerate(items):
            option = options.add_option(item.title, dict(item.translations), rank)
            for value_rank, value in enumerate(item.value_inputs()):
                options.add_value(option, value.value, dict(value.translations), value_rank)
        return options

    def _new_variant(
        self,
        tenant_id: uuid.UUID,
        product_id: uuid.UUID,
        data: VariantInput,
        value_ids: list[uuid.UUID],
        key: str,
        rank: int,
        options: _Options,
    ) -> tuple[Variant, list[VariantPrice]]:
        labels = options.labels()
        now = utcnow()
        variant = Variant(
            id=new_id(),
            tenant_id=tenant_id,
            product_id=product_id,
            sku=data.sku,
            barcode=data.barcode,
            title=data.title or " / ".join(labels[v][1] for v in value_ids) or data.sku,
            options_key=key,
            weight_g=data.weight_g,
            length_mm=data.length_mm,
            width_mm=data.width_mm,
            height_mm=data.height_mm,
            manage_inventory=data.manage_inventory,
            allow_backorder=data.allow_backorder,
            rank=data.rank if data.rank is not None else rank,
            metadata_=data.metadata,
            created_at=now,
            updated_at=now,
        )
        options.chosen[variant.id] = value_ids
        return variant, _price_rows(tenant_id, variant.id, data.prices)

    @staticmethod
    def _refuse_duplicate_skus(skus: Sequence[str], where: str) -> None:
        seen: dict[str, int] = {}
        for index, sku in enumerate(skus):
            if sku in seen:
                raise InvalidVariant(
                    f"The SKU {sku!r} is given twice (variants {seen[sku]} and {index}).",
                    fields=[FieldError(f"{where}.{index}.sku", "duplicate in this request")],
                )
            seen[sku] = index

    @staticmethod
    async def _images(
        uow: UnitOfWork, tenant_id: uuid.UUID, product_id: uuid.UUID, items: Sequence[ImageInput]
    ) -> list[ProductImage]:
        """The image rows, once every media id is one of this tenant's (422 naming the image)."""
        if items:
            await MediaService.ensure_media_in(
                uow, [item.media_id for item in items], field="body.images"
            )
        return [
            ProductImage(
                id=new_id(),
                tenant_id=tenant_id,
                product_id=product_id,
                media_id=item.media_id,
                rank=item.rank if item.rank is not None else index,
                alt=dict(item.alt),
            )
            for index, item in enumerate(items)
        ]

    async def _read(
        self, repo: CatalogRepository, products: Sequence[Product], chain: Sequence[str]
    ) -> list[ProductRead]:
        rows = await repo.rows_for([p.id for p in products])
        return [self._product_read(product, rows, chain) for product in products]

    def _product_read(
        self, product: Product, rows: ProductRows, chain: Sequence[str]
    ) -> ProductRead:
        translations = rows.translations.get(product.id, [])
        served = _pick(translations, chain)
        options = rows.options.get(product.id, [])
        labels: dict[uuid.UUID, tuple[str, str]] = {}
        option_reads = []
        for option in options:
            values = rows.values.get(option.id, [])
            for value in values:
                labels[value.id] = (option.title, value.value)
            option_reads.append(_option_read(option, values, chain))
        return ProductRead(
            id=product.id,
            status=ProductStatus(product.status),
            version=product.version,
            locale=served.locale,
            title=served.title,
            subtitle=served.subtitle,
            handle=served.handle,
            description=served.description,
            translations=[_translation_read(t) for t in translations],
            options=option_reads,
            variants=[
                self._variant_read(variant, rows.variant_values, rows.prices, labels)
                for variant in rows.variants.get(product.id, [])
            ],
            images=[
                ImageRead(id=i.id, media_id=i.media_id, rank=i.rank, alt=i.alt)
                for i in rows.images.get(product.id, [])
            ],
            collection_ids=rows.collections.get(product.id, []),
            category_ids=rows.categories.get(product.id, []),
            metadata=product.metadata_,
            published_at=product.published_at,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )

    @staticmethod
    def _variant_read(
        variant: Variant,
        values: dict[uuid.UUID, list[uuid.UUID]],
        prices: dict[uuid.UUID, list[VariantPrice]],
        labels: dict[uuid.UUID, tuple[str, str]],
    ) -> VariantRead:
        value_ids = sorted(values.get(variant.id, []), key=lambda v: labels.get(v, ("", ""))[0])
        return VariantRead(
            id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            barcode=variant.barcode,
            title=variant.title,
            options=dict(labels[v] for v in value_ids if v in labels),
            option_value_ids=value_ids,
            weight_g=variant.weight_g,
            length_mm=variant.length_mm,
            width_mm=variant.width_mm,
            height_mm=variant.height_mm,
            manage_inventory=variant.manage_inventory,
            allow_backorder=variant.allow_backorder,
            rank=variant.rank,
            metadata=variant.metadata_,
            prices=[
                PriceRead(
                    currency_code=p.currency_code,
                    amount=p.amount,
                    compare_at_amount=p.compare_at_amount,
                )
                for p in sorted(prices.get(variant.id, []), key=lambda p: p.currency_code)
            ],
            created_at=variant.created_at,
            updated_at=variant.updated_at,
        )

    async def _collections(
        self, repo: CatalogRepository, rows: Sequence[Collection], chain: Sequence[str]
    ) -> list[CollectionRead]:
        translations = await repo.collection_translations([row.id for row in rows])
        reads = []
        for row in rows:
            own = translations.get(row.id, [])
            served = _pick(own, chain)
            reads.append(
                CollectionRead(
                    id=row.id,
                    locale=served.locale,
                    title=served.title,
                    handle=served.handle,
                    translations=[_group_read(t) for t in own],
                    metadata=row.metadata_,
                    created_at=row.created_at,
                )
            )
        return reads

    async def _categories(
        self, repo: CatalogRepository, rows: Sequence[Category], chain: Sequence[str]
    ) -> list[CategoryRead]:
        translations = await repo.category_translations([row.id for row in rows])
        reads = []
        for row in rows:
            own = translations.get(row.id, [])
            served = _pick(own, chain)
            reads.append(
                CategoryRead(
                    id=row.id,
                    parent_id=row.parent_id,
                    locale=served.locale,
                    title=served.title,
                    handle=served.handle,
                    rank=row.rank,
                    is_active=row.is_active,
                    translations=[_group_read(t) for t in own],
                    created_at=row.created_at,
                )
            )
        return reads


class _Options:
    """A product's options and values while variants are resolved against them."""

    def __init__(self, tenant_id: uuid.UUID, product_id: uuid.UUID) -> None:
        self.tenant_id = tenant_id
        self.product_id = product_id
        self.options: dict[str, ProductOption] = {}
        self.values: dict[tuple[uuid.UUID, str], OptionValue] = {}
        self.new_values: list[OptionValue] = []
        self.chosen: dict[uuid.UUID, list[uuid.UUID]] = {}

    @classmethod
    def load(
        cls,
        tenant_id: uuid.UUID,
        product_id: uuid.UUID,
        options: Sequence[ProductOption],
        values: Sequence[OptionValue],
    ) -> _Options:
        loaded = cls(tenant_id, product_id)
        loaded.options = {option.title: option for option in options}
        loaded.values = {(value.option_id, value.value): value for value in values}
        return loaded

    def add_option(self, title: str, translations: dict[str, str], rank: int) -> ProductOption:
        option = ProductOption(
            id=new_id(),
            tenant_id=self.tenant_id,
            product_id=self.product_id,
            title=title,
            translations=translations,
            rank=rank,
        )
        self.options[title] = option
        return option

    def add_value(
        self, option: ProductOption, value: str, translations: dict[str, str], rank: int
    ) -> OptionValue:
        row = OptionValue(
            id=new_id(),
            tenant_id=self.tenant_id,
            option_id=option.id,
            product_id=self.product_id,
            value=value,
            translations=translations,
            rank=rank,
        )
        self.values[(option.id, value)] = row
        self.new_values.append(row)
        return row

    def resolve(self, chosen: dict[str, str], where: str) -> list[uuid.UUID]:
        """The value ids a variant's `{option title: value}` names: one value of every option,
        no unknown option; a value the option lacks is added to it."""
        unknown = sorted(set(chosen) - set(self.options))
        if unknown:
            raise InvalidVariant(
                f"The product has no option {unknown[0]!r}.",
                fields=[FieldError(f"{where}.{unknown[0]}", "no such option")],
            )
        missing = [title for title in self.options if title not in chosen]
        if missing:
            raise InvalidVariant(
                f"A variant needs a value of every option; {missing[0]!r} is missing.",
                fields=[FieldError(where, f"missing a value of {missing[0]!r}")],
            )
        ids = []
        for title, text in chosen.items():
            option = self.options[title]
            value = self.values.get((option.id, text))
            if value is None:
                rank = sum(1 for key in self.values if key[0] == option.id)
                value = self.add_value(option, text, {}, rank)
            ids.append(value.id)
        return ids

    def ids_of(self, variant_id: uuid.UUID) -> list[uuid.UUID]:
        return self.chosen.get(variant_id, [])

    def labels(self) -> dict[uuid.UUID, tuple[str, str]]:
        titles = {option.id: option.title for option in self.options.values()}
        return {value.id: (titles[value.option_id], value.value) for value in self.values.values()}


def _free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while numbered(base, number) in taken:
        number += 1
    return numbered(base, number)


def _price_rows(
    tenant_id: uuid.UUID, variant_id: uuid.UUID, prices: Sequence[PriceInput]
) -> list[VariantPrice]:
    return [
        VariantPrice(
            id=new_id(),
            tenant_id=tenant_id,
            variant_id=variant_id,
            currency_code=price.currency_code,
            amount=price.amount,
            compare_at_amount=price.compare_at_amount,
        )
        for price in prices
    ]


def _option_read(
    option: ProductOption, values: Sequence[OptionValue], chain: Sequence[str]
) -> OptionRead:
    return OptionRead(
        id=option.id,
        title=option.title,
        label=_label(option.translations, option.title, chain),
        translations=option.translations,
        values=[
            OptionValueRead(
                id=value.id,
                value=value.value,
                label=_label(value.translations, value.value, chain),
                translations=value.translations,
            )
            for value in values
        ],
    )


def _translation_read(row: ProductTranslation) -> TranslationRead:
    return TranslationRead(
        locale=row.locale,
        title=row.title,
        subtitle=row.subtitle,
        handle=row.handle,
        description=row.description,
    )


def _group_read(row: CollectionTranslation | CategoryTranslation) -> GroupTranslationRead:
    return GroupTranslationRead(
        locale=row.locale, title=row.title, handle=row.handle, description=row.description
    )


def _variant_payload(variant: VariantRead) -> VariantPayload:
    return VariantPayload(
        variant_id=variant.id,
        sku=variant.sku,
        options=variant.options,
        manage_inventory=variant.manage_inventory,
        allow_backorder=variant.allow_backorder,
        prices=[
            PricePayload(
                currency_code=p.currency_code,
                amount=p.amount,
                compare_at_amount=p.compare_at_amount,
            )
            for p in variant.prices
        ],
    )
