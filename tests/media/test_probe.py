"""Sniffing and inspecting uploaded bytes: the type comes from the bytes, never the client."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from rustok.media.errors import (
    ImageTooLarge,
    ImageUnreadable,
    MediaEmpty,
    MediaTooLarge,
    MediaTypeRefused,
)
from rustok.media.probe import HEAD_BYTES, Inspection, inspect_upload, sniff
from tests.media.conftest import image_bytes, pdf_bytes

ALL = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


def _inspect(
    content: bytes, *, max_bytes: int = 1_000_000, max_pixels: int = 1_000_000
) -> Inspection:
    return inspect_upload(
        io.BytesIO(content), allowed=ALL, max_bytes=max_bytes, max_pixels=max_pixels
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` and whose data is a few bytes: a bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (image_bytes("PNG"), "image/png"),
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("GIF"), "image/gif"),
        (image_bytes("WEBP"), "image/webp"),
        (pdf_bytes(), "application/pdf"),
        (b"Hello, world.\nSecond line.\n", "text/plain"),
        ("Grüße, мир, 世界\n".encode(), "text/plain"),
        (b"\xef\xbb\xbfWith a byte order mark", "text/plain"),
    ],
)
def test_each_type_is_told_by_its_bytes(content: bytes, expected: str) -> None:
    assert sniff(content[:HEAD_BYTES]) == expected


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"  \n<html><script>alert(1)</script>",
        b"<script>alert(document.cookie)</script>",
        b"Just text, then <iframe src=//evil.example>",
        b"\xef\xbb\xbf<SVG/onload=alert(1)>",
        b"hello <a href=javascript:alert(1)>x</a>",
        b"<!-- a comment first --><b>bold</b>",
    ],
)
def test_markup_is_refused_whatever_it_is_called(content: bytes) -> None:
    with pytest.raises(MediaTypeRefused) as refused:
        sniff(content)

    assert refused.value.fields[0].field == "file"


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\x03binary",
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"PK\x03\x04\x14\x00",  # a zip (and every office document)
        b"\xfe\xed\xfa\xce",
        "not utf-8: \xe9t\xe9".encode("latin-1"),
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # RIFF, but not WEBP
    ],
)
def test_unknown_bytes_are_refused(content: bytes) -> None:
    with pytest.raises(MediaTypeRefused):
        sniff(content)


def test_a_long_text_cut_inside_a_character_is_still_text() -> None:
    head = ("a" + "é" * HEAD_BYTES).encode()[:HEAD_BYTES]  # ends on the first byte of an é

    assert head.endswith(b"\xc3")
    assert sniff(head) == "text/plain"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(MediaEmpty) as refused:
        _inspect(b"")

    assert refused.value.fields[0].field == "file"


def test_a_type_not_allowed_here_is_refused() -> None:
    with pytest.raises(MediaTypeRefused, match="application/pdf"):
        inspect_upload(
            io.BytesIO(pdf_bytes()), allowed={"image/png"}, max_bytes=10_000, max_pixels=10_000
        )


def test_the_size_limit_is_exact() -> None:
    text = b"a" * 100

    accepted = _inspect(text, max_bytes=100)
    with pytest.raises(MediaTooLarge):
        _inspect(text + b"a", max_bytes=100)

    assert accepted.size == 100


def test_an_image_reports_its_dimensions_and_checksum() -> None:
    content = image_bytes("PNG", (30, 20))

    inspection = _inspect(content)

    assert (inspection.width, inspection.height) == (30, 20)
    assert len(inspection.checksum_sha256) == 64


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (1500, 1000), (1001, 1000)])
def test_a_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    with pytest.raises(ImageTooLarge) as refused:
        _inspect(png_header_only(width, height), max_pixels=1_000_000)

    assert refused.value.fields[0].field == "file"


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_a_truncated_image_is_refused(image_format: str) -> None:
    content = image_bytes(image_format, (64, 64))

    with pytest.raises(ImageUnreadable) as refused:
        _inspect(content[: len(content) // 2])

    assert refused.value.fields[0].field == "file"


def test_image_magic_followed_by_markup_is_not_an_image() -> None:
    polyglot = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"

    with pytest.raises(ImageUnreadable):
        _inspect(polyglot)


def test_a_gif_with_markup_behind_it_stays_a_gif() -> None:
    # Served as image/gif with nosniff, the trailing markup is inert.
    content = image_bytes("GIF") + b"<script>alert(1)</script>"

    assert _inspect(content).mime_type == "image/gif"
