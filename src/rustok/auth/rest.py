"""REST of the auth module: sign-up, login, token refresh, logout, sessions and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

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
)
from rustok.core.principal import Principal
from rustok.web.access import ContainerDep, TenantDep, authenticated, public

router = APIRouter(prefix="/auth")

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


@router.post(
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


@router.post(
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


@router.post(
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


@router.post("/logout", status_code=204, response_class=Response, summary="End the current session")
async def logout(
    container: ContainerDep, principal: Caller, body: LogoutRequest | None = None
) -> Response:
    await container.auth.logout(
        principal, refresh_token=body.refresh_token if body is not None else None
    )
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, summary="The logged-in user")
async def me(container: ContainerDep, principal: Caller) -> UserRead:
    return await container.auth.me(principal)


@router.get(
    "/sessions", response_model=list[SessionRead], summary="The logged-in user's live sessions"
)
async def list_sessions(container: ContainerDep, principal: Caller) -> list[SessionRead]:
    return await container.auth.list_sessions(principal)


@router.post(
    "/sessions/revoke-all",
    response_model=RevokedSessions,
    summary="End every session of the logged-in user but the current one",
)
async def revoke_all_sessions(container: ContainerDep, principal: Caller) -> RevokedSessions:
    return await container.auth.revoke_all_sessions(principal)


@router.post(
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
