"""The demo seed adds a few generated images once, with English and German alt texts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.cli.seed import seed_demo
from rustok.media.demo import DEMO_IMAGES
from tests.media.conftest import media_events, media_rows, stored_files

if TYPE_CHECKING:
    from pathlib import Path

    from rustok.bootstrap import Container


async def test_the_demo_images_are_seeded_once(container: Container, media_root: Path) -> None:
    await seed_demo(container)
    await seed_demo(container)

    assert await media_rows(container) == (len(DEMO_IMAGES), 2 * len(DEMO_IMAGES))
    assert len(stored_files(media_root)) == len(DEMO_IMAGES)
    assert (await media_events(container)).count("content.media.uploaded") == len(DEMO_IMAGES)
