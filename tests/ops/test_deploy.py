"""deploy/: every metric a dashboard or an alert names is one the platform exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

import rustok.events.metrics  # noqa: F401 - registers the event spine's metrics
from rustok.observability.metrics import REGISTRY

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
_NAME = re.compile(r"\brustok_[a-z0-9_]+")
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def _exported() -> set[str]:
    """Every sample name the registry can produce (counters with `_total`, histograms with
    `_bucket`/`_count`/`_sum`), from the metric declarations, labelled or not."""
    names: set[str] = set()
    for metric in REGISTRY.collect():
        names.add(metric.name)
        names.update(f"{metric.name}{suffix}" for suffix in _SUFFIXES)
    return names


def _dashboard_expressions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((DEPLOY / "grafana").glob("*.json")):
        board = json.loads(path.read_text())
        found[path.name] = [t["expr"] for p in board["panels"] for t in p["targets"]]
    return found


def test_there_are_dashboards_for_http_events_and_the_database() -> None:
    assert sorted(_dashboard_expressions()) == ["database.json", "events.json", "http.json"]


@pytest.mark.parametrize("board", ["database.json", "events.json", "http.json"])
def test_a_dashboard_names_only_exported_metrics(board: str) -> None:
    named = {name for expr in _dashboard_expressions()[board] for name in _NAME.findall(expr)}
    assert named  # the check would pass vacuously otherwise
    assert named - _exported() == set()


def test_alert_rules_name_only_exported_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    named = {name for expr in exprs for name in _NAME.findall(expr)}
    assert named - _exported() == set()


def test_the_exported_names_are_read_from_a_real_exposition() -> None:
    # The name set above is built from declarations; cross-check one scrape's real samples.
    from prometheus_client import generate_latest

    samples = {
        sample.name
        for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())
        for sample in family.samples
    }
    assert samples <= _exported()
