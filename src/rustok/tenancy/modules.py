"""Switching modules on and off per tenant, with dependency checks and lifecycle hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from rustok.core.modules import ModuleContext, ModuleDescriptor
from rustok.tenancy.errors import (
    ModuleDependencyMissing,
    ModuleHasDependents,
    ModuleHookFailed,
    ModuleIsCore,
    ModuleNotFound,
    TenantNotFound,
)
from rustok.tenancy.events import ModuleDisabled, ModuleEnabled
from rustok.tenancy.models import TenantModule
from rustok.tenancy.repository import TenantRepository, TenantScopedRepository
from rustok.tenancy.schemas import ModuleRead

if TYPE_CHECKING:
    import uuid

    from rustok.core.modules import ModuleRegistry
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.tenancy.resolver import TenantResolver

log = structlog.get_logger(__name__)


class ModuleService:
    def __init__(
        self, uow: UnitOfWorkFactory, registry: ModuleRegistry, resolver: TenantResolver
    ) -> None:
        self._uow = uow
        self._registry = registry
        self._resolver = resolver

    async def list_modules(self, tenant_id: uuid.UUID) -> list[ModuleRead]:
        """Every registered module and whether it is on for the tenant."""
        async with self._uow(tenant_id, read_only=True) as uow:
            states = await self._states(uow, tenant_id)
            return [self._read(module, states) for module in self._registry]

    async def set_enabled(self, tenant_id: uuid.UUID, slug: str, *, enabled: bool) -> ModuleRead:
        """Enable (dependencies must be on) or disable (no dependent may be on) a module.

        The module's hook runs in the same transaction; if it fails, nothing changes.
        """
        module = self._registry.get(slug)
        if module is None:
            raise ModuleNotFound(f"No module {slug!r} is installed.")
        if module.core:
            raise ModuleIsCore(f"The module {slug!r} is part of the core and is always on.")
        async with self._uow(tenant_id) as uow:
            if await TenantRepository(uow.session).get(tenant_id) is None:
                raise TenantNotFound("No such tenant.")
            states = await self._states(uow, tenant_id)
            if enabled:
                missing = [dep for dep in module.dependencies if not states[dep]]
                if missing:
                    raise ModuleDependencyMissing(f"Enable {', '.join(missing)} before {slug}.")
            else:
                dependents = [m.slug for m in self._registry.dependents_of(slug) if states[m.slug]]
                if dependents:
                    raise ModuleHasDependents(
                        f"Disable {', '.join(dependents)} before {slug}; they depend on it."
                    )
            if states[slug] == enabled:
                return self._read(module, states)
            scoped = TenantScopedRepository(uow.session, tenant_id)
            row = await scoped.module_row(slug)
            if row is None:
                row = TenantModule(tenant_id=tenant_id, module_slug=slug, enabled=enabled)
                await scoped.add_module_row(row)
            row.enabled = enabled
            await uow.session.flush()
            await self._run_hook(uow, module, tenant_id, row.settings, enabled=enabled)
            states[slug] = enabled
            event_type = ModuleEnabled if enabled else ModuleDisabled
            uow.emit(event_type(tenant_id=tenant_id, module=slug), tenant_id=tenant_id)
            uow.on_commit(lambda: self._resolver.invalidate(tenant_id))
            await uow.commit()
            log.info("modules.toggled", module=slug, enabled=enabled, tenant_id=str(tenant_id))
            return self._read(module, states)

    async def _states(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> dict[str, bool]:
        rows = await TenantScopedRepository(uow.session, tenant_id).module_rows()
        explicit = {row.module_slug: row.enabled for row in rows}
        return {
            module.slug: module.core or explicit.get(module.slug, module.enabled_by_default)
            for module in self._registry
        }

    @staticmethod
    async def _run_hook(
        uow: UnitOfWork,
        module: ModuleDescriptor,
        tenant_id: uuid.UUID,
        settings: dict[str, object],
        *,
        enabled: bool,
    ) -> None:
        hook = module.on_enable if enabled else module.on_disable
        if hook is None:
            return
        try:
            await hook(ModuleContext(uow=uow, tenant_id=tenant_id, settings=dict(settings)))
        except Exception as error:
            log.warning(
                "modules.hook_failed",
                module=module.slug,
                enabled=enabled,
                error_type=type(error).__name__,
                error=str(error),
            )
            action = "enable" if enabled else "disable"
            raise ModuleHookFailed(
                f"The {module.slug} module's {action} hook failed: {error}. Nothing was changed."
            ) from error

    @staticmethod
    def _read(module: ModuleDescriptor, states: dict[str, bool]) -> ModuleRead:
        return ModuleRead(
            slug=module.slug,
            name=module.name,
            version=module.version,
            description=module.description,
            dependencies=list(module.dependencies),
            core=module.core,
            enabled=states[module.slug],
        )
