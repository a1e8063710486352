"""What uploaded bytes are: the type sniffed from their first bytes, their size and checksum,
and for images the dimensions Pillow reads (refusing corrupt images and decompression bombs).

The client's `Content-Type` and file name play no part: a file is what its bytes say. Types a
browser could run as a document (SVG, HTML, XML) are never accepted, whatever they claim, and
text whose first bytes look like markup is refused too, so that no stored file can be turned
into a page of ours by a browser that sniffs (we also send `nosniff`, see docs/media.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from rustok.core.errors import FieldError
from rustok.media.errors import (
    ImageTooLarge,
    ImageUnreadable,
    MediaEmpty,
    MediaTooLarge,
    MediaTypeRefused,
)

if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import BinaryIO

FIELD = "file"
HEAD_BYTES = 4096
"""How much of the file sniffing looks at (browsers look at 512 bytes at most)."""
CHUNK_BYTES = 64 * 1024

IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
# The WHATWG sniffing patterns for HTML, plus SVG and XML: text containing one of these could be
# rendered as a document by a browser that ignores our type. Looked for anywhere in the head.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|math|object|embed|style|title|"
    rb"img|a\s|div|font|table|h1|b\s|b>|br|p[\s>]|\?xml|!--|!\[cdata\[)",
    re.IGNORECASE,
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Inspection:
    """What the bytes of an accepted upload are."""

    mime_type: str
    size: int
    checksum_sha256: str
    width: int | None = None
    height: int | None = None


def _refused(message: str) -> MediaTypeRefused:
    return MediaTypeRefused(message, fields=[FieldError(FIELD, message)])


def sniff(head: bytes) -> str:
    """The type of a file from its first bytes; raises MediaTypeRefused for markup (SVG, HTML,
    XML) and for anything not recognised."""
    for magic, mime_type in _MAGIC:
        if head.startswith(magic):
            return mime_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _MARKUP.search(text):
        raise _refused("markup (HTML, SVG or XML) is never accepted: it could run as a page")
    if _is_text(text):
        return "text/plain"
    raise _refused("the file type is not recognised")


def _is_text(head: bytes) -> bool:
    if _CONTROL.search(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A full head may end inside a multi-byte character; any other error is not UTF-8.
        return error.reason == "unexpected end of data" and len(head) == HEAD_BYTES
    return True


def inspect_upload(
    file: BinaryIO, *, allowed: Collection[str], max_bytes: int, max_pixels: int
) -> Inspection:
    """Sniff, measure and (for images) decode the file, from its start; blocking (run it in a
    thread). Raises a media error naming the `file` field for anything refused."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    if not head:
        raise MediaEmpty("The file is empty.", fields=[FieldError(FIELD, "empty file")])
    mime_type = sniff(head)
    if mime_type not in allowed:
        raise _refused(f"{mime_type} files are not accepted here")
    digest = hashlib.sha256()
    size = 0
    chunk = head
    while chunk:
        size += len(chunk)
        if size > max_bytes:
            raise MediaTooLarge(
                f"The file is larger than {max_bytes} bytes.",
                fields=[FieldError(FIELD, f"at most {max_bytes} bytes")],
            )
        digest.update(chunk)
        chunk = file.read(CHUNK_BYTES)
    width = height = None
    if mime_type in IMAGE_FORMATS:
        width, height = image_dimensions(file, IMAGE_FORMATS[mime_type], max_pixels=max_pixels)
    return Inspection(mime_type, size, digest.hexdigest(), width, height)


def image_dimensions(file: BinaryIO, image_format: str, *, max_pixels: int) -> tuple[int, int]:
    """Width and height of an image, after decoding it whole (a truncated or corrupt image is
    refused, not stored); more pixels than `max_pixels` are refused before decoding."""
    too_large = ImageTooLarge(
        f"The image has more than {max_pixels} pixels.",
        fields=[FieldError(FIELD, f"at most {max_pixels} pixels")],
    )
    # Pillow's own guard: it refuses twice this many pixels while reading the header.
    Image.MAX_IMAGE_PIXELS = max_pixels
    file.seek(0)
    try:
        # Between once and twice the limit Pillow only warns (an exception where warnings are
        # errors, as in the tests); the size check below refuses those images either way.
        with Image.open(file, formats=[image_format]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise too_large
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageUnreadable(
            f"The image cannot be decoded: {error}.",
            fields=[FieldError(FIELD, "a truncated or corrupt image")],
        ) from None
    return width, height
