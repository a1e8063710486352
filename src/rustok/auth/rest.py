"""REST of the auth module: sign-up, login, token refresh, logout, sessions and password
(`/api/auth/...`), and the tenant's users for its admins (`/api/admin/users`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from rustok.auth.schemas import (
    AuthTokens,
    ChangePasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    RevokedSessions,
    SessionRead,
    UserRead,
    UserStatus,
)
from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.permissions import Action
from rustok.core.principal import Principal
from rustok.rbac.permissions import USERS
from rustok.web.access import Access, ContainerDep, TenantDep, authenticated, public, require

router = APIRouter()
account = APIRouter(prefix="/auth")
admin = APIRouter(prefix="/admin")

Public = Annotated[None, public()]
Caller = Annotated[Principal, authenticated()]


def _client_ip(request: Request) -> str | None:
    # The rate-limit middleware resolves the address behind trusted proxies; login throttling
    # and session records use the same one. Without that middleware, the direct peer.
    resolved: str | None = getattr(request.state, "client_ip", None)
    if resolved is not None:
        return resolved
    return request.client.host if request.client is not None else None


def _user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


@account.post(
    "/register",
    response_model=AuthTokens,
    status_code=201,
    summary="Sign up as a customer and log in",
)
async def register(
    body: RegisterRequest,
    request: Request,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
) -> AuthTokens:
    return await container.auth.register(
        tenant_id=tenant.id,
        email=body.email,
        password=body.password,
        name=body.name,
        ip=_client_ip(request),
        user_agent=_user_agent(request),
    )


@account.post(
    "/login",
    response_model=AuthTokens,
    summary="Log in with e-mail and password",
    responses={401: {"description": "Wrong e-mail or password, or an inactive user."}},
)
async def login(
    body: LoginRequest,
    request: Request,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
) -> AuthTokens:
    ip = _client_ip(request)
    await container.rate_limiter.hit_login(ip or "unknown", body.email)
    return await container.auth.login(
        tenant_id=tenant.id,
        email=body.email,
        password=body.password,
        ip=ip,
        user_agent=_user_agent(request),
    )


@account.post(
    "/refresh",
    response_model=AuthTokens,
    summary="Trade a refresh token for new tokens",
    responses={401: {"description": "The refresh token is unknown, expired, revoked or reused."}},
)
async def refresh(
    body: RefreshRequest,
    request: Request,
    container: ContainerDep,
    tenant: TenantDep,
    _: Public,
) -> AuthTokens:
    return await container.auth.refresh(
        tenant_id=tenant.id,
        refresh_token=body.refresh_token,
        ip=_client_ip(request),
        user_agent=_user_agent(request),
    )


@account.post(
    "/logout", status_code=204, response_class=Response, summary="End the current session"
)
async def logout(
    container: ContainerDep, principal: Caller, body: LogoutRequest | None = None
) -> Response:
    await container.auth.logout(
        principal, refresh_token=body.refresh_token if body is not None else None
    )
    return Response(status_code=204)


@account.get("/me", response_model=UserRead, summary="The logged-in user")
async def me(container: ContainerDep, principal: Caller) -> UserRead:
    return await container.auth.me(principal)


@account.get(
    "/sessions", response_model=list[SessionRead], summary="The logged-in user's live sessions"
)
async def list_sessions(container: ContainerDep, principal: Caller) -> list[SessionRead]:
    return await container.auth.list_sessions(principal)


@account.post(
    "/sessions/revoke-all",
    response_model=RevokedSessions,
    summary="End every session of the logged-in user but the current one",
)
async def revoke_all_sessions(container: ContainerDep, principal: Caller) -> RevokedSessions:
    return await container.auth.revoke_all_sessions(principal)


@account.post(
    "/change-password",
    status_code=204,
    response_class=Response,
    summary="Change the password; ends every other session",
)
async def change_password(
    body: ChangePasswordRequest, container: ContainerDep, principal: Caller
) -> Response:
    await container.auth.change_password(
        principal, current_password=body.current_password, new_password=body.new_password
    )
    return Response(status_code=204)


EmailPrefix = Annotated[
    str | None,
    Query(
        alias="email",
        max_length=254,
        description="Only users whose e-mail address starts with this (case-insensitive).",
    ),
]


@admin.get("/users", response_model=CursorPage[UserRead], summary="The tenant's users")
async def list_users(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[CursorParams, Depends()],
    _: Annotated[Access, require(USERS, Action.LIST)],
    status: UserStatus | None = None,
    email: EmailPrefix = None,
) -> CursorPage[UserRead]:
    return await container.auth.list_users(
        tenant.id, after=page.after, limit=page.limit, status=status, email_prefix=email
    )


@admin.get("/users/{user_id}", response_model=UserRead, summary="One user of the tenant")
async def get_user(
    user_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[Access, require(USERS, Action.READ)],
) -> UserRead:
    return await container.auth.get_user(tenant.id, user_id)


@admin.post(
    "/users/{user_id}/deactivate",
    response_model=UserRead,
    summary="Deactivate a user: every session ends, its tokens are refused at once",
)
async def deactivate_user(
    user_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(USERS, Action.UPDATE)],
) -> UserRead:
    return await container.auth.set_user_status(
        tenant.id, user_id, UserStatus.INACTIVE, caller_id=access.principal.user_id
    )


@admin.post(
    "/users/{user_id}/activate",
    response_model=UserRead,
    summary="Reactivate a user (it logs in again)",
)
async def activate_user(
    user_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(USERS, Action.UPDATE)],
) -> UserRead:
    return await container.auth.set_user_status(
        tenant.id, user_id, UserStatus.ACTIVE, caller_id=access.principal.user_id
    )


router.include_router(account)
router.include_router(admin)
