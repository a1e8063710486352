"""Cart use cases: create, read, change a cart and its lines; the checkout's two steps
(`checkout_snapshot_in`, `complete_in`) that run inside the order's unit of work; expiry.

Who may use a cart: anyone who knows a guest cart's id (the id is the capability: a random
UUID, never listed); only its customer, or staff holding `carts`, for a customer's cart. A cart
the caller may not use is "not found", exactly like one that does not exist.

Every write locks the cart's row first (`CartRepository.cart(lock=True)`), so the writes to one
cart and its lines run one after another and may check, then act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from rustok.commerce.cart.errors import (
    CartAlreadyCompleted,
    CartAlreadyExpired,
    CartEmpty,
    CartLimitExceeded,
    CartLineNotFound,
    CartLineUnavailable,
    CartNotFound,
    RegionCurrencyMismatch,
    UnknownRegion,
    UnknownVariant,
    VariantNotPriced,
)
from rustok.commerce.cart.events import (
    CartCompleted,
    CartCreated,
    CartExpired,
    CartLineAdded,
    CartLineRemoved,
    CartLineUpdated,
    CartUpdated,
)
from rustok.commerce.cart.models import Cart, CartLine
from rustok.commerce.cart.repository import CartRepository, claim_expired
from rustok.commerce.cart.schemas import (
    Address,
    CartLineRead,
    CartRead,
    CartSnapshot,
    CartSnapshotLine,
    CartStatus,
    LineWarning,
    WarningCode,
)
from rustok.commerce.pricing.schemas import MoneyRead
from rustok.core.clock import utcnow
from rustok.core.errors import FieldError, NotFound
from rustok.core.ids import new_id
from rustok.core.money import Money, currency_of

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from rustok.commerce.cart.schemas import CartCaller, CartCreate, CartLineAdd, CartUpdate
    from rustok.commerce.cart.settings import CartSettings
    from rustok.commerce.catalog.service import CatalogService
    from rustok.commerce.inventory.schemas import Availability
    from rustok.commerce.inventory.service import InventoryService
    from rustok.commerce.pricing.schemas import PriceCalculationRead, RegionRead
    from rustok.commerce.pricing.service import PricingService
    from rustok.core.idempotency import Receipt
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class _Priced:
    """A line, what it costs now (None: it cannot be bought any more) and its stock."""

    line: CartLine
    price: PriceCalculationRead | None
    stock: Availability | None


class CartService:
    """Carts of a tenant's guests and customers."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CatalogService,
        pricing: PricingService,
        inventory: InventoryService,
        settings: CartSettings,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._pricing = pricing
        self._inventory = inventory
        self._settings = settings

    # --- reads --------------------------------------------------------------------------------

    async def get_cart(
        self, tenant: TenantSnapshot, cart_id: uuid.UUID, caller: CartCaller
    ) -> CartRead:
        """The cart priced now, with a warning on each line whose price or stock changed."""
        async with self._uow(tenant.id, read_only=True) as uow:
            repo = CartRepository(uow.session, tenant.id)
            cart = await repo.cart(cart_id)
            if cart is None or not _usable(cart, caller):
                raise CartNotFound("No such cart.")
            return await self._read(uow, repo, cart)

    # --- writes -------------------------------------------------------------------------------

    async def create_cart(
        self,
        tenant: TenantSnapshot,
        data: CartCreate,
        caller: CartCaller,
        *,
        receipt: Receipt | None = None,
    ) -> CartRead:
        """A new active cart; a logged-in caller's cart is theirs (`customer_id`)."""
        async with self._uow(tenant.id) as uow:
            repo = CartRepository(uow.session, tenant.id)
            if data.region_id is not None:
                await self._check_region(uow, data.region_id, data.currency_code, "body.region_id")
            now = utcnow()
            cart = Cart(
                tenant_id=tenant.id,
                customer_id=caller.user_id,
                currency_code=data.currency_code,
                region_id=data.region_id,
                email=data.email,
                status=CartStatus.ACTIVE.value,
                expires_at=now + timedelta(seconds=self._settings.ttl_seconds),
                version=1,
            )
            uow.session.add(cart)
            await uow.session.flush()
            uow.emit(
                CartCreated(**_about(cart), region_id=cart.region_id),
                tenant_id=tenant.id,
                aggregate_version=cart.version,
            )
            return await self._finish(uow, repo, cart, receipt)

    async def update_cart(
        self,
        tenant: TenantSnapshot,
        cart_id: uuid.UUID,
        data: CartUpdate,
        caller: CartCaller,
        *,
        receipt: Receipt | None = None,
    ) -> CartRead:
        """Change the currency, region, e-mail or addresses. A new currency or region prices
        the lines anew (the customer chose it, so no warning follows); a line without a price
        in the new currency refuses the change."""
        sent = data.model_fields_set
        async with self._uow(tenant.id) as uow:
            repo = CartRepository(uow.session, tenant.id)
            cart = await self._writable(repo, cart_id, caller)
            changed: list[str] = []
            currency = data.currency_code or cart.currency_code
            region_id = data.region_id if "region_id" in sent else cart.region_id
            if currency != cart.currency_code or region_id != cart.region_id:
                if region_id is not None:
                    field = "body.region_id" if "region_id" in sent else "body.currency_code"
                    await self._check_region(uow, region_id, currency, field)
                if currency != cart.currency_code:
                    changed.append("currency_code")
                if region_id != cart.region_id:
                    changed.append("region_id")
                cart.currency_code, cart.region_id = currency, region_id
                await self._reprice(uow, repo, cart)
            if "email" in sent and data.email != cart.email:
                cart.email = data.email
                changed.append("email")
            for name in ("shipping_address", "billing_address"):
                if name in sent:
                    address: Address | None = getattr(data, name)
                    setattr(cart, name, address.model_dump() if address is not None else None)
                    changed.append(name)
            self._touch(cart)
            await uow.session.flush()
            if changed:
                uow.emit(
                    CartUpdated(**_about(cart), fields=changed),
                    tenant_id=tenant.id,
                    aggregate_version=cart.version,
                )
            return await self._finish(uow, repo, cart, receipt)

    async def add_line(
        self,
        tenant: TenantSnapshot,
        cart_id: uuid.UUID,
        data: CartLineAdd,
        caller: CartCaller,
        *,
        receipt: Receipt | None = None,
    ) -> CartRead:
        """Put `quantity` units of a variant in the cart (added to a line it has already)."""
        async with self._uow(tenant.id) as uow:
            repo = CartRepository(uow.session, tenant.id)
            cart = await self._writable(repo, cart_id, caller)
            line = await repo.line_of_variant(cart.id, data.variant_id)
            quantity = data.quantity + (line.quantity if line is not None else 0)
            self._check_quantity(quantity, "body.quantity")
            if line is None and await repo.line_count(cart.id) >= self._settings.max_lines:
                raise CartLimitExceeded(
                    f"A cart holds at most {self._settings.max_lines} lines.",
                    fields=[FieldError("body.variant_id", "the cart is full")],
                )
            price = await self._price_of(uow, cart, data.variant_id, quantity, "body.variant_id")
            if line is None:
                try:
                    detail = await self._catalog.variant_in(uow, data.variant_id, staff=False)
                except NotFound:
                    raise _unknown_variant("body.variant_id") from None
                line = CartLine(
                    id=new_id(),
                    tenant_id=tenant.id,
                    cart_id=cart.id,
                    variant_id=data.variant_id,
                    product_id=detail.product_id,
                    sku=detail.variant.sku,
                    title=detail.variant.title,
                    quantity=quantity,
                    unit_price=price.unit_price.amount,
                )
                uow.session.add(line)
            else:
                line.quantity, line.unit_price = quantity, price.unit_price.amount
            self._touch(cart)
            await uow.session.flush()
            uow.emit(
                CartLineAdded(**_about(cart), **_line_about(line), added=data.quantity),
                tenant_id=tenant.id,
                aggregate_version=cart.version,
            )
            return await self._finish(uow, repo, cart, receipt)

    async def update_line(
        self,
        tenant: TenantSnapshot,
        cart_id: uuid.UUID,
        line_id: uuid.UUID,
        quantity: int,
        caller: CartCaller,
        *,
        receipt: Receipt | None = None,
    ) -> CartRead:
        """Set a line's quantity; 0 removes the line."""
        if quantity == 0:
            return await self.remove_line(tenant, cart_id, line_id, caller, receipt=receipt)
        async with self._uow(tenant.id) as uow:
            repo = CartRepository(uow.session, tenant.id)
            cart = await self._writable(repo, cart_id, caller)
            line = await self._line(repo, cart, line_id)
            self._check_quantity(quantity, "body.quantity")
            try:
                price = await self._price_of(uow, cart, line.variant_id, quantity, "path.line_id")
            except (UnknownVariant, VariantNotPriced):
                raise CartLineUnavailable(
                    "The line's variant cannot be bought any more; remove the line.",
                    fields=[FieldError("path.line_id", "no longer available")],
                ) from None
            previous = line.quantity
            line.quantity, line.unit_price = quantity, price.unit_price.amount
            self._touch(cart)
            await uow.session.flush()
            uow.emit(
                CartLineUpdated(**_about(cart), **_line_about(line), previous_quantity=previous),
                tenant_id=tenant.id,
                aggregate_version=cart.version,
            )
            return await self._finish(uow, repo, cart, receipt)

    async def remove_line(
        self,
        tenant: TenantSnapshot,
        cart_id: uuid.UUID,
        line_id: uuid.UUID,
        caller: CartCaller,
        *,
        receipt: Receipt | None = None,
    ) -> CartRead:
        async with self._uow(tenant.id) as uow:
            repo = CartRepository(uow.session, tenant.id)
            cart = await self._writable(repo, cart_id, caller)
            line = await self._line(repo, cart, line_id)
            await repo.delete_line(line.id)
            self._touch(cart)
            await uow.session.flush()
            uow.emit(
                CartLineRemoved(**_about(cart), **_line_about(line)),
                tenant_id=tenant.id,
                aggregate_version=cart.version,
            )
            return await self._finish(uow, repo, cart, receipt)

    # --- checkout (inside the order's unit of work) -------------------------------------------

    async def checkout_snapshot_in(
        self, uow: UnitOfWork, cart_id: uuid.UUID, *, customer_id: uuid.UUID | None
    ) -> CartSnapshot:
        """Lock the cart for checkout and price it now: 404 CART_NOT_FOUND (also another
        customer's cart), 409 CART_COMPLETED, CART_EXPIRED, CART_EMPTY, and
        CART_LINE_UNAVAILABLE naming `lines.<i>` for a line that cannot be bought."""
        repo = _repo(uow)
        cart = await repo.cart(cart_id, lock=True)
        if cart is None or (cart.customer_id is not None and cart.customer_id != customer_id):
            raise CartNotFound("No such cart.", fields=[FieldError("path.cart_id", "no such cart")])
        _refuse_closed(cart)
        read = await self._read(uow, repo, cart)
        if not read.lines:
            raise CartEmpty("The cart has no lines.", fields=[FieldError("lines", "empty")])
        lines = []
        for index, line in enumerate(read.lines):
            if (
                line.unit_price is None
                or line.original_unit_price is None
                or line.subtotal is None
                or line.discount is None
                or line.tax is None
                or line.total is None
            ):
                raise CartLineUnavailable(
                    f"{line.sku} cannot be bought any more; remove it from the cart.",
                    fields=[FieldError(f"lines.{index}", "no longer available")],
                )
            lines.append(
                CartSnapshotLine(
                    line_id=line.id,
                    variant_id=line.variant_id,
                    product_id=line.product_id,
                    sku=line.sku,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    original_unit_price=line.original_unit_price,
                    price_list_id=line.price_list_id,
                    subtotal=line.subtotal,
                    discount=line.discount,
                    tax=line.tax,
                    total=line.total,
                    tax_rate_bp=read.tax_rate_bp,
                    tax_inclusive=read.tax_inclusive,
                    warnings=line.warnings,
                )
            )
        return CartSnapshot(cart=read, lines=lines)

    async def complete_in(self, uow: UnitOfWork, cart_id: uuid.UUID, order_id: uuid.UUID) -> None:
        """Mark the cart checked out as `order_id` (after `checkout_snapshot_in` locked it)."""
        repo = _repo(uow)
        cart = await repo.cart(cart_id, lock=True)
        if cart is None:
            raise CartNotFound("No such cart.", fields=[FieldError("path.cart_id", "no such cart")])
        _refuse_closed(cart)
        cart.status = CartStatus.COMPLETED.value
        cart.order_id = order_id
        cart.completed_at = utcnow()
        cart.version += 1
        await uow.session.flush()
        uow.emit(
            CartCompleted(**_about(cart), order_id=order_id),
            tenant_id=cart.tenant_id,
            aggregate_version=cart.version,
        )

    # --- expiry -------------------------------------------------------------------------------

    async def expire_due(self, now: datetime | None = None, *, batch_size: int = 100) -> int:
        """Mark every active cart past its `expires_at` expired, across tenants; returns how
        many. Each batch is claimed by one atomic UPDATE ... RETURNING (over rows locked with
        SKIP LOCKED on PostgreSQL) in the same transaction as its events, so a cart expires
        once however many processes run this."""
        moment = now or utcnow()
        total = 0
        while True:
            async with self._uow.platform() as uow:
                claimed = await claim_expired(uow.session, moment, batch_size)
                for cart_id, tenant_id, customer_id, currency_code, version in claimed:
                    uow.emit(
                        CartExpired(
                            cart_id=cart_id,
                            customer_id=customer_id,
                            currency_code=currency_code,
                            version=version,
                        ),
                        tenant_id=tenant_id,
                        aggregate_version=version,
                    )
                await uow.commit()
            total += len(claimed)
            if len(claimed) < batch_size:
                return total

    # --- steps --------------------------------------------------------------------------------

    async def _writable(self, repo: CartRepository, cart_id: uuid.UUID, caller: CartCaller) -> Cart:
        cart = await repo.cart(cart_id, lock=True)
        if cart is None or not _usable(cart, caller):
            raise CartNotFound("No such cart.")
        _refuse_closed(cart)
        return cart

    @staticmethod
    async def _line(repo: CartRepository, cart: Cart, line_id: uuid.UUID) -> CartLine:
        line = await repo.line(cart.id, line_id)
        if line is None:
            raise CartLineNotFound(
                "The cart has no such line.", fields=[FieldError("path.line_id", "no such line")]
            )
        return line

    def _touch(self, cart: Cart) -> None:
        """A write keeps the cart alive for another `ttl_seconds` and takes its next version."""
        cart.version += 1
        cart.expires_at = utcnow() + timedelta(seconds=self._settings.ttl_seconds)

    def _check_quantity(self, quantity: int, field: str) -> None:
        most = self._settings.max_quantity_per_line
        if quantity > most:
            raise CartLimitExceeded(
                f"A line holds at most {most} units.",
                fields=[FieldError(field, f"at most {most} units per line")],
            )

    async def _check_region(
        self, uow: UnitOfWork, region_id: uuid.UUID, currency_code: str, field: str
    ) -> None:
        region = await self._pricing.region_in(uow, region_id)
        if region is None:
            raise UnknownRegion(
                "No such region.", fields=[FieldError("body.region_id", "no such region")]
            )
        if region.currency_code != currency_code:
            raise RegionCurrencyMismatch(
                f"The region sells in {region.currency_code}, not {currency_code}.",
                fields=[FieldError(field, f"the region's currency is {region.currency_code}")],
            )

    async def _price_of(
        self, uow: UnitOfWork, cart: Cart, variant_id: uuid.UUID, quantity: int, field: str
    ) -> PriceCalculationRead:
        """The price of a line about to be set; a variant the shop does not sell, or does not
        price in the cart's currency, is refused naming `field`."""
        region = await self._region(uow, cart)
        try:
            return await self._pricing.calculate_in(
                uow,
                variant_id,
                quantity,
                cart.currency_code,
                region_id=region.id if region is not None else None,
            )
        except NotFound as error:
            if error.code == "PRICE_NOT_FOUND":
                raise VariantNotPriced(
                    f"The variant has no price in {cart.currency_code}.",
                    fields=[FieldError(field, f"no price in {cart.currency_code}")],
                ) from None
            raise _unknown_variant(field) from None

    async def _reprice(self, uow: UnitOfWork, repo: CartRepository, cart: Cart) -> None:
        """Store each line's price in the cart's (new) currency and region."""
        region = await self._region(uow, cart)
        for line in await repo.lines(cart.id):
            try:
                price = await self._pricing.calculate_in(
                    uow,
                    line.variant_id,
                    line.quantity,
                    cart.currency_code,
                    region_id=region.id if region is not None else None,
                )
            except NotFound:
                raise VariantNotPriced(
                    f"{line.sku} has no price in {cart.currency_code}.",
                    fields=[FieldError("body.currency_code", f"{line.sku} has no price in it")],
                ) from None
            line.unit_price = price.unit_price.amount

    async def _finish(
        self, uow: UnitOfWork, repo: CartRepository, cart: Cart, receipt: Receipt | None
    ) -> CartRead:
        read = await self._read(uow, repo, cart)
        if receipt is not None:
            await receipt.record_in(uow, read)
        await uow.commit()
        return read

    async def _region(self, uow: UnitOfWork, cart: Cart) -> RegionRead | None:
        """The cart's region, unless it was deleted or now sells in another currency (then
        the cart is priced without its tax until the customer picks a region again)."""
        if cart.region_id is None:
            return None
        region = await self._pricing.region_in(uow, cart.region_id)
        if region is None or region.currency_code != cart.currency_code:
            return None
        return region

    async def _read(self, uow: UnitOfWork, repo: CartRepository, cart: Cart) -> CartRead:
        """The cart with its lines priced now, and their warnings."""
        region = await self._region(uow, cart)
        lines = await repo.lines(cart.id)
        stock = await self._inventory.availability_in(uow, [line.variant_id for line in lines])
        prices = await self._pricing.calculate_many_in(
            uow,
            [(line.variant_id, line.quantity) for line in lines],
            cart.currency_code,
            region_id=region.id if region is not None else None,
        )
        priced = [
            _Priced(line, prices.get(line.variant_id), stock.get(line.variant_id)) for line in lines
        ]
        return _cart_read(cart, priced, region)


