"""Whether a missing service skips or fails its tests: CI must never skip them by a typo."""

from __future__ import annotations

import pytest

from rustok.testing.services import services_required


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "YES", " 1 "])
def test_services_are_required_whatever_the_case_of_the_flag(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RUSTOK_REQUIRE_SERVICES", value)

    assert services_required() is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_services_are_optional_unless_the_flag_says_so(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RUSTOK_REQUIRE_SERVICES", value)

    assert services_required() is False


def test_services_are_optional_without_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUSTOK_REQUIRE_SERVICES", raising=False)

    assert services_required() is False
