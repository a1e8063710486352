"""Faults in handlers: transient failures, permanent failures, versions from the future.

Each ends in an exact final state: every effect once, the DLQ rows as expected, and replay
fixing what it holds. They run on SQLite + memory and on PostgreSQL + NATS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.testing.events import drain
from tests.events.probe import emit_things, new_thing
from tests.events.test_dispatcher import _dead_letters, _insert_raw

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from tests.events.probe import Probe


async def test_a_handler_failing_twice_succeeds_on_the_third_try(
    spine: Container, probe: Probe
) -> None:
    probe.fail_times = 2
    thing = new_thing()

    await emit_things(spine, [(thing, 1)])
    await drain(spine)

    assert probe.effects(thing) == [1]
    assert probe.attempts[f"{thing}:1"] == 3
    assert await _dead_letters(spine) == []


async def test_a_handler_that_keeps_failing_ends_in_the_dlq_and_replay_fixes_it(
    spine: Container, probe: Probe
) -> None:
    probe.fail_times = 100
    thing = new_thing()

    await emit_things(spine, [(thing, 1)])
    await drain(spine)
    letters = await _dead_letters(spine)

    assert probe.effects(thing) == []
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.consumer, letter.reason, letter.attempts, letter.status) == (
        "probe.recorder",
        "max_attempts_exceeded",
        4,
        "open",
    )
    assert letter.error_class == "ConnectionError"
    assert "downstream unavailable" in letter.traceback

    probe.fail_times = 0
    replayed = await spine.events.replay(letter.id, tenant_id=None)

    assert replayed.status == "replayed"
    assert probe.effects(thing) == [1]
    assert await spine.events.dead_letters.refresh_depth() == 0


async def test_a_permanent_failure_goes_to_the_dlq_without_retries(
    spine: Container, probe: Probe
) -> None:
    probe.fail_permanently = True
    thing = new_thing()

    await emit_things(spine, [(thing, 1)])
    await drain(spine)
    letters = await _dead_letters(spine)

    assert probe.attempts[f"{thing}:1"] == 1
    assert [(le.reason, le.attempts, le.error_class) for le in letters] == [
        ("permanent_error", 1, "PermanentError")
    ]


async def test_an_unknown_future_version_goes_to_the_dlq_with_its_reason(
    spine: Container, probe: Probe
) -> None:
    thing = new_thing()

    await _insert_raw(spine, version=3, payload={"thing": thing, "n": 1, "label": "x", "new": 1})
    await drain(spine)
    letters = await _dead_letters(spine)

    assert probe.attempts == {}
    assert [(le.reason, le.event_type) for le in letters] == [
        ("unsupported_schema_version", "probe.thing.happened")
    ]
    assert "v3 is newer" in letters[0].error_message