def _repo(uow: UnitOfWork) -> CartRepository:
    if uow.tenant_id is None:
        raise CartNotFound("No such cart.")
    return CartRepository(uow.session, uow.tenant_id)


def _usable(cart: Cart, caller: CartCaller) -> bool:
    """A guest cart by anyone holding its id; a customer's by that customer or staff."""
    return cart.customer_id is None or caller.staff or cart.customer_id == caller.user_id


def _refuse_closed(cart: Cart) -> None:
    if cart.status == CartStatus.COMPLETED.value:
        raise CartAlreadyCompleted(
            "The cart was checked out already.", fields=[FieldError("path.cart_id", "completed")]
        )
    if cart.status == CartStatus.EXPIRED.value or cart.expires_at <= utcnow():
        raise CartAlreadyExpired(
            "The cart has expired; start a new one.", fields=[FieldError("path.cart_id", "expired")]
        )


def _unknown_variant(field: str) -> UnknownVariant:
    return UnknownVariant(
        "No such variant for sale.", fields=[FieldError(field, "no such variant for sale")]
    )


class _CartAbout(TypedDict):
    cart_id: uuid.UUID
    customer_id: uuid.UUID | None
    currency_code: str
    version: int


class _LineAbout(TypedDict):
    line_id: uuid.UUID
    variant_id: uuid.UUID
    sku: str
    quantity: int
    unit_price: int


