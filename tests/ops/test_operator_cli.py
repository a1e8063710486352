"""The operator's CLI: JSON output, unknown consumers refused with the known ones, each
attempt of a dead letter shown, and `/metrics` served by a worker process."""

from __future__ import annotations

import asyncio
import json
import sys

import httpx
import pytest

from rustok.core.db import write_transaction
from rustok.events.dlq import DeadLetterFilter
from rustok.events.outbox import row_envelope
from rustok.testing.app import running_container, settings_for_tests
from rustok.testing.events import outbox_rows
from rustok.testing.factories import make_tenant
from rustok.testing.services import wait_until_async
from tests.cli.running import run_rustok, run_rustok_process
from tests.cli.test_cli import env_for
from tests.events.nats_server import free_port


async def _dead_letter_after_three_attempts(database_url: str) -> str:
    # No relay runs: the events of the tenant stay pending in the outbox.
    settings = settings_for_tests(database_url, embedded_workers=False)
    async with running_container(settings) as container:
        await make_tenant(container, slug="acme")
        [row] = [
            r for r in await outbox_rows(container) if r.event_type == "tenancy.tenant.created"
        ]
        earlier = [
            (row.occurred_at, "TimeoutError: cache server away"),
            (row.occurred_at, "ConnectionError: refused"),
        ]
        async with write_transaction(container.platform_sessions) as session:
            await container.events.dead_letters.record(
                session,
                consumer="tenancy.cache_invalidation",
                envelope=row_envelope(row),
                error=TimeoutError("still away"),
                reason="max_attempts",
                attempts=3,
                history=earlier,
            )
        [item], _ = await container.events.dead_letters.list(DeadLetterFilter(status="open"))
    return str(item.id)


async def test_status_and_dead_letters_print_json(database_url: str) -> None:
    letter = await _dead_letter_after_three_attempts(database_url)
    env = env_for(database_url)

    status = await asyncio.to_thread(run_rustok, "events", "status", "--json", env=env)
    listed = await asyncio.to_thread(run_rustok, "dlq", "list", "--json", env=env)
    shown = await asyncio.to_thread(run_rustok, "dlq", "show", letter, "--json", env=env)

    assert status.code == 0, status.stderr
    assert json.loads(status.stdout)["outbox"]["pending"] >= 1
    assert json.loads(status.stdout)["consumers"]["tenancy.cache_invalidation"] == {
        "backlog": None,
        "dead_letters": 1,
    }
    assert listed.code == 0, listed.stderr
    [item] = json.loads(listed.stdout)["items"]
    assert (item["id"], item["error_class"], item["error_message"]) == (
        letter,
        "TimeoutError",
        "still away",
    )
    assert shown.code == 0, shown.stderr
    assert [attempt["error"] for attempt in json.loads(shown.stdout)["history"]] == [
        "TimeoutError: cache server away",
        "ConnectionError: refused",
        "TimeoutError: still away",
    ]


async def test_dlq_list_shows_the_error_and_show_lists_each_attempt(database_url: str) -> None:
    letter = await _dead_letter_after_three_attempts(database_url)
    env = env_for(database_url) | {"COLUMNS": "250"}

    listed = await asyncio.to_thread(run_rustok, "dlq", "list", env=env)
    shown = await asyncio.to_thread(run_rustok, "dlq", "show", letter, env=env)

    assert "TimeoutError: still away" in listed.stdout
    attempts = [line.strip() for line in shown.out_lines if line.strip().startswith("attempt ")]
    assert len(attempts) == 3
    assert attempts[0].endswith("TimeoutError: cache server away")


async def test_unknown_consumers_are_refused_with_the_known_ones(database_url: str) -> None:
    env = env_for(database_url)

    dispatch = await asyncio.to_thread(
        run_rustok_process, "worker", "dispatch", "--consumer", "no.such.consumer", env=env
    )
    replay = await asyncio.to_thread(
        run_rustok, "dlq", "replay", "--consumer", "no.such.consumer", env=env
    )

    assert dispatch.code == 2
    assert (
        dispatch.err_lines[0]
        == "error: no consumer group named 'no.such.consumer' in this deployment"
    )
    assert dispatch.err_lines[1].startswith("next: known groups:")
    assert replay.code == 2
    assert (
        replay.err_lines[0]
        == "error: no consumer group named 'no.such.consumer' in this deployment"
    )
    assert "rbac.cache_invalidation" in replay.err_lines[1]


@pytest.mark.backends("postgres")
async def test_a_worker_process_serves_metrics_read_from_the_database_when_scraped(
    database_url: str,
) -> None:
    await _dead_letter_after_three_attempts(database_url)  # and leaves its events pending
    port = free_port()
    env = env_for(database_url) | {"RUSTOK_METRICS_PORT": str(port), "RUSTOK_LOG_FORMAT": "json"}
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rustok.cli.main",
        "worker",
        "dispatch",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    scraped: list[str] = []

    async def scrape() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                scraped.append((await http.get(f"http://127.0.0.1:{port}/metrics")).text)
        except httpx.TransportError:
            return False
        return True

    try:
        await wait_until_async(scrape, timeout=30, interval=0.05)
    finally:
        worker.terminate()
        await worker.wait()

    text = scraped[-1]
    pending = next(line for line in text.splitlines() if line.startswith("rustok_outbox_pending "))
    assert float(pending.split()[1]) >= 1  # no relay runs: what the API wrote is pending
    assert 'rustok_events_dlq_depth{consumer="tenancy.cache_invalidation"} 1.0' in text
    assert 'rustok_db_pool_connections{state="in_use"}' in text
