"""The tenant walls in PostgreSQL: the role the application works as and the row-level security
policy of every tenant-owned table. Migrations call these; a module that adds a tenant-owned
table calls `enable_tenant_wall` in its migration (a schema test fails when one has no policy).
"""

from __future__ import annotations

from alembic import op

APP_ROLE = "rustok_app"
"""Owns no table, so the policies hold for it (owners and superusers pass them)."""

POLICY = "tenant_wall"

_SAME_TENANT = "tenant_id = nullif(current_setting('rustok.tenant_id', true), '')::uuid"
_PLATFORM = "current_setting('rustok.platform', true) = 'on'"


def _on_postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def create_app_role() -> None:
    """The application's role (NOLOGIN: log in as a member of it), with the rights it needs on
    every table of the schema, now and later."""
    if not _on_postgresql():
        return
    # Roles are per server and tests create databases side by side: creating it twice is fine.
    op.execute(
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
    )


def enable_tenant_wall(table: str, *, shared_rows: bool = False) -> None:
    """Rows of `table` are visible and writable only to a transaction of their tenant, or of
    the platform (the bypass). `shared_rows`: rows without a tenant are visible to all."""
    if not _on_postgresql():
        return
    condition = f"{_PLATFORM} OR {_SAME_TENANT}"
    if shared_rows:
        condition += " OR tenant_id IS NULL"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition})")


def disable_tenant_wall(table: str) -> None:
    if not _on_postgresql():
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