def _about(cart: Cart) -> _CartAbout:
    return {
        "cart_id": cart.id,
        "customer_id": cart.customer_id,
        "currency_code": cart.currency_code,
        "version": cart.version,
    }


def _line_about(line: CartLine) -> _LineAbout:
    return {
        "line_id": line.id,
        "variant_id": line.variant_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
    }


def _cart_read(cart: Cart, priced: Sequence[_Priced], region: RegionRead | None) -> CartRead:
    currency = currency_of(cart.currency_code)
    zero = Money.zero(currency)
    subtotal = discount = tax = total = zero
    lines = []
    for item in priced:
        line, price = item.line, item.price
        added = MoneyRead(amount=line.unit_price, currency_code=currency.code)
        warnings: list[LineWarning] = []
        if price is not None and item.stock is not None and not item.stock.serves(line.quantity):
            left = max(item.stock.available, 0)
            warnings.append(
                LineWarning(
                    code=WarningCode.INSUFFICIENT_STOCK,
                    message=f"Only {left} of {line.sku} left, not {line.quantity}.",
                    available=left,
                )
            )
        if price is None:
            warnings.append(
                LineWarning(
                    code=WarningCode.UNAVAILABLE,
                    message=f"{line.sku} cannot be bought any more.",
                )
            )
        else:
            subtotal += Money(price.subtotal.amount, currency)
            discount += Money(price.discount.amount, currency)
            tax += Money(price.tax.amount, currency)
            total += Money(price.total.amount, currency)
            if price.unit_price.amount != line.unit_price:
                warnings.append(
                    LineWarning(
                        code=WarningCode.PRICE_CHANGED,
                        message=(
                            f"{line.sku} costs {Money(price.unit_price.amount, currency).format()}"
                            f" a unit now, not {Money(line.unit_price, currency).format()}."
                        ),
                        old_unit_price=added,
                        new_unit_price=price.unit_price,
                    )
                )
        lines.append(
            CartLineRead(
                id=line.id,
                variant_id=line.variant_id,
                product_id=line.product_id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                added_unit_price=added,
                unit_price=price.unit_price if price else None,
                original_unit_price=price.original_unit_price if price else None,
                compare_at_amount=price.compare_at_amount if price else None,
                price_list_id=price.price_list_id if price else None,
                subtotal=price.subtotal if price else None,
                discount=price.discount if price else None,
                tax=price.tax if price else None,
                total=price.total if price else None,
                warnings=warnings,
            )
        )
    return CartRead(
        id=cart.id,
        status=CartStatus(cart.status),
        customer_id=cart.customer_id,
        currency_code=cart.currency_code,
        region_id=cart.region_id,
        tax_inclusive=region.tax_inclusive if region is not None else False,
        tax_rate_bp=region.tax_rate_bp if region is not None else 0,
        email=cart.email,
        shipping_address=(
            Address.model_validate(cart.shipping_address) if cart.shipping_address else None
        ),
        billing_address=(
            Address.model_validate(cart.billing_address) if cart.billing_address else None
        ),
        lines=lines,
        item_count=sum(line.quantity for line in lines),
        subtotal=_money(subtotal),
        discount_total=_money(discount),
        tax_total=_money(tax),
        total=_money(total),
        has_warnings=any(line.warnings for line in lines),
        version=cart.version,
        expires_at=cart.expires_at,
        completed_at=cart.completed_at,
        order_id=cart.order_id,
        created_at=cart.created_at,
        updated_at=cart.updated_at,
    )


def _money(value: Money) -> MoneyRead:
    return MoneyRead(amount=value.amount, currency_code=value.currency.code)
