"""MediaService: a failed transaction leaves no file; deletion goes after the commit; `own`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import pytest
from sqlalchemy import event

from rustok.core.errors import Forbidden
from rustok.core.ids import new_id
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.media.permissions import MEDIA
from rustok.media.schemas import MediaUpdate
from rustok.media.service import MediaService
from tests.media.conftest import image_bytes, media_events, media_rows, stored_files

if TYPE_CHECKING:
    import uuid
    from pathlib import Path

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail


@dataclass
class _File:
    filename: str | None
    content_type: str | None
    file: BinaryIO


def _source(content: bytes, name: str = "a.png") -> _File:
    return _File(name, "image/png", io.BytesIO(content))


def _reach(action: Action, scope: Scope = Scope.ALL, actor: uuid.UUID | None = None) -> Reach:
    return Reach(Permission(MEDIA, action), scope, actor or new_id())


class _OutboxDown(RuntimeError):
    pass


async def test_the_file_is_removed_when_the_transaction_fails(
    container: Container, tenant: TenantDetail, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*_: object) -> None:
        raise _OutboxDown("the outbox write failed")

    monkeypatch.setattr(container.outbox, "write", refuse)
    service = container.service(MediaService)

    with pytest.raises(_OutboxDown):
        await service.upload(tenant.id, _source(image_bytes()), uploaded_by=None)

    assert stored_files(media_root) == []
    assert await media_rows(container) == (0, 0)
    assert await media_events(container) == []


async def test_a_failed_delete_keeps_row_and_file(
    container: Container, tenant: TenantDetail, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = container.service(MediaService)
    media = await service.upload(tenant.id, _source(image_bytes()), uploaded_by=None)

    async def refuse(*_: object) -> None:
        raise _OutboxDown("the outbox write failed")

    monkeypatch.setattr(container.outbox, "write", refuse)
    with pytest.raises(_OutboxDown):
        await service.delete_media(tenant.id, media.id, _reach(Action.DELETE))

    assert len(stored_files(media_root)) == 1
    assert await media_rows(container) == (1, 0)


async def test_own_scope_reaches_only_the_callers_uploads(
    container: Container, tenant: TenantDetail
) -> None:
    service = container.service(MediaService)
    alice, bob = new_id(), new_id()
    hers = await service.upload(tenant.id, _source(image_bytes(), "hers.png"), uploaded_by=alice)
    await service.upload(tenant.id, _source(image_bytes(), "his.png"), uploaded_by=bob)

    listed = await service.list_media(
        tenant.id, _reach(Action.LIST, Scope.OWN, bob), after=None, limit=10
    )
    with pytest.raises(Forbidden) as refused:
        await service.update_media(
            tenant.id,
            hers.id,
            MediaUpdate(filename="stolen.png"),
            _reach(Action.UPDATE, Scope.OWN, bob),
        )

    assert [m.filename for m in listed.items] == ["his.png"]
    assert refused.value.code == "NOT_OWNER"
    assert (await service.get_media(tenant.id, hers.id)).filename == "hers.png"


async def test_get_many_loads_any_number_in_two_statements(
    container: Container, tenant: TenantDetail
) -> None:
    service = container.service(MediaService)
    ids = [
        (await service.upload(tenant.id, _source(image_bytes()), uploaded_by=None)).id
        for _ in range(5)
    ]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        # Not the tenant wall's set_config, which every PostgreSQL transaction begins with.
        if statement.lstrip().upper().startswith("SELECT") and "set_config" not in statement:
            statements.append(statement)

    event.listen(container.engine.sync_engine, "before_cursor_execute", count)
    try:
        found = await service.get_many(tenant.id, [*ids, new_id()])
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", count)

    assert set(found) == set(ids)
    assert len(statements) == 2
