"""Delegation: a caller hands on (grants a role, or writes a role) only what it holds itself.

Without this rule a tenant's admin could write any permission into a role and give it to itself;
with it, the widest role anyone can make is the sum of the caller's own grants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.core.permissions import Action, Scope

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

GrantKey = tuple[str, str]
"""(resource, action) as stored."""

Grants = dict[GrantKey, Scope]


def by_role(rows: Iterable[tuple[str, str, str, str]]) -> dict[str, Grants]:
    """(role slug, resource, action, scope) rows, as each role's grants."""
    grants: dict[str, Grants] = {}
    for slug, resource, action, scope in rows:
        grants.setdefault(slug, {})[(resource, action)] = Scope(scope)
    return grants


def union(role_grants: Iterable[Mapping[GrantKey, Scope]]) -> Grants:
    """The grants of several roles as one: the widest scope of each (resource, action)."""
    held: Grants = {}
    for grants in role_grants:
        for key, scope in grants.items():
            current = held.get(key)
            if current is None or scope.rank > current.rank:
                held[key] = scope
    return held


def held_scope(held: Mapping[GrantKey, Scope], resource: str, action: str) -> Scope:
    """How far `held` reaches for `resource:action`; `resource:manage` implies every action."""
    best = held.get((resource, action), Scope.NONE)
    if action != Action.MANAGE.value:
        manage = held.get((resource, Action.MANAGE.value), Scope.NONE)
        if manage.rank > best.rank:
            best = manage
    return best


def not_held(held: Mapping[GrantKey, Scope], wanted: Mapping[GrantKey, Scope]) -> list[str]:
    """Each wanted grant that reaches further than what is held, as `resource:action (scope)`."""
    return sorted(
        f"{resource}:{action} ({scope.value})"
        for (resource, action), scope in wanted.items()
        if held_scope(held, resource, action).rank < scope.rank
    )
