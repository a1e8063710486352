"""The vocabulary of authorisation: resources, actions, scopes and `resource:action` permissions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import false, true

from rustok.core.errors import Forbidden

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import ColumnElement


class Resource(str):
    """The name of something a tenant's roles can grant (`users`, `nodes`, `products`).

    The module that owns it defines it with `define_resource` (in its `permissions.py`) and
    lists it in its descriptor, so adding a module never edits this file. Platform powers
    (managing tenants) are never resources: they belong to platform operators
    (`rustok operator grant`), never to a tenant's roles.
    """

    __slots__ = ()


RESOURCE_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")

PLATFORM_RESOURCES = frozenset({"tenants"})
"""Named only to refuse them with a clear message when someone tries to grant them."""

_DEFINED: dict[str, str] = {}


def define_resource(name: str, description: str) -> Resource:
    """Declare a resource (once per process; defining it again with the same description is a
    no-op, so a module may be imported twice)."""
    if not RESOURCE_PATTERN.fullmatch(name):
        raise ValueError(f"resource {name!r} must match {RESOURCE_PATTERN.pattern}")
    if name in PLATFORM_RESOURCES:
        raise ValueError(f"{name!r} is a platform power, not a resource")
    known = _DEFINED.get(name)
    if known is not None and known != description:
        raise ValueError(f"resource {name!r} is defined twice")
    _DEFINED[name] = description
    return Resource(name)


def defined_resources() -> dict[str, str]:
    """Every resource the loaded modules define, by name, with what it covers."""
    return dict(sorted(_DEFINED.items()))


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

    def __post_init__(self) -> None:
        # A route or a role naming a resource no module defines fails where it is written.
        if self.resource not in _DEFINED:
            raise ValueError(
                f"unknown resource {self.resource!r}; a module defines it with "
                "define_resource() in its permissions.py"
            )

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
        if resource_text not in _DEFINED:
            raise ValueError(f"unknown resource {resource_text!r}")
        resource = Resource(resource_text)
        try:
            action = Action(action_text)
        except ValueError:
            allowed = ", ".join(a.value for a in Action)
            raise ValueError(f"unknown action {action_text!r}; allowed: {allowed}") from None
        return cls(resource, action)


def all_permissions() -> list[str]:
    """Every `resource:action` a tenant's role can carry, in a stable order."""
    return [f"{resource}:{action}" for resource in defined_resources() for action in Action]


@dataclass(frozen=True, slots=True)
class Grant:
    """A permission a built-in role carries, at a scope; modules declare theirs per role slug in
    their descriptor (`ModuleDescriptor.grants`)."""

    resource: Resource
    action: Action
    scope: Scope = Scope.ALL


def grants(
    resources: tuple[Resource, ...], actions: tuple[Action, ...], scope: Scope = Scope.ALL
) -> tuple[Grant, ...]:
    """Every action on every resource, at one scope."""
    return tuple(Grant(resource, action, scope) for resource in resources for action in actions)


CRUDL = (Action.CREATE, Action.READ, Action.UPDATE, Action.DELETE, Action.LIST)
READ_LIST = (Action.READ, Action.LIST)


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
