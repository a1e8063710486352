"""The auth module's descriptor."""

from __future__ import annotations

from rustok.auth.handlers import session_cache_invalidation
from rustok.core.modules import ModuleDescriptor

MODULE = ModuleDescriptor(
    slug="auth",
    name="Auth",
    version="1.0.0",
    description="Users, argon2id passwords, sessions, JWT access and rotating refresh tokens.",
    dependencies=("tenancy", "rbac"),
    models=("rustok.auth.models",),
    events=("rustok.auth.events",),
    rest="rustok.auth.rest:router",
    graphql_part="rustok.auth.graphql:GRAPHQL",
    core=True,
    handlers=(session_cache_invalidation,),
)
