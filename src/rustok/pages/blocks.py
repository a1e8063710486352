"""Block types: the name a block is created with, the Pydantic model its data must fit, and
how its data is shown. Other modules add theirs at import time:

    BLOCKS.register(BlockType("pricing", PricingData, "Plans side by side"))

A type's model lists the media ids its data points at (`media_refs`), which the service checks
are the tenant's; `render` turns stored data into what readers get (HTML is sanitized there,
on output, whatever was stored).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rustok.content.rendering import render, sanitize
from rustok.core.errors import FieldError
from rustok.core.text import PlainText, ProseText
from rustok.pages.errors import BlockDataInvalid, UnknownBlockType
from rustok.pages.links import SafeUrl, VideoUrl

if TYPE_CHECKING:
    from collections.abc import Callable

Heading = Annotated[PlainText, Field(max_length=255)]
Text = Annotated[ProseText, Field(max_length=5000)]
MAX_ITEMS = 50


class BlockData(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def media_refs(self) -> list[tuple[str, list[uuid.UUID]]]:
        """(field inside the data, media ids) of every media the data points at."""
        return []


class HeroData(BlockData):
    heading: Heading = Field(min_length=1)
    subheading: Text = ""
    image_id: uuid.UUID | None = None
    cta_label: Heading | None = None
    cta_url: SafeUrl | None = None

    def media_refs(self) -> list[tuple[str, list[uuid.UUID]]]:
        return [("image_id", [self.image_id])] if self.image_id else []


class TextData(BlockData):
    body: Annotated[ProseText, Field(min_length=1, max_length=100_000)]
    format: Literal["markdown", "html", "plain"] = "markdown"


class ImageData(BlockData):
    media_id: uuid.UUID
    caption: Text = ""
    link_url: SafeUrl | None = None

    def media_refs(self) -> list[tuple[str, list[uuid.UUID]]]:
        return [("media_id", [self.media_id])]


class GalleryData(BlockData):
    media_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_ITEMS)
    columns: int = Field(default=3, ge=1, le=6)

    def media_refs(self) -> list[tuple[str, list[uuid.UUID]]]:
        return [("media_ids", self.media_ids)]


class CtaData(BlockData):
    heading: Heading = Field(min_length=1)
    text: Text = ""
    label: Heading = Field(min_length=1)
    url: SafeUrl


class Feature(BlockData):
    title: Heading = Field(min_length=1)
    text: Text = ""
    icon: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,64}$")] | None = None


class FeaturesData(BlockData):
    heading: Heading = ""
    items: list[Feature] = Field(min_length=1, max_length=MAX_ITEMS)


class Question(BlockData):
    question: Heading = Field(min_length=1)
    answer: Text = Field(min_length=1)


class FaqData(BlockData):
    heading: Heading = ""
    items: list[Question] = Field(min_length=1, max_length=MAX_ITEMS)


class ProductGridData(BlockData):
    """Which products to show; the front end loads them from the catalog (data only here)."""

    heading: Heading = ""
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_ITEMS)
    collection_id: uuid.UUID | None = None
    limit: int = Field(default=8, ge=1, le=MAX_ITEMS)

    @model_validator(mode="after")
    def _one_source(self) -> ProductGridData:
        if bool(self.product_ids) == (self.collection_id is not None):
            raise ValueError("give either product_ids or collection_id")
        return self


class HtmlData(BlockData):
    html: Annotated[ProseText, Field(min_length=1, max_length=100_000)]


class VideoData(BlockData):
    url: VideoUrl
    caption: Text = ""
    autoplay: bool = False


class SpacerData(BlockData):
    size: Literal["small", "medium", "large"] = "medium"


def _text_html(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "html": render(data["body"], data.get("format", "markdown"))}


def _clean_html(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "html": sanitize(data["html"])}


@dataclass(frozen=True, slots=True)
class BlockType:
    name: str
    data: type[BlockData]
    description: str = ""
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None)


class BlockRegistry:
    def __init__(self) -> None:
        self._types: dict[str, BlockType] = {}

    def register(self, block_type: BlockType, *, replace: bool = False) -> BlockType:
        """Add `block_type`; `replace` swaps a type already known for a stricter one."""
        if block_type.name in self._types and not replace:
            raise ValueError(f"block type {block_type.name!r} is registered twice")
        self._types[block_type.name] = block_type
        return block_type

    def names(self) -> list[str]:
        return sorted(self._types)

    def get(self, name: str, *, field: str) -> BlockType:
        """The type called `name`; Invalid (`UNKNOWN_BLOCK_TYPE`) naming `field` otherwise."""
        block_type = self._types.get(name)
        if block_type is None:
            raise UnknownBlockType(
                f"Unknown block type {name!r}; known: {', '.join(self.names())}.",
                fields=[FieldError(field, "unknown block type")],
            )
        return block_type

    def validate(self, name: str, data: dict[str, Any], *, field: str) -> BlockData:
        """`data` checked by the type's model; Invalid (`BLOCK_DATA_INVALID`) naming
        `<field>.<path>` for each problem."""
        model = self.get(name, field=field.rsplit(".", 1)[0] + ".type").data
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise BlockDataInvalid(
                f"The data does not fit the block type {name!r}.",
                fields=[
                    FieldError(
                        ".".join([field, *(str(part) for part in issue["loc"])]), issue["msg"]
                    )
                    for issue in error.errors()
                ],
            ) from None

    def render(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """What readers get of stored `data` (HTML sanitized, markdown rendered)."""
        block_type = self._types.get(name)
        if block_type is None or block_type.render is None:
            return data
        return block_type.render(data)


BLOCKS = BlockRegistry()
"""Every block type of the platform; modules register theirs here."""

for _type in (
    BlockType("hero", HeroData, "A heading over an image, with a call to action"),
    BlockType("text", TextData, "Markdown, HTML or plain text", _text_html),
    BlockType("image", ImageData, "One image of the tenant's media"),
    BlockType("gallery", GalleryData, "Images of the tenant's media in columns"),
    BlockType("cta", CtaData, "A call to action: heading, text and a button"),
    BlockType("features", FeaturesData, "A list of features with icons"),
    BlockType("faq", FaqData, "Questions and answers"),
    BlockType("product_grid", ProductGridData, "Products by id or a collection"),
    BlockType("html", HtmlData, "HTML, sanitized when read", _clean_html),
    BlockType("video", VideoData, "An embedded video of a known host"),
    BlockType("spacer", SpacerData, "Vertical space"),
):
    BLOCKS.register(_type)
