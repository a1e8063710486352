"""The built-in roles every tenant gets, composed from the modules a deployment runs.

`admin` manages every resource the modules define; `manager` and `customer` carry what each
module grants them (`ModuleDescriptor.grants`). `rustok db migrate` and `rustok rbac
sync-roles` write them to every tenant, so a module added later reaches existing tenants.

None of them carries platform authority: managing tenants belongs to platform operators, a flag
on a user that only the CLI sets (`rustok operator grant`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustok.core.permissions import Action, Grant

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rustok.core.modules import ModuleDescriptor

ADMIN = "admin"
MANAGER = "manager"
CUSTOMER = "customer"
DEFAULT_ROLE = CUSTOMER

_DESCRIBED = {
    ADMIN: ("Administrator", "Manages everything in its own tenant (tenants are the operators')."),
    MANAGER: ("Manager", "Runs the catalogue and the content; reads and updates orders."),
    CUSTOMER: ("Customer", "Reads the published catalogue and content; owns its carts and orders."),
}


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    slug: str
    name: str
    description: str
    grants: tuple[Grant, ...]


def builtin_roles(modules: Iterable[ModuleDescriptor]) -> tuple[RoleDefinition, ...]:
    """admin, manager and customer as these modules define them."""
    modules = list(modules)
    for module in modules:
        unknown = set(module.grants) - {MANAGER, CUSTOMER}
        if unknown:
            raise ValueError(
                f"module {module.slug!r} grants to {sorted(unknown)}; a module grants only to "
                f"{MANAGER!r} and {CUSTOMER!r} ({ADMIN!r} manages every resource already)"
            )
    resources = dict.fromkeys(resource for module in modules for resource in module.resources)
    carried = {
        ADMIN: tuple(Grant(resource, Action.MANAGE) for resource in resources),
        **{
            slug: tuple(
                dict.fromkeys(grant for module in modules for grant in module.grants.get(slug, ()))
            )
            for slug in (MANAGER, CUSTOMER)
        },
    }
    return tuple(
        RoleDefinition(slug, *_DESCRIBED[slug], grants=carried[slug])
        for slug in (ADMIN, MANAGER, CUSTOMER)
    )
