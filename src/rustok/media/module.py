"""The media module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, grants
from rustok.media.permissions import MEDIA
from rustok.media.service import MediaService
from rustok.media.settings import MULTIPART_FRAMING, MediaSettings
from rustok.media.storage.local import LocalStorage
from rustok.rbac.policy import MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def media_service(container: Container) -> MediaService:
    settings = container.settings_of(MediaSettings)
    storage = LocalStorage(settings.storage_dir)
    return MediaService(container.uow, storage, container.tenants, settings)


def upload_body_limits(container: Container) -> dict[tuple[str, str], int]:
    """The upload route takes a body as large as a file may be, plus its framing."""
    limit = container.settings_of(MediaSettings).max_upload_bytes + MULTIPART_FRAMING
    return {("POST", "/api/content/media"): limit}


MODULE = ModuleDescriptor(
    slug="media",
    name="Media",
    version="1.0.0",
    description="Uploaded files (images, PDFs, text) with alt texts and captions per locale.",
    resources=(MEDIA,),
    grants={MANAGER: grants((MEDIA,), CRUDL)},
    settings=MediaSettings,
    body_limits=upload_body_limits,
    models=("rustok.media.models",),
    events=("rustok.media.events",),
    rest="rustok.media.rest:router",
    graphql_part="rustok.media.graphql:GRAPHQL",
    services=(media_service,),
    demo_seed="rustok.media.demo:seed",
)
