"""The tenancy service on its own: what one tenant does to its rows never touches another's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.tenancy.errors import LocaleNotFound
from rustok.tenancy.schemas import TenantCreate, TenantLocaleUpsert

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


def _names(detail: TenantDetail) -> dict[str, str]:
    return {locale.locale: locale.name for locale in detail.locales}


async def test_a_locale_of_one_tenant_is_never_read_or_changed_through_another(
    container: Container, tenant: TenantDetail, other_tenant: TenantDetail
) -> None:
    tenants = container.tenants
    await tenants.upsert_locale(other_tenant.id, "fr", TenantLocaleUpsert(name="Globex French"))

    acme = await tenants.upsert_locale(tenant.id, "fr", TenantLocaleUpsert(name="Acme French"))
    await tenants.upsert_locale(other_tenant.id, "de", TenantLocaleUpsert(name="Globex German"))
    with pytest.raises(LocaleNotFound):
        await tenants.delete_locale(tenant.id, "de")  # only the other tenant's could match
    globex = await tenants.delete_locale(other_tenant.id, "fr")

    assert _names(acme) == {"en": "en", "fr": "Acme French"}
    assert _names(await tenants.get_tenant(tenant.id)) == {"en": "en", "fr": "Acme French"}
    assert _names(globex) == {"en": "en", "de": "Globex German"}


async def test_tenants_are_listed_a_page_at_a_time_in_creation_order(
    container: Container, tenant: TenantDetail
) -> None:
    for slug in ("globex", "initech", "umbrella"):
        await container.tenants.create_tenant(TenantCreate(name=slug.title(), slug=slug))

    page, total = await container.tenants.list_tenants(offset=1, limit=2)

    assert total == 4
    assert [row.slug for row in page] == ["globex", "initech"]
