"""What the media module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

MEDIA = define_resource("media", "Uploaded files, their alt texts and captions")
