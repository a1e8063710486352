"""The demo shop's catalog: collections, a category tree and two dozen products in English and
German with options, variants and prices in EUR and USD. Idempotent: a catalog that has the
demo's collection already is left alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.commerce.catalog.schemas import CategoryCreate, CollectionCreate, ProductCreate
from rustok.commerce.catalog.service import CatalogService
from rustok.core.tenant import LocaleSnapshot, TenantSnapshot

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container

MARKER = "new-arrivals"
"""The handle of the demo's first collection: its presence means the demo is seeded."""

# (English, German, base price in EUR cents, in USD cents, category, options)
_SIZES = ("S", "M", "L", "XL")
_COLOURS = (("Black", "Schwarz"), ("White", "Weiß"), ("Navy", "Marineblau"))
PRODUCTS: tuple[tuple[str, str, int, int, str, str], ...] = (
    ("Classic T-Shirt", "Klassisches T-Shirt", 1999, 2199, "tops", "size-colour"),
    ("Organic Hoodie", "Bio-Kapuzenpullover", 5999, 6499, "tops", "size-colour"),
    ("Linen Shirt", "Leinenhemd", 4499, 4999, "tops", "size"),
    ("Merino Sweater", "Merinopullover", 8999, 9799, "tops", "size-colour"),
    ("Polo Shirt", "Poloshirt", 3499, 3799, "tops", "size-colour"),
    ("Denim Jacket", "Jeansjacke", 9999, 10999, "outerwear", "size"),
    ("Rain Coat", "Regenmantel", 12999, 13999, "outerwear", "size-colour"),
    ("Down Vest", "Daunenweste", 7999, 8499, "outerwear", "size"),
    ("Chino Trousers", "Chinohose", 5499, 5999, "bottoms", "size-colour"),
    ("Running Shorts", "Laufshorts", 2999, 3299, "bottoms", "size"),
    ("Slim Jeans", "Schmale Jeans", 6999, 7499, "bottoms", "size"),
    ("Wool Scarf", "Wollschal", 3999, 4299, "accessories", "colour"),
    ("Leather Belt", "Ledergürtel", 4999, 5499, "accessories", "size"),
    ("Beanie", "Mütze", 1999, 2199, "accessories", "colour"),
    ("Canvas Tote", "Stofftasche", 1499, 1699, "accessories", "none"),
    ("Sun Hat", "Sonnenhut", 2499, 2799, "accessories", "size"),
    ("Trail Sneakers", "Trail-Sneaker", 11999, 12999, "shoes", "size"),
    ("Leather Boots", "Lederstiefel", 17999, 19499, "shoes", "size"),
    ("Canvas Sneakers", "Leinenschuhe", 5999, 6499, "shoes", "size-colour"),
    ("Wool Socks (3 pack)", "Wollsocken (3er-Pack)", 1799, 1999, "accessories", "size"),
    ("Gift Card", "Geschenkkarte", 5000, 5500, "accessories", "none"),
    ("Water Bottle", "Trinkflasche", 2499, 2699, "accessories", "colour"),
    ("Yoga Pants", "Yogahose", 4999, 5499, "bottoms", "size-colour"),
    ("Rain Jacket Kids", "Kinder-Regenjacke", 4999, 5399, "outerwear", "size"),
)
CATEGORIES = (
    ("apparel", "Apparel", "Bekleidung", None),
    ("tops", "Tops", "Oberteile", "apparel"),
    ("bottoms", "Bottoms", "Hosen", "apparel"),
    ("outerwear", "Outerwear", "Jacken", "apparel"),
    ("shoes", "Shoes", "Schuhe", None),
    ("accessories", "Accessories", "Accessoires", None),
)


async def snapshot(container: Container, tenant_id: uuid.UUID) -> TenantSnapshot:
    """The tenant as a request would see it (its locales and their fallbacks)."""
    tenant = await container.tenants.get_tenant(tenant_id)
    return TenantSnapshot(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        domain=tenant.domain,
        is_active=tenant.is_active,
        default_locale=tenant.default_locale,
        locales=tuple(
            LocaleSnapshot(
                loc.locale, loc.name, loc.is_default, loc.is_enabled, loc.fallback_locale
            )
            for loc in tenant.locales
        ),
    )


def _options(kind: str) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    if "size" in kind:
        options.append({"title": "Size", "translations": {"de": "Größe"}, "values": list(_SIZES)})
    if "colour" in kind:
        options.append(
            {
                "title": "Colour",
                "translations": {"de": "Farbe"},
                "values": [{"value": en, "translations": {"de": de}} for en, de in _COLOURS],
            }
        )
    return options


def _variants(sku: str, kind: str, eur: int, usd: int, index: int) -> list[dict[str, Any]]:
    sizes: tuple[str | None, ...] = _SIZES if "size" in kind else (None,)
    colours: tuple[str | None, ...] = (
        tuple(en for en, _ in _COLOURS[:2]) if "colour" in kind else (None,)
    )
    variants = []
    for size in sizes:
        for colour in colours:
            chosen = {k: v for k, v in (("Size", size), ("Colour", colour)) if v is not None}
            suffix = "-".join(v.upper() for v in chosen.values())
            variants.append(
                {
                    "sku": f"{sku}-{suffix}" if suffix else sku,
                    "options": chosen,
                    "weight_g": 150 + 50 * index,
                    # The last product of the list can be ordered when out of stock.
                    "allow_backorder": index == len(PRODUCTS) - 1,
                    "manage_inventory": kind != "none",
                    "prices": [
                        {"currency_code": "EUR", "amount": eur, "compare_at_amount": eur + 1000},
                        {"currency_code": "USD", "amount": usd},
                    ],
                }
            )
    return variants


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Add the demo catalog to the tenant, once."""
    catalog = container.service(CatalogService)
    tenant = await snapshot(container, tenant_id)
    if any(c.handle == MARKER for c in await catalog.list_collections(tenant)):
        return
    new = await catalog.create_collection(
        tenant,
        CollectionCreate.model_validate(
            {
                "translations": [
                    {"locale": "en", "title": "New arrivals", "handle": MARKER},
                    {"locale": "de", "title": "Neuheiten", "handle": "neuheiten"},
                ]
            }
        ),
    )
    essentials = await catalog.create_collection(
        tenant,
        CollectionCreate.model_validate(
            {
                "translations": [
                    {"locale": "en", "title": "Essentials"},
                    {"locale": "de", "title": "Basics"},
                ]
            }
        ),
    )
    categories: dict[str, str] = {}
    for key, en, de, parent in CATEGORIES:
        created = await catalog.create_category(
            tenant,
            CategoryCreate.model_validate(
                {
                    "translations": [{"locale": "en", "title": en}, {"locale": "de", "title": de}],
                    "parent_id": categories.get(parent) if parent else None,
                }
            ),
        )
        categories[key] = str(created.id)
    for index, (en, de, eur, usd, category, kind) in enumerate(PRODUCTS):
        sku = f"DEMO-{index + 1:02d}"
        await catalog.create_product(
            tenant,
            ProductCreate.model_validate(
                {
                    # Two drafts, so staff see more than shoppers do.
                    "status": "draft" if index in {5, 15} else "active",
                    "translations": [
                        {"locale": "en", "title": en, "description": f"{en}, made to last."},
                        {"locale": "de", "title": de, "description": f"{de}, langlebig."},
                    ],
                    "options": _options(kind),
                    "variants": _variants(sku, kind, eur, usd, index),
                    "collection_ids": [str(new.id) if index % 3 == 0 else str(essentials.id)],
                    "category_ids": [categories[category]],
                }
            ),
        )
