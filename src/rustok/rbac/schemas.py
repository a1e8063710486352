"""RBAC DTOs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rustok.core.permissions import Permission, Scope
from rustok.core.text import PlainText, ProseText

RoleSlug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", examples=["editor"])]


class PermissionGrant(BaseModel):
    """`permission` is `resource:action` (e.g. `roles:update`); `scope` is all, own or none."""

    model_config = ConfigDict(extra="forbid")

    permission: str = Field(examples=["roles:update"])
    scope: Scope = Scope.ALL

    @field_validator("permission")
    @classmethod
    def _known(cls, value: str) -> str:
        return str(Permission.parse(value))


class RoleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: RoleSlug
    name: PlainText = Field(min_length=1, max_length=100, examples=["Editor"])
    description: ProseText = Field(
        default="", max_length=500, examples=["Writes and updates content."]
    )
    permissions: list[PermissionGrant] = Field(default_factory=list, max_length=500)


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PlainText | None = Field(
        default=None, min_length=1, max_length=100, examples=["Senior editor"]
    )
    description: ProseText | None = Field(
        default=None, max_length=500, examples=["Writes, updates and reviews content."]
    )
    permissions: list[PermissionGrant] | None = Field(default=None, max_length=500)


class RoleRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    is_system: bool
    permissions: list[PermissionGrant]
    created_at: datetime
    updated_at: datetime


class UserRolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[RoleSlug] = Field(min_length=1, max_length=50, examples=[["customer"]])


class UserRolesRead(BaseModel):
    user_id: uuid.UUID
    roles: list[str]
