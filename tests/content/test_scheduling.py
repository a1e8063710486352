"""Scheduled publishing runs as a periodic job wherever the relay runs: the embedded server and
`rustok worker relay`. A process that starts after publish_at has passed publishes at once."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from rustok.content.schemas import NodeCreate
from rustok.content.service import NodeService
from rustok.content.settings import ContentSettings
from rustok.core import clock
from rustok.testing.app import running_container
from rustok.testing.services import wait_until_async
from tests.content.conftest import reach

if TYPE_CHECKING:
    import pytest

    from rustok.bootstrap import Container
    from rustok.core.settings import Settings
    from rustok.tenancy.schemas import TenantDetail
    from tests.content.conftest import Db


def test_the_job_is_registered_with_the_relays_work(container: Container) -> None:
    jobs = {job.name: job for job in container.events.jobs}

    assert jobs["content-scheduled-publishing"].interval_seconds == (
        container.settings_of(ContentSettings).publish_interval_seconds
    )


async def test_a_process_started_after_publish_at_publishes_the_node_once(
    container: Container,
    settings: Settings,
    site: TenantDetail,
    db: Db,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes = container.service(NodeService)
    node = await nodes.create(
        site.id,
        NodeCreate.model_validate(
            {"kind": "article", "translations": [{"locale": "en", "title": "Later"}]}
        ),
        reach=reach(),
    )
    start = clock.utcnow()
    await nodes.schedule(site.id, node.id, start + timedelta(minutes=5), reach=reach())
    # The worker process "restarts" ten minutes later.
    monkeypatch.setattr(clock, "utcnow", lambda: start + timedelta(minutes=10))

    async with running_container(settings.model_copy(update={"embedded_workers": True})):

        async def published() -> bool:
            return "content.node.published" in await db.event_types()

        await wait_until_async(published, timeout=15)

    assert (await nodes.get(site.id, node.id)).status == "published"
    assert (await db.event_types()).count("content.node.published") == 1
    assert await nodes.publish_due() == 0
