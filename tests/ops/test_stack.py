"""`rustok stack`: two APIs, a relay and a dispatcher as real processes from one command, on
a fresh PostgreSQL database, a NATS stream of their own and a leased Redis database; a real
Prometheus scrapes all four; SIGTERM stops every one of them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import yaml

from rustok.testing.services import nats_url, need, postgres_url, redis_url, services_required
from tests.cli.running import cli_environment, empty_postgres_database, run_rustok, rustok_command
from tests.e2e.test_serve import (
    ADMIN,
    START_TIMEOUT_SECONDS,
    _delete_stream,
    bearer,
    login,
    redis_database_lease,
    wait_until,
)
from tests.events.nats_server import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.nats,
    pytest.mark.xdist_group("stack"),
]

STOP_TIMEOUT_SECONDS = 30.0
PROPAGATION_TIMEOUT_SECONDS = 10.0
SCRAPE_TIMEOUT_SECONDS = 30.0
REPO = Path(__file__).resolve().parents[2]
_STARTED = re.compile(r"^stack +\| started (?P<label>\S+) pid=(?P<pid>\d+) (?P<url>\S+)$")


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    log_path: Path
    directory: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def started(self) -> dict[str, tuple[int, str]]:
        """label -> (pid, url) of each child, as the stack announced them."""
        found = (_STARTED.match(line) for line in self.log().splitlines())
        return {m["label"]: (int(m["pid"]), m["url"]) for m in found if m}

    def url(self, label: str) -> str:
        return self.started()[label][1]

    def up(self) -> bool:
        assert self.process.poll() is None, f"the stack exited early:\n{self.log()}"
        started = self.started()
        if len(started) < 4:
            return False
        try:
            return all(
                httpx.get(
                    url if label in {"relay", "dispatch"} else f"{url}/api/health/ready",
                    timeout=1.0,
                ).status_code
                == 200
                for label, (_, url) in started.items()
            )
        except httpx.TransportError:
            return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    need("PostgreSQL", postgres_url(), 5432)
    need("Redis", redis_url(), 6379)
    need("NATS", nats_url(), 4222)
    directory = tmp_path_factory.mktemp("stack")
    with ExitStack() as resources:
        database_url = resources.enter_context(empty_postgres_database(postgres_url()))
        suffix = uuid.uuid4().hex[:10]
        stream = f"RUSTOK_STACK_{suffix}"
        resources.callback(lambda: asyncio.run(_delete_stream(stream)))
        env = cli_environment(
            database_url,
            redis_url=resources.enter_context(redis_database_lease()),
            event_transport="nats",
            nats_url=nats_url(),
            nats_stream=stream,
            nats_subject_prefix=f"stack{suffix}.events",
        )
        for command in (("db", "migrate"), ("seed", "--demo")):
            result = run_rustok(*command, env=env, cwd=directory)
            assert result.code == 0, result
        log_path = directory / "stack.log"
        api_ports = ["--api-port", str(free_port()), "--api-port", str(free_port())]
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                # API ports given, worker metrics ports left to the stack to pick.
                [*rustok_command(), "stack", *api_ports],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=directory,
            )
        running = RunningStack(process, log_path, directory)
        resources.callback(_stop, process)
        wait_until(
            running.up,
            timeout=START_TIMEOUT_SECONDS,
            interval=0.2,
            message=f"the stack was not up in {START_TIMEOUT_SECONDS}s:\n{running.log()}",
        )
        yield running


def _stop(process: subprocess.Popen[bytes]) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def test_a_write_through_one_api_is_read_through_the_other(stack: RunningStack) -> None:
    a, b = stack.url("api-1"), stack.url("api-2")
    with httpx.Client(base_url=a, timeout=10.0) as on_a, httpx.Client(base_url=b) as on_b:
        before = on_b.get("/api/tenant", headers={"X-Tenant-ID": "demo"})
        token = login(on_a, "demo", ADMIN)
        renamed = on_a.patch(
            f"/api/admin/tenants/{before.json()['id']}",
            headers=bearer(token, "demo"),
            json={"name": "Renamed on A"},
        )

        def b_sees_it() -> bool:
            response = on_b.get("/api/tenant", headers={"X-Tenant-ID": "demo"})
            return bool(response.json()["name"] == "Renamed on A")

        wait_until(
            b_sees_it,
            timeout=PROPAGATION_TIMEOUT_SECONDS,
            interval=0.1,
            message=f"api-2 still serves the old name:\n{stack.log()}",
        )

    assert (before.status_code, before.json()["name"]) == (200, "Demo Store")
    assert renamed.status_code == 200, renamed.text
    labels = {line.split("|", 1)[0].strip() for line in stack.log().splitlines() if "|" in line}
    assert labels >= {"stack", "api-1", "api-2", "relay", "dispatch"}
    # The write went through the relay, a process of its own: the event left the outbox there.
    wait_until(
        lambda: _relay_published(stack) >= 1,
        timeout=PROPAGATION_TIMEOUT_SECONDS,
        message="the relay process published nothing",
    )


def _relay_published(stack: RunningStack) -> float:
    text = httpx.get(stack.url("relay"), timeout=5.0).text
    published = re.search(r"^rustok_outbox_published_total (\S+)$", text, re.MULTILINE)
    return float(published[1]) if published else 0.0


def _prometheus_config(stack: RunningStack, path: Path) -> None:
    """The shipped scrape config, pointed at the stack's ports and scraping every second."""
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    hosts = {label: url.split("//", 1)[1].split("/", 1)[0] for label, url in _urls(stack)}
    targets = {
        "rustok-api": [hosts["api-1"], hosts["api-2"]],
        "rustok-relay": [hosts["relay"]],
        "rustok-dispatch": [hosts["dispatch"]],
    }
    config["global"] |= {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(REPO / "deploy/prometheus" / name) for name in config["rule_files"]]
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": targets[job["job_name"]]}]
    path.write_text(yaml.safe_dump(config))


