"""The `page` node kind with its metadata model: the template (and nothing else), so a page
made through the content API holds a known template too."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rustok.content.kinds import KINDS, NodeKind
from rustok.pages.templates import TEMPLATES

PAGE_KIND = "page"


class PageMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(default="default", examples=["landing"])

    @field_validator("template")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in TEMPLATES.names():
            raise ValueError(f"unknown template; known: {', '.join(TEMPLATES.names())}")
        return value


KINDS.register(
    NodeKind(PAGE_KIND, PageMetadata, "A page: a template and ordered blocks"), replace=True
)
