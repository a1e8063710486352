"""The auth module's descriptor."""

from __future__ import annotations

from rustok.auth.graphql import GRAPHQL
from rustok.auth.rest import router
from rustok.core.modules import ModuleDescriptor

MODULE = ModuleDescriptor(
    slug="auth",
    name="Auth",
    version="1.0.0",
    description="Users, argon2id passwords, sessions, JWT access and rotating refresh tokens.",
    dependencies=("tenancy", "rbac"),
    models=("rustok.auth.models",),
    events=("rustok.auth.events",),
    routers=(router,),
    graphql=(GRAPHQL,),
    core=True,
    permissions=(),
)
