"""GraphQL validation time of the worst-case fragment document as it grows, before and now.

    .venv/bin/python bench/graphql_validation.py [--repeat N]

The document: `fragment F0 on Query { apiVersion }`, then `fragment Fi on Query { ...Fi-1
...Fi-1 ...Fi-1 }` up to the level, and `{ ...F<level> }`: 3^level fields once expanded, in a
few hundred bytes. "now" is parsing plus this app's validation (`DocumentValidation`: the
limits, then graphql-core's rules when the document is within them), through the real schema
and Strawberry's pipeline, with execution skipped.
"before" is graphql-core's rules plus Strawberry's QueryDepthLimiter, which expands fragments at
every use; it runs only up to level 12 (level 13 took 8-15 s, level 24 does not finish).
Then the documents closest to each limit that are still accepted, which run every rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, where bench/http.py would shadow
# the standard library's `http` (which Starlette and httpx import).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from graphql import parse, specified_rules, validate  # noqa: E402
from strawberry.extensions import QueryDepthLimiter, SchemaExtension  # noqa: E402
from strawberry.types import ExecutionResult  # noqa: E402

from rustok.api.graphql.schema import build_schema  # noqa: E402
from rustok.bootstrap import default_modules  # noqa: E402
from rustok.core.modules import ModuleRegistry  # noqa: E402
from rustok.testing.app import settings_for_tests  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import strawberry
    from graphql import ASTValidationRule

LEVELS = (4, 8, 10, 12, 16, 20, 24, 32)
BEFORE_UP_TO = 12


def fan_out(levels: int) -> str:
    lines = ["fragment F0 on Query { apiVersion }"]
    lines += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} ...F{i - 1} }}"
        for i in range(1, levels + 1)
    ]
    lines.append(f"{{ ...F{levels} }}")
    return "\n".join(lines)


ACCEPTED = {
    "50 aliases": "{ " + " ".join(f"v{i}: apiVersion" for i in range(50)) + " }",
    "one object 20 times, 9 fields each": "{ "
    + "currentTenant { id name slug defaultLocale locales { locale name isDefault } } " * 20
    + "}",
    "11 aliases x 4 fields x 20 (~900 fields)": "{ "
    + " ".join(
        f"t{i}: currentTenant {{ {' '.join(['id name slug defaultLocale'] * 20)} }}"
        for i in range(11)
    )
    + " }",
}


class SkipExecution(SchemaExtension):
    """Strawberry executes only when no result is set yet: measure up to validation."""

    def on_execute(self) -> Iterator[None]:
        self.execution_context.result = ExecutionResult(data=None, errors=None)
        yield


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def validate_before(
    schema: strawberry.Schema, depth_rules: list[type[ASTValidationRule]], document: str
) -> float:
    parsed = parse(document)
    started = time.perf_counter()
    validate(schema._schema, parsed, [*specified_rules, *depth_rules])
    return time.perf_counter() - started


async def now(schema: strawberry.Schema, context: object, document: str) -> str:
    result = await schema.execute(document, context_value=context)
    if not result.errors:
        return "accepted"
    code = (result.errors[0].extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
    return str(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs (default 5)")
    args = parser.parse_args()

    registry = ModuleRegistry()
    for module in default_modules():
        registry.register(module)
    schema = build_schema(registry)
    schema.extensions = (*schema.extensions, SkipExecution)
    settings = settings_for_tests("sqlite+aiosqlite:///:memory:")
    # DocumentValidation reads the limits from the request's container; nothing else is used
    # before execution, and refused documents never execute.
    context = SimpleNamespace(container=SimpleNamespace(settings=settings))
    depth_rules = QueryDepthLimiter(max_depth=12).validation_rules
    loop = asyncio.new_event_loop()

    def run_now(document: str) -> tuple[float, str]:
        outcome = loop.run_until_complete(now(schema, context, document))
        seconds = best_of(
            args.repeat, lambda: loop.run_until_complete(now(schema, context, document))
        )
        return seconds, outcome

    print("| levels | bytes | fields once expanded | now ms | now answers | before ms |")
    print("|---|---|---|---|---|---|")
    for levels in LEVELS:
        document = fan_out(levels)
        seconds, outcome = run_now(document)
        before = "not run"
        if levels <= BEFORE_UP_TO:
            before = f"{validate_before(schema, depth_rules, document) * 1000:.1f}"
        print(
            f"| {levels} | {len(document)} | 3^{levels} = {3**levels:.3g} | "
            f"{seconds * 1000:.2f} | {outcome} | {before} |"
        )

    print()
    print("| accepted document | bytes | now ms (every rule runs) |")
    print("|---|---|---|")
    for name, document in ACCEPTED.items():
        seconds, outcome = run_now(document)
        assert outcome == "accepted", (name, outcome)
        print(f"| {name} | {len(document)} | {seconds * 1000:.2f} |")
    loop.close()


if __name__ == "__main__":
    main()
