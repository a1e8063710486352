"""Media bytes in a local directory (`RUSTOK_MODULES__MEDIA__STORAGE_DIR`): the default backend.

A file is written to a temporary name beside its final one, flushed to disk, and renamed into
place, so a crash never leaves a partial file under a real key. Paths are made only from keys
`check_key` accepts, and the resolved path must still lie under the root.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rustok.media.storage.base import (
    MediaStorage,
    StorageKeyRefused,
    StoredFileMissing,
    check_key,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator

CHUNK_BYTES = 64 * 1024
TEMPORARY_SUFFIX = ".partial"


class LocalStorage(MediaStorage):
    name = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def path_of(self, key: str) -> Path:
        """Where the bytes of `key` live; raises StorageKeyRefused for anything else."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise StorageKeyRefused(f"{key!r} leads out of the storage root")
        return path

    async def save(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        path = self.path_of(key)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}{TEMPORARY_SUFFIX}")
        handle = await asyncio.to_thread(_create, temporary)
        try:
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(_finish, handle, temporary, path)
        except BaseException:
            await asyncio.to_thread(_discard, handle, temporary)
            raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        return _read(handle)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)


def _create(temporary: Path) -> BinaryIO:
    temporary.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never write into a file someone else (or a symlink) put there.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    return os.fdopen(descriptor, "wb")


def _finish(handle: BinaryIO, temporary: Path, path: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, path)
    # The rename itself must reach the disk before the database row that names the file.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _discard(handle: BinaryIO, temporary: Path) -> None:
    handle.close()
    temporary.unlink(missing_ok=True)


async def _read(handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)
