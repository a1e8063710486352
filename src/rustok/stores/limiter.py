"""The rate-limit policy: which budgets a request spends, keyed by whom.

Budgets (each `N/SECONDS`, a sliding window, from settings):

- route class: `auth` for `/api/auth/...` (`rate_limit_auth`), `default` for everything else
  (`rate_limit_default`); keyed by the user id when the caller is authenticated, else by the
  client IP, so users behind one NAT do not share a budget once logged in;
- tenant: `rate_limit_tenant`, spent by every request of a tenant, whoever sends it;
- login: `rate_limit_login`, spent by each login attempt, keyed by client IP and email.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustok.core.errors import RateLimited
from rustok.core.settings import RateLimit
from rustok.stores.base import RateLimitDecision

if TYPE_CHECKING:
    from rustok.core.settings import Settings
    from rustok.stores.base import RateLimitStore

AUTH_PREFIX = "/api/auth/"
_KEY_PREFIX = "rustok:rl:"


@dataclass(frozen=True, slots=True)
class Budget:
    """One named limit; `name` is the `route_class` label of the rejection metric."""

    name: str
    limit: RateLimit


@dataclass(frozen=True, slots=True)
class RequestDecision(RateLimitDecision):
    """The answer for one request: the binding budget's numbers and the budget's name."""

    route_class: str

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds to wait, at least 1, as `Retry-After` and `RateLimit-Reset` carry."""
        return max(1, math.ceil(self.reset_after_seconds))


class RateLimiter:
    def __init__(self, settings: Settings, store: RateLimitStore) -> None:
        self._enabled = settings.rate_limit_enabled
        self._store = store
        self._default = Budget("default", RateLimit.parse(settings.rate_limit_default))
        self._auth = Budget("auth", RateLimit.parse(settings.rate_limit_auth))
        self._tenant = Budget("tenant", RateLimit.parse(settings.rate_limit_tenant))
        self._login = Budget("login", RateLimit.parse(settings.rate_limit_login))

    @property
    def enabled(self) -> bool:
        return self._enabled

    def route_budget(self, path: str) -> Budget:
        """The route class a path belongs to."""
        if path.startswith(AUTH_PREFIX) or path == AUTH_PREFIX.rstrip("/"):
            return self._auth
        return self._default

    async def check_request(
        self, path: str, client_ip: str, user_id: str | None, tenant_id: str | None
    ) -> RequestDecision:
        """Spend one request from the caller's route-class budget and the tenant's budget.

        The caller's own budget is spent first and a refusal there stops: a client hammering
        the API must not drain the budget its whole tenant shares. When the tenant budget
        refuses, the caller's slot is already spent (the stores have no multi-key atomic hit);
        that only happens while the entire tenant is over its budget anyway.

        Of two allowed answers, the one with fewer requests remaining is reported, so the
        headers describe the limit the caller will run into first.
        """
        budget = self.route_budget(path)
        caller = f"user:{user_id}" if user_id is not None else f"ip:{client_ip}"
        decision = await self._hit(budget, f"{budget.name}:{caller}")
        if not decision.allowed or tenant_id is None:
            return decision
        tenant_decision = await self._hit(self._tenant, f"tenant:{tenant_id}")
        if not tenant_decision.allowed or tenant_decision.remaining < decision.remaining:
            return tenant_decision
        return decision

    async def hit_login(self, ip: str, email: str) -> None:
        """Count one login attempt for this IP and email; raise `RateLimited` past the limit.

        Does nothing when rate limiting is disabled. A store outage raises `Unavailable`
        (logins fail closed rather than lose brute-force protection).
        """
        if not self._enabled:
            return
        # Hashed so that keys are bounded in size and the store never holds email addresses.
        subject = hashlib.sha256(f"{ip}\x00{email.strip().lower()}".encode()).hexdigest()[:32]
        decision = await self._hit(self._login, f"login:{subject}")
        if not decision.allowed:
            wait = decision.retry_after_seconds
            raise RateLimited(
                f"Too many login attempts; try again in {wait} seconds.",
                retry_after_seconds=wait,
            )

    async def _hit(self, budget: Budget, key: str) -> RequestDecision:
        limit = budget.limit
        decision = await self._store.hit(_KEY_PREFIX + key, limit.requests, limit.window_seconds)
        return RequestDecision(
            allowed=decision.allowed,
            limit=decision.limit,
            remaining=decision.remaining,
            reset_after_seconds=decision.reset_after_seconds,
            route_class=budget.name,
        )
