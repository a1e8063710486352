"""Mutation testing of the modules that hold guards (`make mutate`; never part of `make test`).

`python -m rustok.testing.mutation run [module ...]` runs mutmut over each module in a work
directory of its own (`var/mutate/<module>/`), with only the tests that guard that module, so
one module's run stays within minutes: mutmut runs, for each mutant, every selected test that
reaches the mutated function, and a module reached by every HTTP request (the limiter) would
otherwise rerun the whole API suite per mutant. `report [module ...]` prints the score per
module and the surviving mutants; docs/testing.md keeps them, each with the reason it stays.

A module that adds a guard adds itself to `GUARDS` with the tests that prove it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

GUARDS: dict[str, tuple[str, ...]] = {
    "rustok.stores.limiter": (
        "tests/stores",
        "tests/api/test_rate_limit.py",
        "tests/auth/test_rest.py",
    ),
    "rustok.stores.memory": ("tests/stores", "tests/contract"),
    "rustok.stores.redis": ("tests/contract", "tests/events/test_operations.py"),
    "rustok.rbac.checker": ("tests/rbac", "tests/events/test_operations.py"),
    "rustok.rbac.delegation": ("tests/rbac",),
    "rustok.core.db": ("tests/core/test_tenant_walls.py", "tests/core/test_uow.py"),
    "rustok.tenancy.resolver": ("tests/tenancy", "tests/events/test_operations.py"),
    "rustok.tenancy.repository": ("tests/tenancy",),
    "rustok.auth.tokens": ("tests/auth",),
    "rustok.auth.repository": ("tests/auth",),
    "rustok.events.outbox": ("tests/events/test_outbox.py", "tests/events/test_relay.py"),
    "rustok.events.relay": ("tests/events/test_relay.py", "tests/events/test_outbox.py"),
    "rustok.events.dispatcher": (
        "tests/events/test_dispatcher.py",
        "tests/events/test_operations.py",
        "tests/faults/test_handler_faults.py",
    ),
    "rustok.events.dlq": (
        "tests/events/test_dlq_rest.py",
        "tests/events/test_dispatcher.py",
        "tests/faults/test_handler_faults.py",
    ),
}

# What mutmut copies into its sandbox beside the code and the tests: the committed docs that
# drift tests compare with.
_SHARED = ("src", "tests", "docs")

# mutmut's exit codes (mutmut/stats.py): 1 a test failed (killed), 0 every test passed
# (survived), 33 no selected test reaches the code, 36/-24/152 a timeout (the mutant hangs:
# the suite's own timeout would fail it too), 37 refused by the type checker.
_STATUS = {1: "killed", 0: "survived", 33: "no tests", 36: "timeout", -24: "timeout"}
_STATUS |= {152: "timeout", 37: "type check", 34: "skipped", 35: "suspicious"}


def workdir(project: Path, module: str) -> Path:
    return project / "var" / "mutate" / module


def _config(module: str, tests: tuple[str, ...]) -> str:
    source = "src/" + module.replace(".", "/") + ".py"
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = {json.dumps([source])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(list(tests))}\n"
        'pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider"]\n'
        'also_copy = ["docs"]\n'
    )


def run(project: Path, module: str) -> None:
    """Run mutmut over one module; its results stay in the module's work directory."""
    directory = workdir(project, module)
    directory.mkdir(parents=True, exist_ok=True)
    for name in _SHARED:
        link = directory / name
        if not link.is_symlink():
            link.symlink_to(project / name)
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    config = pyproject + _config(module, GUARDS[module])
    (directory / "pyproject.toml").write_text(config, encoding="utf-8")
    mutmut = Path(sys.executable).with_name("mutmut")
    with (directory / "mutmut.log").open("w", encoding="utf-8") as log:
        subprocess.run(  # noqa: S603 - our own interpreter's mutmut, fixed arguments
            [str(mutmut), "run", "--max-children", "1"],
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def module_results(project: Path, module: str) -> dict[str, str]:
    """Mutant name -> status, from the `.meta` file mutmut left for the module."""
    relative = Path("mutants", "src", *module.split(".")).with_suffix(".py.meta")
    meta = workdir(project, module) / relative
    if not meta.exists():
        return {}
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {
        name: "not run" if code is None else _STATUS.get(code, f"exit {code}")
        for name, code in codes.items()
    }


def report(project: Path, modules: list[str]) -> str:
    """The score per module (killed / (killed + survived)) and every surviving mutant."""
    lines = [
        "| module | mutants | killed | survived | no tests | score |",
        "|---|---|---|---|---|---|",
    ]
    survivors: list[str] = []
    for module in modules:
        results = module_results(project, module)
        counts = Counter(results.values())
        killed = counts["killed"] + counts["timeout"] + counts["type check"]
        judged = killed + counts["survived"]
        score = f"{100 * killed / judged:.1f}%" if judged else "not yet run"
        lines.append(
            f"| {module} | {len(results)} | {killed} | {counts['survived']} "
            f"| {counts['no tests']} | {score} |"
        )
        survivors += sorted(name for name, status in results.items() if status == "survived")
    return "\n".join([*lines, "", "Surviving mutants (`mutmut show <name>`):", *survivors])


def main(arguments: list[str]) -> None:
    command, modules = arguments[0], arguments[1:] or list(GUARDS)
    unknown = [module for module in modules if module not in GUARDS]
    if command not in {"run", "report"} or unknown:
        raise SystemExit(f"usage: run|report [{' '.join(GUARDS)}]")
    project = Path.cwd()
    if command == "run":
        for module in modules:
            print(f"== mutmut: {module} (log: {workdir(project, module)}/mutmut.log)", flush=True)  # noqa: T201
            run(project, module)
    print(report(project, modules))  # noqa: T201 - a command-line report


if __name__ == "__main__":
    main(sys.argv[1:])
