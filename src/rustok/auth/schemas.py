"""Auth DTOs and the input rules they share with the service (e-mail syntax, password policy)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rustok.core.text import PLAIN_TEXT_PATTERN, check_plain, check_unicode

EMAIL_MAX_LENGTH = 320
EMAIL_LOCAL_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
NAME_MAX_LENGTH = 200
REFRESH_TOKEN_MAX_LENGTH = 256

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Dot-atom local part and a host name of at least two labels: what real mailboxes use, without
# quoted local parts, IP literals or comments (which sign-up forms never need).
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+", re.ASCII)
# The same rule for the OpenAPI document (the lengths are in the description).
EMAIL_PATTERN = f"^{_EMAIL.pattern}$"


class UserStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


def normalise_email(value: str) -> str:
    """Trim and lower-case an e-mail address; raises ValueError when it is not one."""
    text = value.strip()
    if len(text) > EMAIL_MAX_LENGTH:
        raise ValueError(f"must be at most {EMAIL_MAX_LENGTH} characters")
    if not _EMAIL.fullmatch(text):
        raise ValueError("must be an e-mail address such as ada@example.com")
    if len(text.partition("@")[0]) > EMAIL_LOCAL_MAX_LENGTH:
        raise ValueError(f"the part before @ must be at most {EMAIL_LOCAL_MAX_LENGTH} characters")
    return text.lower()


def check_password(value: str) -> str:
    """The password policy; raises ValueError naming the rule that is broken."""
    check_unicode(value)
    if not PASSWORD_MIN_LENGTH <= len(value) <= PASSWORD_MAX_LENGTH:
        raise ValueError(f"must be {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters long")
    return value


def check_name(value: str) -> str:
    """A display name: trimmed, at most 200 characters of valid text, no control characters."""
    name: str = check_plain(value).strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"must be at most {NAME_MAX_LENGTH} characters")
    return name


Email = Annotated[
    str,
    Field(
        max_length=EMAIL_MAX_LENGTH,
        json_schema_extra={
            "format": "email",
            "pattern": EMAIL_PATTERN,
            "description": f"A dot-atom e-mail address: at most {EMAIL_LOCAL_MAX_LENGTH} "
            f"characters before the @ and {EMAIL_MAX_LENGTH} in all; compared case-insensitively.",
        },
    ),
    AfterValidator(normalise_email),
]
NewPassword = Annotated[
    str,
    Field(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        examples=["correct-horse-battery"],
    ),
    AfterValidator(check_unicode),
]
# A login never applies the policy (it may have changed since the password was set); the bound
# only keeps hashing work and request sizes sane.
GivenPassword = Annotated[
    str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH), AfterValidator(check_unicode)
]
Name = Annotated[
    str,
    Field(
        max_length=NAME_MAX_LENGTH,
        examples=["Ada Lovelace"],
        json_schema_extra={"pattern": PLAIN_TEXT_PATTERN},
    ),
    AfterValidator(check_name),
]
RefreshTokenText = Annotated[
    str, Field(min_length=1, max_length=REFRESH_TOKEN_MAX_LENGTH), AfterValidator(check_unicode)
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Input):
    email: Email
    password: NewPassword
    name: Name = ""


class LoginRequest(_Input):
    email: Email
    password: GivenPassword


class RefreshRequest(_Input):
    refresh_token: RefreshTokenText


class LogoutRequest(_Input):
    refresh_token: RefreshTokenText | None = None


class ChangePasswordRequest(_Input):
    current_password: GivenPassword
    new_password: NewPassword


class UserRead(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    name: str
    status: UserStatus
    roles: list[str]
    is_platform_operator: bool = False
    created_at: datetime
    last_login_at: datetime | None


class UserSummary(BaseModel):
    """What others may see of a user (an author's byline): no email, no roles."""

    id: uuid.UUID
    name: str


class AuthTokens(BaseModel):
    """What register, login and refresh answer: a token pair and the user it belongs to."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int
    """Seconds until the access token expires."""
    user: UserRead


class SessionRead(BaseModel):
    id: uuid.UUID
    ip_address: str | None
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool
    """True for the session the request was made with."""


class RevokedSessions(BaseModel):
    revoked: int
