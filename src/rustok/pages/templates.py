"""Page templates: the layouts a front end renders a page with. Other modules (a theme) add
theirs at import time: `TEMPLATES.register("pricing", "Plans side by side")`."""

from __future__ import annotations

from rustok.core.errors import FieldError
from rustok.pages.errors import UnknownTemplate


class TemplateRegistry:
    def __init__(self) -> None:
        self._templates: dict[str, str] = {}

    def register(self, name: str, description: str) -> None:
        if name in self._templates:
            raise ValueError(f"page template {name!r} is registered twice")
        self._templates[name] = description

    def names(self) -> list[str]:
        return sorted(self._templates)

    def check(self, name: str, *, field: str = "body.template") -> str:
        """`name` if it is a known template; Invalid (`UNKNOWN_TEMPLATE`) naming `field`."""
        if name not in self._templates:
            raise UnknownTemplate(
                f"Unknown page template {name!r}; known: {', '.join(self.names())}.",
                fields=[FieldError(field, "unknown template")],
            )
        return name


TEMPLATES = TemplateRegistry()
"""Every page template of the platform."""

for _name, _description in (
    ("default", "Title, then the blocks"),
    ("landing", "Full-width blocks, no title"),
    ("contact", "The blocks beside a contact form"),
    ("sidebar", "The blocks with the sidebar menu"),
):
    TEMPLATES.register(_name, _description)
