"""Events the auth module emits. Payloads carry ids, never secrets."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class _UserEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "user"
    aggregate_field: ClassVar[str] = "user_id"

    user_id: uuid.UUID


@EVENTS.register
class UserRegistered(_UserEvent):
    """A user account was created (self-registration, the CLI or an admin)."""

    event_type: ClassVar[str] = "auth.user.registered"
    schema_version: ClassVar[int] = 1

    email: str
    roles: list[str]


@EVENTS.register
class UserLoggedIn(_UserEvent):
    event_type: ClassVar[str] = "auth.user.logged_in"
    schema_version: ClassVar[int] = 1

    session_id: uuid.UUID


@EVENTS.register
class UserUpdated(_UserEvent):
    """Something about the user changed; `changes` names what (e.g. password)."""

    event_type: ClassVar[str] = "auth.user.updated"
    schema_version: ClassVar[int] = 1

    changes: list[str]
