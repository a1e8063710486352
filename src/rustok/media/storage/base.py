"""The interface every media storage backend implements.

A backend stores opaque bytes under a key. Keys are made here (`new_key`), from the tenant and
a random UUID, sharded into directories (`<tenant>/<ab>/<cd>/<uuid>`); nothing a client sends
is ever part of one, and every backend refuses a key that is not of that shape (`check_key`),
so no path can reach the file system or a bucket through it.

The contract, which the local backend keeps and an S3 backend would keep as follows:

- `save(key, chunks)` is atomic: afterwards the key holds every byte or nothing; a failure or
  crash midway leaves nothing under the key (local: a temporary file renamed into place; S3: a
  single PUT or a multipart upload completed only at the end, aborted on error).
- `open(key)` raises `StoredFileMissing` before any byte when there is nothing under the key,
  then streams the bytes (S3: a GET whose body is read in chunks).
- `delete(key)` is idempotent: deleting a missing key is no error (S3's DELETE is too).
- `exists(key)` says whether bytes are stored under the key (S3: a HEAD request).
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator

KEY_PATTERN = re.compile(r"[0-9a-f]{32}/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}")


class StorageKeyRefused(ValueError):
    """A key not made by `new_key`: never looked up, whatever it names."""


class StoredFileMissing(LookupError):
    """Nothing is stored under the key (deleted, or lost outside the platform)."""


def new_key(tenant_id: uuid.UUID) -> str:
    """A fresh key for a file of this tenant; random, so it tells nothing about the media id."""
    name = uuid.uuid4().hex
    return f"{tenant_id.hex}/{name[:2]}/{name[2:4]}/{name}"


def check_key(key: str) -> str:
    """`key` itself when `new_key` could have made it; raises StorageKeyRefused otherwise."""
    if not KEY_PATTERN.fullmatch(key):
        raise StorageKeyRefused(f"not a storage key: {key!r}")
    return key


class MediaStorage(ABC):
    """Stores the bytes of media files under platform-made keys (see the module docstring)."""

    name: ClassVar[str]

    @abstractmethod
    async def save(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the chunks under `key`, all or nothing; an error from `chunks` aborts it."""

    @abstractmethod
    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes under `key`, in chunks; raises StoredFileMissing first if there are none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove what is stored under `key`; nothing there is no error."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether bytes are stored under `key`."""
