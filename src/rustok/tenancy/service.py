"""Tenancy use cases: create, update, (de)activate tenants and manage their locales."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from rustok.core.errors import FieldError
from rustok.tenancy.errors import (
    CallingTenantProtected,
    DefaultLocaleRequired,
    FallbackCycle,
    LocaleNotFound,
    LocaleNotOfTenant,
    TenantDomainTaken,
    TenantNotFound,
    TenantSlugTaken,
)
from rustok.tenancy.events import TenantCreated, TenantDeactivated, TenantUpdated
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.models import Tenant, TenantLocale
from rustok.tenancy.repository import TenantRepository, TenantScopedRepository
from rustok.tenancy.schemas import TenantDetail, TenantLocaleRead, TenantRead

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable, Sequence

    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.rbac.service import RoleService
    from rustok.tenancy.resolver import TenantResolver
    from rustok.tenancy.schemas import TenantCreate, TenantLocaleUpsert, TenantUpdate


class TenantService:
    def __init__(
        self, uow: UnitOfWorkFactory, resolver: TenantResolver, roles: RoleService
    ) -> None:
        self._uow = uow
        self._resolver = resolver
        self._roles = roles

    async def create_tenant(self, data: TenantCreate) -> TenantDetail:
        """Create a tenant with its default locale and built-in roles, in one transaction."""
        async with self._uow.platform() as uow:
            tenant = await self.create_tenant_in(uow, data)
            detail = await self._detail(uow, tenant)
            await uow.commit()
            return detail

    async def create_tenant_in(self, uow: UnitOfWork, data: TenantCreate) -> Tenant:
        """The same, inside a caller's unit of work (the demo seed uses it)."""
        tenants = TenantRepository(uow.session)
        if await tenants.get_by_slug(data.slug) is not None:
            raise TenantSlugTaken(
                f"The slug {data.slug!r} is taken.", fields=[FieldError("body.slug", "taken")]
            )
        if data.domain and await tenants.get_by_domain(data.domain) is not None:
            raise TenantDomainTaken(
                f"The domain {data.domain!r} belongs to another tenant.",
                fields=[FieldError("body.domain", "taken")],
            )
        tenant = Tenant(
            name=data.name,
            slug=data.slug,
            domain=data.domain,
            default_locale=data.default_locale,
            is_active=True,
            settings=data.settings,
        )
        await self._flush_unique(uow, lambda: tenants.add(tenant), data.slug, data.domain)
        await TenantScopedRepository(uow.session, tenant.id).add_locale(
            TenantLocale(
                tenant_id=tenant.id,
                locale=data.default_locale,
                name=data.default_locale,
                is_default=True,
                is_enabled=True,
            )
        )
        await self._roles.install_builtin_roles(uow, tenant.id)
        uow.emit(
            TenantCreated(
                tenant_id=tenant.id, slug=tenant.slug, name=tenant.name, domain=tenant.domain
            ),
            tenant_id=tenant.id,
        )
        self._invalidate_after_commit(uow, tenant.id, tenant.slug, tenant.domain)
        return tenant

    async def list_tenants(self, *, offset: int, limit: int) -> tuple[list[TenantRead], int]:
        async with self._uow.platform(read_only=True) as uow:
            rows, total = await TenantRepository(uow.session).list(offset=offset, limit=limit)
            return [TenantRead.model_validate(row) for row in rows], total

    async def get_tenant(self, tenant_id: uuid.UUID) -> TenantDetail:
        async with self._uow.platform(read_only=True) as uow:
            tenant = await self._access(uow, tenant_id)
            return await self._detail(uow, tenant)

    async def update_tenant(
        self, tenant_id: uuid.UUID, data: TenantUpdate, *, calling_from: uuid.UUID | None = None
    ) -> TenantDetail:
        """Change name, domain, default locale, settings or the active flag.

        `calling_from` is the tenant the operator's request came through: it cannot be
        deactivated that way (the CLI can).
        """
        async with self._uow.platform() as uow:
            tenant = await self._access(uow, tenant_id)
            old_slug, old_domain, was_active = tenant.slug, tenant.domain, tenant.is_active
            changes = data.model_dump(exclude_unset=True)
            if data.is_active is False:
                self._refuse_own_deactivation(tenant, calling_from)
            # First: it flushes, and a taken domain must only reach the flush guarded below.
            if "default_locale" in changes and data.default_locale is not None:
                await self._make_default_locale(uow, tenant, data.default_locale)
            if "name" in changes and data.name is not None:
                tenant.name = data.name
            if "domain" in changes:
                tenant.domain = data.domain
            if "settings" in changes and data.settings is not None:
                tenant.settings = data.settings
            if "is_active" in changes and data.is_active is not None:
                tenant.is_active = data.is_active
            if tenant.domain != old_domain:
                await self._flush_unique(uow, uow.session.flush, tenant.slug, tenant.domain)
            # Otherwise nothing unique changes (the slug never does): no SAVEPOINT, and the
            # UPDATE waits for the commit, the last statement before COMMIT, so the row stays
            # locked (and concurrent updates of the tenant queued) for two round trips only.
            locales = await TenantScopedRepository(uow.session, tenant.id).locales()
            self._emit_change(uow, tenant, sorted(changes), was_active=was_active)
            self._invalidate_after_commit(uow, tenant.id, old_slug, old_domain, tenant.domain)
            await uow.commit()
            # After the flush: `updated_at` is set then.
            return _detail_of(tenant, locales)

    async def set_active(
        self, tenant_id: uuid.UUID, *, active: bool, calling_from: uuid.UUID | None = None
    ) -> TenantDetail:
        """Deactivate (requests then get 403) or reactivate a tenant."""
        async with self._uow.platform() as uow:
            tenant = await self._access(uow, tenant_id)
            if not active:
                self._refuse_own_deactivation(tenant, calling_from)
            was_active = tenant.is_active
            tenant.is_active = active
            await uow.session.flush()
            detail = await self._detail(uow, tenant)
            if was_active != active:
                self._emit_change(uow, tenant, ["is_active"], was_active=was_active)
            self._invalidate_after_commit(uow, tenant.id, tenant.slug, tenant.domain)
            await uow.commit()
            return detail

    @staticmethod
    def _refuse_own_deactivation(tenant: Tenant, calling_from: uuid.UUID | None) -> None:
        if tenant.id == calling_from:
            raise CallingTenantProtected(
                f"You are calling from {tenant.slug!r}; deactivating it would lock you out. "
                "Call from another tenant, or use `rustok tenant deactivate`.",
                fields=[FieldError("tenant_id", "the tenant this request comes from")],
            )

    async def upsert_locale(
        self, tenant_id: uuid.UUID, locale: str, data: TenantLocaleUpsert
    ) -> TenantDetail:
        """Add or change a locale; making it default moves the default flag to it."""
        async with self._uow.platform() as uow:
            tenant = await self._access(uow, tenant_id)
            scoped = TenantScopedRepository(uow.session, tenant.id)
            row = await scoped.locale(locale)
            if row is None:
                row = TenantLocale(tenant_id=tenant.id, locale=locale, is_default=False)
                await scoped.add_locale(row)
            if not data.is_default and row.is_default:
                raise DefaultLocaleRequired(
                    "Make another locale the default first.",
                    fields=[FieldError("body.is_default", "the default locale stays default")],
                )
            if data.fallback_locale is not None:
                await self._check_fallback(scoped, locale, data.fallback_locale)
            row.name = data.name or locale
            row.is_enabled = data.is_enabled or data.is_default
            row.fallback_locale = data.fallback_locale
            if data.is_default:
                await self._make_default_locale(uow, tenant, locale)
            await uow.session.flush()
            detail = await self._detail(uow, tenant)
            self._emit_change(uow, tenant, ["locales"], was_active=tenant.is_active)
            self._invalidate_after_commit(uow, tenant.id)
            await uow.commit()
            return detail

    async def delete_locale(self, tenant_id: uuid.UUID, locale: str) -> TenantDetail:
        async with self._uow.platform() as uow:
            tenant = await self._access(uow, tenant_id)
            scoped = TenantScopedRepository(uow.session, tenant.id)
            row = await scoped.locale(locale)
            if row is None:
                raise LocaleNotFound(f"The tenant has no locale {locale!r}.")
            if row.is_default:
                raise DefaultLocaleRequired("The default locale cannot be removed.")
            await scoped.delete_locale(locale)
            detail = await self._detail(uow, tenant)
            self._emit_change(uow, tenant, ["locales"], was_active=tenant.is_active)
            self._invalidate_after_commit(uow, tenant.id)
            await uow.commit()
            return detail

    async def _make_default_locale(self, uow: UnitOfWork, tenant: Tenant, locale: str) -> None:
        scoped = TenantScopedRepository(uow.session, tenant.id)
        target = await scoped.locale(locale)
        if target is None:
            # A typo must not create a locale; adding one is PUT .../locales/{locale}.
            raise LocaleNotOfTenant(
                f"The tenant has no locale {locale!r}; add it first.",
                fields=[FieldError("body.default_locale", "not a locale of this tenant")],
            )
        for row in await scoped.locales():
            row.is_default = row.locale == locale
        target.is_enabled = True
        tenant.default_locale = locale
        await uow.session.flush()

    @staticmethod
    async def _check_fallback(scoped: TenantScopedRepository, locale: str, fallback: str) -> None:
        """The fallback exists and following fallbacks from it never comes back to `locale`."""
        field = "body.fallback_locale"
        if await scoped.locale(fallback) is None:
            raise LocaleNotFound(
                f"The fallback locale {fallback!r} is not set up.",
                fields=[FieldError(field, "unknown locale")],
            )
        fallbacks = {row.locale: row.fallback_locale for row in await scoped.locales()}
        chain = [locale, fallback]
        while chain[-1] != locale:
            following = fallbacks.get(chain[-1])
            if following is None or following in chain[1:]:
                return  # the chain ends, or loops elsewhere (refused when that was written)
            chain.append(following)
        raise FallbackCycle(
            f"Falling back from {locale!r} would come back to it: {' -> '.join(chain)}.",
            fields=[FieldError(field, f"makes a cycle: {' -> '.join(chain)}")],
        )

    @staticmethod
    async def _access(uow: UnitOfWork, tenant_id: uuid.UUID) -> Tenant:
        tenant = await TenantRepository(uow.session).get(tenant_id)
        if tenant is None:
            raise TenantNotFound("No such tenant.")
        return tenant

    @staticmethod
    async def _detail(uow: UnitOfWork, tenant: Tenant) -> TenantDetail:
        return _detail_of(tenant, await TenantScopedRepository(uow.session, tenant.id).locales())

    @staticmethod
    async def _flush_unique(
        uow: UnitOfWork, flush: Callable[[], Awaitable[None]], slug: str, domain: str | None
    ) -> None:
        # The checks before are for a clear message; the unique indexes decide under races.
        try:
            async with uow.session.begin_nested():
                await flush()
        except IntegrityError as error:
            text = str(error.orig).lower()
            if "domain" in text:
                raise TenantDomainTaken(
                    f"The domain {domain!r} belongs to another tenant.",
                    fields=[FieldError("body.domain", "taken")],
                ) from None
            raise TenantSlugTaken(
                f"The slug {slug!r} is taken.", fields=[FieldError("body.slug", "taken")]
            ) from None

    @staticmethod
    def _emit_change(
        uow: UnitOfWork, tenant: Tenant, changes: list[str], *, was_active: bool
    ) -> None:
        if was_active and not tenant.is_active:
            uow.emit(TenantDeactivated(tenant_id=tenant.id, slug=tenant.slug), tenant_id=tenant.id)
        uow.emit(
            TenantUpdated(tenant_id=tenant.id, slug=tenant.slug, changes=changes),
            tenant_id=tenant.id,
        )

    def _invalidate_after_commit(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, *names: str | None
    ) -> None:
        keys = [TenantKey("id", str(tenant_id))]
        for index, name in enumerate(names):
            if name:
                keys.append(TenantKey("slug" if index == 0 else "host", name))
        uow.on_commit(lambda: self._resolver.invalidate(tenant_id, *keys))


def _detail_of(tenant: Tenant, locales: Sequence[TenantLocale]) -> TenantDetail:
    base = TenantRead.model_validate(tenant)
    return TenantDetail(
        **base.model_dump(),
        locales=[TenantLocaleRead.model_validate(row) for row in locales],
    )
