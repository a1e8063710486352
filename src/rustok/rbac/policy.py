"""The built-in roles every tenant gets, as data; they are written to the database per tenant.

None of them carries platform authority: managing tenants belongs to platform operators, a flag
on a user that only the CLI sets (`rustok operator grant`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rustok.core.permissions import Action, Resource, Scope

CRUDL = (Action.CREATE, Action.READ, Action.UPDATE, Action.DELETE, Action.LIST)


@dataclass(frozen=True, slots=True)
class Grant:
    resource: Resource
    action: Action
    scope: Scope = Scope.ALL


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    slug: str
    name: str
    description: str
    grants: tuple[Grant, ...]


def _grants(resources: tuple[Resource, ...], actions: tuple[Action, ...]) -> list[Grant]:
    return [Grant(resource, action) for resource in resources for action in actions]


ADMIN = RoleDefinition(
    slug="admin",
    name="Administrator",
    description="Manages everything in its own tenant (tenants themselves are the operators').",
    grants=tuple(Grant(resource, Action.MANAGE) for resource in Resource),
)

MANAGER = RoleDefinition(
    slug="manager",
    name="Manager",
    description="Runs the catalogue and the content; reads and updates orders.",
    grants=tuple(
        _grants(
            (
                Resource.PRODUCTS,
                Resource.CATEGORIES,
                Resource.NODES,
                Resource.POSTS,
                Resource.PAGES,
                Resource.MEDIA,
                Resource.INVENTORY,
                Resource.TAGS,
                Resource.PRICES,
            ),
            CRUDL,
        )
        + _grants((Resource.ORDERS,), (Action.READ, Action.UPDATE, Action.LIST))
        + _grants((Resource.CUSTOMERS,), (Action.READ, Action.LIST))
    ),
)

CUSTOMER = RoleDefinition(
    slug="customer",
    name="Customer",
    description="Reads the published catalogue and content; owns its carts, orders and posts.",
    grants=tuple(
        _grants(
            (Resource.PRODUCTS, Resource.CATEGORIES, Resource.NODES, Resource.POSTS),
            (Action.READ, Action.LIST),
        )
        + [
            Grant(resource, action, Scope.OWN)
            for resource in (Resource.ORDERS, Resource.CARTS)
            for action in (Action.CREATE, Action.READ, Action.LIST)
        ]
        + [Grant(Resource.CARTS, Action.UPDATE, Scope.OWN)]
        + [
            Grant(resource, action, scope)
            for resource in (Resource.COMMENTS, Resource.FORUM_TOPICS, Resource.FORUM_REPLIES)
            for action, scope in (
                (Action.CREATE, Scope.ALL),
                (Action.READ, Scope.ALL),
                (Action.LIST, Scope.ALL),
                (Action.UPDATE, Scope.OWN),
                (Action.DELETE, Scope.OWN),
            )
        ]
    ),
)

BUILTIN_ROLES: tuple[RoleDefinition, ...] = (ADMIN, MANAGER, CUSTOMER)
DEFAULT_ROLE = CUSTOMER.slug
