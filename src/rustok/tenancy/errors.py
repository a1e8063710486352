"""Errors of the tenancy module."""

from __future__ import annotations

from rustok.core.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound


class TenantNotFound(NotFound):
    code = "TENANT_NOT_FOUND"


class TenantInactive(Forbidden):
    code = "TENANT_INACTIVE"


class TenantIdentifierMalformed(BadRequest):
    code = "TENANT_IDENTIFIER_MALFORMED"


class TenantSlugTaken(Conflict):
    code = "TENANT_SLUG_TAKEN"


class TenantDomainTaken(Conflict):
    code = "TENANT_DOMAIN_TAKEN"


class LocaleNotFound(NotFound):
    code = "LOCALE_NOT_FOUND"


class DefaultLocaleRequired(Conflict):
    code = "DEFAULT_LOCALE_REQUIRED"


class LocaleNotOfTenant(Invalid):
    code = "LOCALE_NOT_OF_TENANT"


class FallbackCycle(Invalid):
    code = "LOCALE_FALLBACK_CYCLE"


class CallingTenantProtected(Conflict):
    """An operator may not lock itself out by deactivating the tenant it is calling from."""

    code = "CALLING_TENANT_PROTECTED"


class ModuleNotFound(NotFound):
    code = "MODULE_NOT_FOUND"


class ModuleDependencyMissing(Conflict):
    code = "MODULE_DEPENDENCY_MISSING"


class ModuleHasDependents(Conflict):
    code = "MODULE_HAS_DEPENDENTS"


class ModuleIsCore(Conflict):
    code = "MODULE_IS_CORE"


class ModuleHookFailed(Conflict):
    code = "MODULE_HOOK_FAILED"
