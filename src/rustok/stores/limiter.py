"""The rate-limit policy: which budgets a request spends, keyed by whom.

Budgets (each `N/SECONDS`, a sliding window, from settings):

- route class: `auth` for `/api/auth/...` (`rate_limit_auth`), `default` for everything else
  (`rate_limit_default`); always keyed by the client IP, and for an authenticated caller also
  by the user id: accounts anyone can sign up for must not multiply one address's budget, and
  one account must not escape its budget by spreading over many addresses;
- registration: `rate_limit_register`, spent by each sign-up, keyed by client IP;
- tenant: `rate_limit_tenant`, spent by every request of a tenant, whoever sends it;
- login: `rate_limit_login`, spent by each login attempt, keyed by client IP and email.

Settings refuse a tenant budget that the per-IP budgets of one address could drain (see
`Settings`), so one client alone never locks a tenant's other callers out (ADR 0003).
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
REGISTER_PATH = "/api/auth/register"
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
        self._register = Budget("register", RateLimit.parse(settings.rate_limit_register))

    @property
    def enabled(self) -> bool:
        return self._enabled

    def route_budget(self, path: str) -> Budget:
        """The route class a path belongs to."""
        if path.startswith(AUTH_PREFIX) or path == AUTH_PREFIX.rstrip("/"):
            return self._auth
        return self._default

    async def check_request(
        self,
        path: str,
        client_ip: str,
        user_id: str | None,
        tenant_id: str | None,
        *,
        method: str = "GET",
    ) -> RequestDecision:
        """Spend one request from each budget the request falls under, the caller's first.

        Order: the route class by IP (always), by user (when authenticated), registration by
        IP (sign-ups only), then the tenant, in one call to the store (one round trip to
        Redis). The first refusal stops, so a client refused by its own budgets spends
        nothing of the budget its whole tenant shares. A later refusal leaves the earlier
        slots spent; for the tenant budget that only happens while the entire tenant is over
        it anyway.

        Of the allowed answers, the one with the fewest requests remaining is reported, so
        the headers describe the limit the caller will run into first.
        """
        budget = self.route_budget(path)
        hits = [(budget, f"{budget.name}:ip:{client_ip}")]
        if user_id is not None:
            hits.append((budget, f"{budget.name}:user:{user_id}"))
        if method == "POST" and path == REGISTER_PATH:
            hits.append((self._register, f"register:ip:{client_ip}"))
        if tenant_id is not None:
            hits.append((self._tenant, f"tenant:{tenant_id}"))
        decisions = await self._store.hit_each(
            [
                (_KEY_PREFIX + key, spent.limit.requests, spent.limit.window_seconds)
                for spent, key in hits
            ]
        )
        tightest: RequestDecision | None = None
        for (spent, _), decision in zip(hits, decisions, strict=False):
            answer = _decision(spent, decision)
            if not answer.allowed:
                return answer
            if tightest is None or answer.remaining < tightest.remaining:
                tightest = answer
        assert tightest is not None  # the route class is always spent
        return tightest

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
        return _decision(budget, decision)


def _decision(budget: Budget, decision: RateLimitDecision) -> RequestDecision:
    return RequestDecision(
        allowed=decision.allowed,
        limit=decision.limit,
        remaining=decision.remaining,
        reset_after_seconds=decision.reset_after_seconds,
        route_class=budget.name,
    )