def _urls(stack: RunningStack) -> list[tuple[str, str]]:
    return [(label, url) for label, (_, url) in stack.started().items()]


def test_prometheus_scrapes_every_process_of_the_stack(stack: RunningStack) -> None:
    binary = shutil.which("prometheus")
    if binary is None:
        if services_required():
            pytest.fail("the prometheus binary is missing and RUSTOK_REQUIRE_SERVICES=1")
        pytest.skip("the prometheus binary is missing (Debian: apt-get install prometheus)")
    config = stack.directory / "prometheus.yml"
    _prometheus_config(stack, config)
    port = free_port()
    log_path = stack.directory / "prometheus.log"
    with log_path.open("wb") as log_file:
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={stack.directory / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HOME": str(stack.directory)},
        )
    health: dict[str, str] = {}

    def every_target_up() -> bool:
        assert prometheus.poll() is None, log_path.read_text()
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/api/v1/targets", timeout=1.0)
        except httpx.TransportError:
            return False
        if response.status_code != 200:  # 503 "Service Unavailable" while it starts up
            return False
        targets = response.json()["data"]["activeTargets"]
        health.clear()
        health.update({target["scrapeUrl"]: target["health"] for target in targets})
        return len(health) == 4 and set(health.values()) == {"up"}

    try:
        wait_until(
            every_target_up,
            timeout=SCRAPE_TIMEOUT_SECONDS,
            interval=0.2,
            message="not every target is up",
        )
        rules = httpx.get(f"http://127.0.0.1:{port}/api/v1/rules", timeout=5.0).json()
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=STOP_TIMEOUT_SECONDS)

    assert sorted(health.values()) == ["up"] * 4, health
    assert rules["data"]["groups"], "the shipped alert rules were not loaded"


def test_sigterm_stops_every_process_of_the_stack(stack: RunningStack) -> None:
    children = stack.started()

    code = _stop(stack.process)

    log = stack.log()
    assert code == 0, log
    assert log.rstrip().endswith("stopped"), log
    for label, (pid, _) in children.items():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, not merely orphaned
        assert label in log
