"""How far a permission reaches, as services apply it: all rows, the caller's own, or none."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, MetaData, Table, Uuid, select

from rustok.core.errors import Forbidden
from rustok.core.permissions import Action, Permission, Reach, Resource, Scope
from rustok.rbac.permissions import ROLES

ME = uuid.uuid4()
SOMEONE = uuid.uuid4()
NODES = Table("nodes", MetaData(), Column("id", Uuid), Column("author_id", Uuid))
READ = Permission(ROLES, Action.READ)


def _sql(reach: Reach) -> str:
    statement = select(NODES.c.id).where(reach.where(NODES.c.author_id))
    return str(statement.compile(compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("scope", "mine", "theirs", "unowned"),
    [
        (Scope.ALL, True, True, True),
        (Scope.OWN, True, False, False),
        (Scope.NONE, False, False, False),
    ],
)
def test_a_reach_allows_rows_by_owner(
    scope: Scope, mine: bool, theirs: bool, unowned: bool
) -> None:
    reach = Reach(READ, scope, ME)

    assert [reach.allows(ME), reach.allows(SOMEONE), reach.allows(None)] == [mine, theirs, unowned]


def test_a_row_out_of_reach_is_refused_with_a_code() -> None:
    reach = Reach(READ, Scope.OWN, ME)

    reach.check(ME)
    with pytest.raises(Forbidden) as refused:
        reach.check(SOMEONE)

    assert refused.value.code == "NOT_OWNER"
    assert "roles:read" in refused.value.message


def test_a_list_query_gets_the_owner_criterion_only_under_own() -> None:
    assert _sql(Reach(READ, Scope.ALL, ME)).endswith("WHERE true")
    assert _sql(Reach(READ, Scope.OWN, ME)).endswith(f"WHERE nodes.author_id = '{ME.hex}'")
    assert _sql(Reach(READ, Scope.NONE, ME)).endswith("WHERE false")


def test_a_permission_of_a_resource_no_module_defines_is_refused_where_it_is_written() -> None:
    with pytest.raises(ValueError, match="unknown resource 'ghosts'"):
        Permission(Resource("ghosts"), Action.READ)
