"""The rate-limit policy: route classes, keying by IP and user, registration, tenants, logins."""

from __future__ import annotations

from typing import Any

import pytest

from rustok.core.errors import RateLimited
from rustok.core.settings import Settings
from rustok.stores.limiter import RateLimiter
from rustok.stores.memory import MemoryStores

TENANT = "7f3b1c2e-0000-4000-8000-000000000001"


def limiter(**overrides: Any) -> RateLimiter:
    return RateLimiter(Settings(**overrides), MemoryStores().rate_limits)


async def test_anonymous_requests_share_the_default_budget_of_their_ip() -> None:
    rate = limiter(rate_limit_default="100/60")

    decisions = [
        await rate.check_request("/api/health", "10.0.0.1", None, None) for _ in range(101)
    ]
    other_ip = await rate.check_request("/api/health", "10.0.0.2", None, None)

    assert [d.allowed for d in decisions] == [True] * 100 + [False]
    assert decisions[0].limit == 100
    assert decisions[0].remaining == 99
    assert decisions[-1].route_class == "default"
    assert decisions[-1].retry_after_seconds == 60
    assert other_ip.allowed is True


async def test_auth_paths_have_their_own_smaller_budget() -> None:
    rate = limiter(rate_limit_default="100/60", rate_limit_auth="3/60")

    auth = [await rate.check_request("/api/auth/me", "10.0.0.1", None, None) for _ in range(4)]
    elsewhere = await rate.check_request("/api/tenant", "10.0.0.1", None, None)

    assert [d.allowed for d in auth] == [True, True, True, False]
    assert {d.route_class for d in auth} == {"auth"}
    assert auth[0].limit == 3
    assert elsewhere.allowed is True
    assert elsewhere.route_class == "default"
    assert rate.route_budget("/api/auth").name == "auth"
    assert rate.route_budget("/api/authors").name == "default"


async def test_authenticated_callers_spend_the_budget_of_their_ip_and_of_their_user() -> None:
    rate = limiter(rate_limit_default="2/60")

    alice = [await rate.check_request("/api/x", "10.0.0.1", "alice", None) for _ in range(2)]
    bob_same_ip = await rate.check_request("/api/x", "10.0.0.1", "bob", None)
    anonymous_same_ip = await rate.check_request("/api/x", "10.0.0.1", None, None)
    alice_elsewhere = await rate.check_request("/api/x", "192.0.2.9", "alice", None)
    carol_elsewhere = await rate.check_request("/api/x", "192.0.2.9", "carol", None)

    assert [d.allowed for d in alice] == [True, True]
    # Another account from the same address gets no fresh budget.
    assert (bob_same_ip.allowed, anonymous_same_ip.allowed) == (False, False)
    # Nor does the same account from another address.
    assert alice_elsewhere.allowed is False
    assert carol_elsewhere.allowed is True
    assert carol_elsewhere.remaining == 0  # alice's refused attempt spent the address's slot


async def test_sign_ups_spend_the_registration_budget_of_their_ip() -> None:
    rate = limiter(rate_limit_register="2/3600")

    sign_ups = [
        await rate.check_request("/api/auth/register", "10.0.0.1", None, None, method="POST")
        for _ in range(3)
    ]
    other_auth_path = await rate.check_request(
        "/api/auth/login", "10.0.0.1", None, None, method="POST"
    )
    other_ip = await rate.check_request("/api/auth/register", "10.0.0.2", None, None, method="POST")

    assert [d.allowed for d in sign_ups] == [True, True, False]
    assert (sign_ups[-1].route_class, sign_ups[-1].limit) == ("register", 2)
    assert sign_ups[-1].retry_after_seconds == 3600
    assert other_auth_path.allowed is True
    assert other_ip.allowed is True


async def test_every_request_of_a_tenant_spends_the_tenant_budget() -> None:
    rate = limiter(rate_limit_default="1/60", rate_limit_auth="1/60", rate_limit_tenant="5/60")

    decisions = [await rate.check_request("/api/x", f"10.0.0.{n}", None, TENANT) for n in range(6)]
    other_tenant = await rate.check_request("/api/x", "10.0.0.10", None, "another-tenant")
    no_tenant = await rate.check_request("/api/health", "10.0.0.11", None, None)

    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[-1].route_class == "tenant"
    assert decisions[-1].limit == 5
    assert other_tenant.allowed is True
    assert no_tenant.allowed is True


async def test_a_caller_refused_by_its_own_budget_does_not_drain_the_tenant() -> None:
    rate = limiter(rate_limit_default="2/60", rate_limit_auth="1/60", rate_limit_tenant="6/60")

    hammering = [await rate.check_request("/api/x", "10.0.0.1", None, TENANT) for _ in range(10)]
    others = [
        await rate.check_request("/api/x", f"10.0.0.{n}", None, TENANT) for n in (2, 2, 3, 3, 4)
    ]

    assert sum(d.allowed for d in hammering) == 2
    assert {d.route_class for d in hammering if not d.allowed} == {"default"}
    # The tenant's 3rd to 6th requests: only 2 were ever spent by the hammering client.
    assert [d.allowed for d in others] == [True, True, True, True, False]
    assert others[-1].route_class == "tenant"


async def test_the_budget_closest_to_running_out_is_reported() -> None:
    rate = limiter(rate_limit_default="5/60", rate_limit_auth="1/60", rate_limit_tenant="12/60")

    fresh = await rate.check_request("/api/x", "10.0.0.1", None, TENANT)
    for n in range(4):
        for _ in range(2):
            await rate.check_request("/api/x", f"10.0.1.{n}", None, TENANT)
    after_others = await rate.check_request("/api/x", "10.0.0.1", None, TENANT)

    assert (fresh.limit, fresh.remaining, fresh.route_class) == (5, 4, "default")
    assert (after_others.limit, after_others.remaining, after_others.route_class) == (
        12,
        2,
        "tenant",
    )


async def test_of_two_budgets_with_as_many_requests_left_the_callers_is_reported() -> None:
    rate = limiter(rate_limit_default="10/60", rate_limit_auth="10/60", rate_limit_tenant="40/60")
    for other in range(30):  # other clients leave the tenant as many requests as the caller
        await rate.check_request("/api/x", f"10.0.1.{other}", None, TENANT)

    decision = await rate.check_request("/api/x", "10.0.0.1", None, TENANT)

    assert (decision.limit, decision.remaining, decision.route_class) == (10, 9, "default")


async def test_login_attempts_are_limited_per_ip_and_email() -> None:
    rate = limiter(rate_limit_login="5/60")

    for _ in range(5):
        await rate.hit_login("10.0.0.1", "Ann@Example.com")
    with pytest.raises(RateLimited) as refused:
        await rate.hit_login("10.0.0.1", "ann@example.com ")

    assert refused.value.code == "RATE_LIMITED"
    assert refused.value.retry_after_seconds == 60
    assert refused.value.message == "Too many login attempts; try again in 60 seconds."
    await rate.hit_login("10.0.0.2", "ann@example.com")
    await rate.hit_login("10.0.0.1", "bob@example.com")


async def test_disabled_limiting_never_refuses_a_login() -> None:
    rate = limiter(rate_limit_enabled=False, rate_limit_login="1/60")

    for _ in range(10):
        await rate.hit_login("10.0.0.1", "ann@example.com")

    assert rate.enabled is False
