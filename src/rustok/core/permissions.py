"""The vocabulary of authorisation: resources, actions, scopes and `resource:action` permissions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import false, true

from rustok.core.errors import Forbidden

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import ColumnElement


class Resource(StrEnum):
    """What a tenant's roles can grant. Platform powers (managing tenants) are not here: they
    belong to platform operators (`rustok operator grant`), never to a tenant's roles."""

    USERS = "users"
    ROLES = "roles"
    MODULES = "modules"
    SETTINGS = "settings"
    EVENTS = "events"
    NODES = "nodes"
    POSTS = "posts"
    PAGES = "pages"
    MEDIA = "media"
    COMMENTS = "comments"
    FORUM_TOPICS = "forum_topics"
    FORUM_REPLIES = "forum_replies"
    CATEGORIES = "categories"
    TAGS = "tags"
    PRODUCTS = "products"
    INVENTORY = "inventory"
    PRICES = "prices"
    DISCOUNTS = "discounts"
    CARTS = "carts"
    ORDERS = "orders"
    CUSTOMERS = "customers"
    FLEX = "flex"
    ANALYTICS = "analytics"
    LOGS = "logs"
    WEBHOOKS = "webhooks"


PLATFORM_RESOURCES = frozenset({"tenants"})
"""Named only to refuse them with a clear message when someone tries to grant them."""


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    LIST = "list"
    MANAGE = "manage"


class Scope(StrEnum):
    """How far a granted permission reaches: every row, only the caller's own rows, or none."""

    ALL = "all"
    OWN = "own"
    NONE = "none"

    @property
    def rank(self) -> int:
        return {"none": 0, "own": 1, "all": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Permission:
    resource: Resource
    action: Action

    def __str__(self) -> str:
        return f"{self.resource}:{self.action}"

    @classmethod
    def parse(cls, text: str) -> Permission:
        """Parse `resource:action`; raises ValueError naming what is wrong."""
        resource_text, sep, action_text = text.partition(":")
        if not sep:
            raise ValueError(f"{text!r} is not of the form resource:action")
        if resource_text in PLATFORM_RESOURCES:
            raise ValueError(
                f"{resource_text!r} is a platform power held only by platform operators; "
                "a tenant's roles cannot carry it"
            )
        try:
            resource = Resource(resource_text)
        except ValueError:
            raise ValueError(f"unknown resource {resource_text!r}") from None
        try:
            action = Action(action_text)
        except ValueError:
            allowed = ", ".join(a.value for a in Action)
            raise ValueError(f"unknown action {action_text!r}; allowed: {allowed}") from None
        return cls(resource, action)


def all_permissions() -> list[str]:
    """Every `resource:action` a tenant's role can carry, in a stable order."""
    return [str(Permission(resource, action)) for resource in Resource for action in Action]


@dataclass(frozen=True, slots=True)
class Reach:
    """How far one caller's permission reaches over the rows a service touches: all of them, or
    only those the caller owns. The web layer hands it to the service (`Access.reach`, GraphQL
    `context.access(...)`); services apply it through these methods, never by reading scopes."""

    permission: Permission
    scope: Scope
    actor_id: uuid.UUID

    def allows(self, owner_id: uuid.UUID | None) -> bool:
        """Whether a row owned by `owner_id` is within reach."""
        if self.scope is Scope.ALL:
            return True
        return self.scope is Scope.OWN and owner_id == self.actor_id

    def check(self, owner_id: uuid.UUID | None) -> None:
        """Raise Forbidden (`NOT_OWNER`) for a row out of reach."""
        if not self.allows(owner_id):
            raise Forbidden(f"Your {self.permission} reaches only what you own.", code="NOT_OWNER")

    def where(self, owner: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
        """The criterion a list query adds: everything, the caller's own rows, or nothing."""
        if self.scope is Scope.ALL:
            return true()
        if self.scope is Scope.OWN:
            return owner == self.actor_id
        return false()
