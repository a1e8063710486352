"""No import cycle anywhere in `src/`, function-level imports included (they run too).

The layer contracts (`make lint`) keep layers apart; this finds cycles inside a layer as well.
Imports under `if TYPE_CHECKING:` never run, so they do not count.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import grimp

if TYPE_CHECKING:
    from pathlib import Path


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_the_source_has_no_import_cycle() -> None:
    graph = grimp.build_graph("rustok", exclude_type_checking_imports=True)

    assert len(graph.modules) > 100  # the whole package was read
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")

    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_worker_processes_never_load_the_web_stack(tmp_path: Path) -> None:
    # A restarted dispatcher must handle within a second; FastAPI and Strawberry cost a third
    # of its start-up, and only an app needs them (module descriptors name their web parts).
    probe = (
        "import sys\n"
        "from rustok.cli.main import app\n"
        "from rustok.bootstrap import build_container\n"
        "from rustok.core.settings import Settings\n"
        f"build_container(Settings(database_url='sqlite+aiosqlite:///{tmp_path}/w.db'))\n"
        "print(sorted(m for m in ('fastapi', 'starlette', 'strawberry') if m in sys.modules))\n"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert loaded.stdout.strip() == "[]", loaded.stderr


def test_each_driver_is_imported_only_by_its_adapter() -> None:
    # Every module, present or added later, is held: no list of modules to keep up to date.
    graph = grimp.build_graph("rustok", include_external_packages=True)
    adapters = {"redis": "rustok.stores.redis", "nats": "rustok.events.transport.nats"}

    importers = {
        driver: sorted(graph.find_modules_that_directly_import(driver)) for driver in adapters
    }

    assert importers == {driver: [adapter] for driver, adapter in adapters.items()}
