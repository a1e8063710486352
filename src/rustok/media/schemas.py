"""Media DTOs, and how a client's file name becomes a display name."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rustok.core.text import PlainText, ProseText
from rustok.tenancy.schemas import Locale

MAX_FILENAME_LENGTH = 255
FALLBACK_FILENAME = "upload"

AltText = Annotated[PlainText, Field(max_length=1000, examples=["A red bicycle by a wall"])]
Caption = Annotated[ProseText, Field(max_length=2000, examples=["Our best seller."])]
Filename = Annotated[
    PlainText,
    Field(
        min_length=1,
        max_length=MAX_FILENAME_LENGTH,
        examples=["bicycle.png"],
        json_schema_extra={"pattern": r"^[^/\\\x00-\x1f\x7f-\x9f]*$"},
    ),
]


def display_filename(raw: str | None) -> str:
    """The name to show for an uploaded file: the last segment of whatever path the client
    sent, without control characters or leading dots, at most 255 characters (keeping the
    extension). It is only ever shown; no file is ever named after it."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    name = text.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs"})
    name = name.strip().lstrip(".").strip()
    if not name:
        return FALLBACK_FILENAME
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name


class MediaTranslationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    locale: str
    alt_text: str
    caption: str


class MediaTranslationInput(BaseModel):
    """Alt text and caption in one locale; both empty removes the locale's texts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    locale: Locale
    alt_text: AltText = ""
    caption: Caption = ""


class MediaUpdate(BaseModel):
    """What PATCH changes: the display name, and the texts of the locales listed (others stay)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    filename: Filename | None = None
    translations: list[MediaTranslationInput] | None = Field(default=None, max_length=50)

    @field_validator("filename")
    @classmethod
    def _a_name_not_a_path(cls, value: str | None) -> str | None:
        if value is not None and ("/" in value or "\\" in value or value.strip(".") == ""):
            raise ValueError("must be a file name, not a path")
        return value

    @field_validator("translations")
    @classmethod
    def _one_entry_per_locale(
        cls, value: list[MediaTranslationInput] | None
    ) -> list[MediaTranslationInput] | None:
        locales = [entry.locale for entry in value or []]
        if len(set(locales)) != len(locales):
            raise ValueError("each locale at most once")
        return value


class MediaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    mime_type: str = Field(examples=["image/png"])
    size: int = Field(description="Bytes.")
    width: int | None = Field(description="Pixels; images only.")
    height: int | None = Field(description="Pixels; images only.")
    checksum_sha256: str = Field(
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    uploaded_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    translations: list[MediaTranslationRead]
    file_url: str = Field(
        description="Where the bytes are served (`GET`, public).",
        examples=["/api/content/media/7f3b1c2e-5d4a-4e8b-9c1d-2a3b4c5d6e7f/file"],
    )


class MediaUploadRead(MediaRead):
    """The new media, and whether the client's declared type disagreed with the bytes."""

    declared_type: str | None = Field(
        description="The part's Content-Type as the client sent it; never trusted.",
        examples=["image/png"],
    )
    declared_type_mismatch: bool = Field(
        description="True when the declared type is not what the bytes are (`mime_type`)."
    )


def file_url(media_id: uuid.UUID) -> str:
    return f"/api/content/media/{media_id}/file"
