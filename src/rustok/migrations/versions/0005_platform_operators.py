"""platform operators: tenant management leaves tenant roles

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:00:00

Managing tenants was the `tenants:*` permission of a `super_admin` role installed in every
tenant, and any tenant admin could give itself that role. Platform authority is now a flag on
a user that only the CLI sets (`rustok operator grant`). This migration:

- adds `users.is_platform_operator` (false for everyone);
- gives each holder of `super_admin` the tenant's `admin` role instead (they keep every power
  inside their tenant) and deletes the `super_admin` roles;
- deletes every `tenants:*` grant from custom roles.

It does not make anyone an operator: through the hole it closes, any tenant admin could have
made itself `super_admin`, so holding it proves nothing. It logs each former holder; the
platform's owner re-grants the true operators with `rustok operator grant`.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rustok.core.ids import new_id

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("rustok.migrations")

_tenants = sa.table("tenants", sa.column("id", sa.Uuid()), sa.column("slug", sa.String()))
_users = sa.table(
    "users",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("email", sa.String()),
)
_roles = sa.table(
    "roles", sa.column("id", sa.Uuid()), sa.column("tenant_id", sa.Uuid()), sa.column("slug")
)
_user_roles = sa.table(
    "user_roles",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("role_id", sa.Uuid()),
)
_role_permissions = sa.table(
    "role_permissions", sa.column("role_id", sa.Uuid()), sa.column("resource", sa.String())
)


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch copy: on SQLite a batch drops and recreates `users`,
    # and dropping it cascades to every row that references a user (roles, sessions).
    op.add_column(
        "users",
        sa.Column("is_platform_operator", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    bind = op.get_bind()
    super_ids = list(bind.scalars(sa.select(_roles.c.id).where(_roles.c.slug == "super_admin")))
    admin_of = dict(
        bind.execute(
            sa.select(_roles.c.tenant_id, _roles.c.id).where(_roles.c.slug == "admin")
        ).all()
    )
    holders = bind.execute(
        sa.select(_user_roles.c.tenant_id, _user_roles.c.user_id, _users.c.email, _tenants.c.slug)
        .join(_users, _users.c.id == _user_roles.c.user_id)
        .join(_tenants, _tenants.c.id == _user_roles.c.tenant_id)
        .where(_user_roles.c.role_id.in_(super_ids))
    ).all()
    admins = set(
        bind.execute(
            sa.select(_user_roles.c.user_id, _user_roles.c.role_id).where(
                _user_roles.c.role_id.in_(list(admin_of.values()))
            )
        ).all()
    )
    for tenant_id, user_id, email, slug in holders:
        admin_id = admin_of.get(tenant_id)
        if admin_id is not None and (user_id, admin_id) not in admins:
            bind.execute(
                _user_roles.insert().values(
                    id=new_id(), tenant_id=tenant_id, user_id=user_id, role_id=admin_id
                )
            )
        log.warning(
            "former super_admin %s of tenant %s is now its admin, not a platform operator; "
            "if it should be one: rustok operator grant --tenant %s --email %s",
            email,
            slug,
            slug,
            email,
        )
    bind.execute(_user_roles.delete().where(_user_roles.c.role_id.in_(super_ids)))
    bind.execute(_role_permissions.delete().where(_role_permissions.c.role_id.in_(super_ids)))
    bind.execute(_roles.delete().where(_roles.c.id.in_(super_ids)))
    bind.execute(_role_permissions.delete().where(_role_permissions.c.resource == "tenants"))


def downgrade() -> None:
    # The super_admin roles are not recreated: `rustok db migrate` on the older code would
    # install them for new tenants only. Operators lose their flag.
    # Native DROP COLUMN (SQLite 3.35+): no table copy, so nothing cascades.
    op.execute("ALTER TABLE users DROP COLUMN is_platform_operator")
