"""Node kinds: the name a node is created with and the Pydantic model its metadata must fit.

Content registers the kinds of the platform with permissive models (any JSON object). A module
built on content (blog, pages, forum) registers its own kind, or replaces the model of one of
these with a stricter one, at import time of its `kinds`/`module` file:

    KINDS.register(NodeKind("post", PostMetadata), replace=True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from rustok.content.errors import MetadataInvalid, UnknownKind
from rustok.core.errors import FieldError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from rustok.core.uow import UnitOfWork

    MetadataCheck = Callable[[UnitOfWork, dict[str, Any], str], Awaitable[None]]
    """Checks checked metadata against the tenant's rows (a media id exists) inside the write's
    unit of work; raises Invalid naming `<field>.<key>`."""


class OpenMetadata(BaseModel):
    """Any JSON object: the default until a module says more about its kind."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True, slots=True)
class NodeKind:
    name: str
    metadata: type[BaseModel] = OpenMetadata
    description: str = ""
    check: MetadataCheck | None = None


BUILTIN_KINDS = (
    "post",
    "page",
    "article",
    "block",
    "menu",
    "menu_item",
    "forum_category",
    "forum_topic",
    "forum_reply",
    "comment",
)


class KindRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, NodeKind] = {}

    def register(self, kind: NodeKind, *, replace: bool = False) -> NodeKind:
        """Add `kind`; `replace` swaps the model of a kind already known (a stricter one)."""
        if kind.name in self._kinds and not replace:
            raise ValueError(f"node kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind
        return kind

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def get(self, name: str, *, field: str = "body.kind") -> NodeKind:
        """The kind called `name`; Invalid (`UNKNOWN_KIND`) naming `field` otherwise."""
        kind = self._kinds.get(name)
        if kind is None:
            raise UnknownKind(
                f"Unknown node kind {name!r}; known: {', '.join(self.names())}.",
                fields=[FieldError(field, "unknown kind")],
            )
        return kind

    def validate_metadata(
        self, name: str, metadata: dict[str, Any], *, field: str = "body.metadata"
    ) -> dict[str, Any]:
        """`metadata` checked (and normalised) by the kind's model; Invalid naming
        `<field>.<path>` for each problem."""
        model = self.get(name).metadata
        try:
            checked = model.model_validate(metadata)
        except ValidationError as error:
            raise MetadataInvalid(
                f"The metadata does not fit the kind {name!r}.",
                fields=[
                    FieldError(
                        ".".join([field, *(str(part) for part in issue["loc"])]), issue["msg"]
                    )
                    for issue in error.errors()
                ],
            ) from None
        dumped: dict[str, Any] = checked.model_dump(mode="json")
        return dumped


KINDS = KindRegistry()
"""Every node kind of the platform; modules register theirs here."""

for _name in BUILTIN_KINDS:
    KINDS.register(NodeKind(_name))
