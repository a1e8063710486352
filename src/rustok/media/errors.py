"""Errors of the media module."""

from __future__ import annotations

from rustok.core.errors import Invalid, NotFound, TooLarge, UnsupportedType


class MediaNotFound(NotFound):
    code = "MEDIA_NOT_FOUND"


class MediaTooLarge(TooLarge):
    code = "MEDIA_TOO_LARGE"


class MediaTypeRefused(UnsupportedType):
    """The bytes are of a type uploads do not take (SVG, HTML, unknown, or not allowed here)."""

    code = "MEDIA_TYPE_REFUSED"


class MediaEmpty(Invalid):
    code = "MEDIA_EMPTY"


class ImageUnreadable(Invalid):
    """The bytes claim an image format but do not decode: truncated or corrupt."""

    code = "IMAGE_UNREADABLE"


class ImageTooLarge(Invalid):
    """More pixels than `max_image_pixels`: a decompression bomb, or just too big."""

    code = "IMAGE_TOO_LARGE"


class MediaLocaleNotEnabled(Invalid):
    code = "LOCALE_NOT_ENABLED"
