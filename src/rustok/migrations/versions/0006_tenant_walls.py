"""tenant walls: row-level security on every tenant-owned table, an application role

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:30:00

On PostgreSQL every table with a `tenant_id` gets a policy that shows and accepts only rows of
the transaction's tenant (`rustok.tenant_id`, set by the unit of work) or, for the platform's
cross-tenant work, everything (`rustok.platform`). The application works as `rustok_app`,
which owns no table (owners and superusers pass every policy). SQLite has neither; there the
ORM's automatic tenant criterion holds the wall.
"""

from collections.abc import Sequence

from alembic import op

from rustok.core.walls import create_app_role, disable_tenant_wall, enable_tenant_wall

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "tenant_locales",
    "tenant_modules",
    "users",
    "sessions",
    "refresh_tokens",
    "roles",
    "role_permissions",
    "user_roles",
)
# Infrastructure rows: events of the platform itself carry no tenant.
SHARED_TABLES = ("event_dlq",)
# `sys_events` (the outbox) has no policy on purpose: only the platform reads it (the relay and
# the dispatcher, across tenants); no tenant-facing query touches it; and a policy made the
# relay's one-statement claim three times slower (measured: 13.7k -> 4.2k events/s). Rows are
# written by units of work with the tenant their code names (ADR 0006).
# Every tenant-owned table now indexes tenant_id (the TenantOwned mixin); these had none.
NEWLY_INDEXED = ("sessions", "refresh_tokens", "role_permissions", "user_roles")


def upgrade() -> None:
    for table in NEWLY_INDEXED:
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
    create_app_role()
    for table in TENANT_TABLES:
        enable_tenant_wall(table)
    for table in SHARED_TABLES:
        enable_tenant_wall(table, shared_rows=True)


def downgrade() -> None:
    for table in (*TENANT_TABLES, *SHARED_TABLES):
        disable_tenant_wall(table)
    for table in NEWLY_INDEXED:
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)
