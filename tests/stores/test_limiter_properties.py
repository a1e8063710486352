"""Property tests of the limiter's arithmetic on a clock the test sets: whatever the clock
reads and however long the window, the in-memory sliding window is exact and the reset it
reports never reaches past the window."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from rustok.core.settings import Settings
from rustok.stores.limiter import RateLimiter
from rustok.stores.memory import MemoryRateLimitStore

examples = settings(max_examples=300, deadline=None)

# Monotonic clocks start anywhere: near zero after boot, or after months of uptime.
clock_values = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
any_windows = st.floats(min_value=0.001, max_value=86_400.0, allow_nan=False)


class SetClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_fresh_window_reports_exactly_the_window_at_a_clock_that_used_to_round_up() -> None:
    # 4087.502 + 60 - 4087.502 == 60.00000000000045 in floats: the header said 61.
    clock = SetClock(4087.502)
    limiter = RateLimiter(Settings(rate_limit_default="100/60"), MemoryRateLimitStore(clock=clock))

    decision = await limiter.check_request("/api/x", "10.0.0.1", None, None)

    assert decision.reset_after_seconds == 60.0
    assert decision.retry_after_seconds == 60


@examples
@given(
    start=clock_values,
    window=any_windows,
    limit=st.integers(min_value=1, max_value=4),
    # Gaps as fractions of the window, so that a run crosses the window's edge often.
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.7), min_size=1, max_size=30),
)
async def test_the_window_is_exact_and_the_reset_stays_within_it(
    start: float, window: float, limit: int, gaps: list[float]
) -> None:
    clock = SetClock(start)
    store = MemoryRateLimitStore(clock=clock)
    counted: list[float] = []  # the model: the instants of the requests that were let in

    for gap in gaps:
        clock.now += gap * window
        now = clock.now
        in_window = [stamp for stamp in counted if stamp > now - window]

        decision = await store.hit("key", limit, window)

        assert decision.allowed is (len(in_window) < limit)
        if decision.allowed:
            in_window.append(now)
            counted.append(now)
        assert decision.remaining == limit - len(in_window)
        assert 0.0 <= decision.reset_after_seconds <= window
        # The reset names the moment the oldest counted request leaves the window.
        assert math.isclose(
            now + decision.reset_after_seconds, in_window[0] + window, rel_tol=1e-12, abs_tol=1e-9
        )
        assert 1 <= max(1, math.ceil(decision.reset_after_seconds)) <= math.ceil(window)
