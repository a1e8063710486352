"""The built-in roles are composed from the modules' descriptors."""

from __future__ import annotations

import pytest

from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, READ_LIST, Action, Grant, Scope, grants
from rustok.events.permissions import EVENTS
from rustok.rbac.permissions import ROLES, USERS
from rustok.rbac.policy import ADMIN, CUSTOMER, MANAGER, builtin_roles

SHOP = ModuleDescriptor(
    slug="shop",
    name="Shop",
    version="1",
    resources=(EVENTS,),
    grants={
        MANAGER: grants((EVENTS,), CRUDL),
        CUSTOMER: (*grants((EVENTS,), READ_LIST, Scope.OWN), Grant(USERS, Action.READ)),
    },
)
STAFF = ModuleDescriptor(
    slug="staff",
    name="Staff",
    version="1",
    resources=(ROLES, USERS),
    grants={MANAGER: (Grant(ROLES, Action.READ), Grant(EVENTS, Action.READ))},
)


def _carried(slug: str, *modules: ModuleDescriptor) -> set[tuple[str, str, str]]:
    roles = {role.slug: role for role in builtin_roles(modules)}
    return {(g.resource, g.action.value, g.scope.value) for g in roles[slug].grants}


def test_admin_manages_every_resource_the_modules_define_and_nothing_else() -> None:
    assert _carried(ADMIN, SHOP, STAFF) == {
        ("events", "manage", "all"),
        ("roles", "manage", "all"),
        ("users", "manage", "all"),
    }
    assert _carried(ADMIN, STAFF) == {("roles", "manage", "all"), ("users", "manage", "all")}


def test_manager_and_customer_carry_the_union_of_what_modules_grant_them() -> None:
    manager = _carried(MANAGER, SHOP, STAFF)
    assert {(r, a) for r, a, _ in manager} == {
        *(("events", action.value) for action in CRUDL),
        ("roles", "read"),
    }  # events:read granted twice, carried once
    assert _carried(CUSTOMER, SHOP, STAFF) == {
        ("events", "read", "own"),
        ("events", "list", "own"),
        ("users", "read", "all"),
    }
    assert _carried(CUSTOMER, STAFF) == set()


def test_a_module_cannot_grant_to_admin_or_to_a_role_that_is_not_built_in() -> None:
    for role in (ADMIN, "editor"):
        rogue = ModuleDescriptor(
            slug="rogue", name="Rogue", version="1", grants={role: (Grant(ROLES, Action.READ),)}
        )
        with pytest.raises(ValueError, match="grants only to"):
            builtin_roles([rogue])
