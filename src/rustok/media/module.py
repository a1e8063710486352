"""The media module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.core.modules import ModuleDescriptor
from rustok.media.service import MediaService
from rustok.media.storage.local import LocalStorage

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def media_service(container: Container) -> MediaService:
    settings = container.settings
    storage = LocalStorage(settings.media_storage_dir)
    return MediaService(container.uow, storage, container.tenants, settings)


MODULE = ModuleDescriptor(
    slug="media",
    name="Media",
    version="1.0.0",
    description="Uploaded files (images, PDFs, text) with alt texts and captions per locale.",
    permissions=tuple(
        f"media:{action}" for action in ("create", "read", "update", "delete", "list")
    ),
    models=("rustok.media.models",),
    events=("rustok.media.events",),
    rest="rustok.media.rest:router",
    graphql_part="rustok.media.graphql:GRAPHQL",
    services=(media_service,),
    demo_seed="rustok.media.demo:seed",
)
