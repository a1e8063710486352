"""The dead-letter queue over HTTP: list, show, replay, discard; walled per tenant."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from rustok.events.dlq import DeadLetterFilter
from rustok.testing.app import client_for
from rustok.testing.events import drain
from rustok.testing.factories import auth_headers, make_tenant, user_token
from tests.events.probe import ThingHappened, new_thing

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.events.probe import Probe


@pytest.fixture
async def http(spine: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(spine) as client:
        yield client


async def _dead_letter_for(spine: Container, probe: Probe, tenant: TenantDetail) -> str:
    probe.fail_permanently = True
    async with spine.uow.platform() as uow:
        uow.emit(ThingHappened(thing=new_thing(), n=1, label="x"), tenant_id=tenant.id)
        await uow.commit()
    await drain(spine)
    probe.fail_permanently = False
    items, _ = await spine.events.dead_letters.list(DeadLetterFilter(tenant_id=tenant.id))
    return str(items[0].id)


async def test_an_admin_lists_replays_and_discards_dead_letters(
    spine: Container, http: httpx.AsyncClient, probe: Probe
) -> None:
    tenant = await make_tenant(spine, slug="acme")
    headers = auth_headers(
        tenant, await user_token(http, spine, tenant, email="a@acme.test", roles=["admin"])
    )
    first = await _dead_letter_for(spine, probe, tenant)
    second = await _dead_letter_for(spine, probe, tenant)

    listed = await http.get("/api/admin/events/dlq", headers=headers)
    shown = await http.get(f"/api/admin/events/dlq/{first}", headers=headers)
    replayed = await http.post(f"/api/admin/events/dlq/{first}/replay", headers=headers)
    again = await http.post(f"/api/admin/events/dlq/{first}/replay", headers=headers)
    discarded = await http.post(f"/api/admin/events/dlq/{second}/discard", headers=headers)
    open_after = await http.get("/api/admin/events/dlq?status=open", headers=headers)

    assert listed.status_code == 200
    assert listed.json()["total"] == 2
    assert {item["reason"] for item in listed.json()["items"]} == {"permanent_error"}
    assert shown.json()["envelope"]["event_type"] == "probe.thing.happened"
    assert shown.json()["consumer"] == "probe.recorder"
    assert shown.json()["error_class"] == "PermanentError"
    assert shown.json()["error_message"] == "the thing is invalid"
    assert "traceback" not in shown.json()
    assert all("traceback" not in item for item in listed.json()["items"])
    assert replayed.status_code == 200
    assert replayed.json()["status"] == "replayed"
    assert len(probe.handled) == 1  # the replay ran the consumer once
    assert again.status_code == 409
    assert again.json()["code"] == "DEAD_LETTER_CLOSED"
    assert discarded.json()["status"] == "discarded"
    assert open_after.json()["total"] == 0


async def test_a_replay_that_fails_again_keeps_the_letter_open(
    spine: Container, http: httpx.AsyncClient, probe: Probe
) -> None:
    tenant = await make_tenant(spine, slug="acme")
    headers = auth_headers(
        tenant, await user_token(http, spine, tenant, email="a@acme.test", roles=["admin"])
    )
    letter = await _dead_letter_for(spine, probe, tenant)
    probe.fail_permanently = True

    response = await http.post(f"/api/admin/events/dlq/{letter}/replay", headers=headers)
    shown = await http.get(f"/api/admin/events/dlq/{letter}", headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "REPLAY_FAILED"
    assert shown.json()["status"] == "open"
    assert shown.json()["attempts"] == 2


async def test_dead_letters_of_another_tenant_are_invisible(
    spine: Container, http: httpx.AsyncClient, probe: Probe
) -> None:
    acme = await make_tenant(spine, slug="acme")
    globex = await make_tenant(spine, slug="globex")
    acme_admin = auth_headers(
        acme, await user_token(http, spine, acme, email="a@acme.test", roles=["admin"])
    )
    foreign = await _dead_letter_for(spine, probe, globex)

    listed = await http.get("/api/admin/events/dlq", headers=acme_admin)
    shown = await http.get(f"/api/admin/events/dlq/{foreign}", headers=acme_admin)
    replayed = await http.post(f"/api/admin/events/dlq/{foreign}/replay", headers=acme_admin)
    discarded = await http.post(f"/api/admin/events/dlq/{foreign}/discard", headers=acme_admin)

    assert listed.json()["total"] == 0
    assert [shown.status_code, replayed.status_code, discarded.status_code] == [404, 404, 404]
    assert len(probe.handled) == 0


@pytest.mark.parametrize("role", ["manager", "customer"])
async def test_only_admins_see_dead_letters(
    spine: Container, http: httpx.AsyncClient, role: str
) -> None:
    tenant = await make_tenant(spine, slug="acme")
    headers = auth_headers(
        tenant, await user_token(http, spine, tenant, email=f"{role}@acme.test", roles=[role])
    )

    listed = await http.get("/api/admin/events/dlq", headers=headers)
    replay = await http.post(f"/api/admin/events/dlq/{uuid.uuid4()}/replay", headers=headers)

    assert listed.status_code == 403
    assert replay.status_code == 403
