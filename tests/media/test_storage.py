"""The local storage backend: atomic writes, platform-made keys only, idempotent deletes."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from rustok.media.storage.base import StorageKeyRefused, StoredFileMissing, check_key, new_key
from rustok.media.storage.local import LocalStorage
from tests.media.conftest import stored_files

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _read(storage: LocalStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])


class _Crash(Exception):
    pass


async def test_save_open_exists_delete(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    key = new_key(uuid.uuid4())

    await storage.save(key, _chunks(b"hello ", b"world"))

    assert await storage.exists(key)
    assert await _read(storage, key) == b"hello world"
    await storage.delete(key)
    await storage.delete(key)  # again: no error
    assert not await storage.exists(key)
    with pytest.raises(StoredFileMissing):
        await storage.open(key)


async def test_a_write_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = new_key(uuid.uuid4())

    async def failing() -> AsyncIterator[bytes]:
        yield b"first half"
        raise _Crash

    with pytest.raises(_Crash):
        await storage.save(key, failing())

    assert not await storage.exists(key)
    assert stored_files(tmp_path) == []


def test_keys_are_sharded_and_random() -> None:
    tenant = uuid.uuid4()
    first, second = new_key(tenant), new_key(tenant)

    assert first != second
    assert first.startswith(tenant.hex + "/")
    name = first.rsplit("/", 1)[1]
    assert first.split("/")[1:3] == [name[:2], name[2:4]]


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "a" * 32 + "/../../" + "b" * 32,
        "a" * 32 + "/aa/aa/" + "a" * 31 + ".",
        "a" * 32 + "/aa/aa/" + "a" * 32 + "\x00",
        "a" * 32 + "\\aa\\aa\\" + "a" * 32,
        "A" * 32 + "/AA/AA/" + "A" * 32,
        "",
        "x" * 10_000,
    ],
)
async def test_a_key_it_did_not_make_never_reaches_the_file_system(
    tmp_path: Path, key: str
) -> None:
    storage = LocalStorage(tmp_path)

    with pytest.raises(StorageKeyRefused):
        check_key(key)
    with pytest.raises(StorageKeyRefused):
        await storage.save(key, _chunks(b"x"))
    with pytest.raises(StorageKeyRefused):
        await storage.open(key)
    with pytest.raises(StorageKeyRefused):
        await storage.delete(key)
    assert stored_files(tmp_path) == []


async def test_a_symlinked_shard_leading_out_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "media", tmp_path / "outside"
    outside.mkdir()
    key = new_key(uuid.uuid4())
    (root / key).parent.parent.parent.mkdir(parents=True)
    (root / key).parent.parent.symlink_to(outside, target_is_directory=True)

    with pytest.raises(StorageKeyRefused):
        await LocalStorage(root).save(key, _chunks(b"x"))

    assert stored_files(outside) == []
