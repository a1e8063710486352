"""Build the schema from the registry and mount it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.tools import merge_types
from strawberry.types.base import (
    StrawberryContainer,
    StrawberryObjectDefinition,
    get_object_definition,
)

from rustok.api.graphql.errors import DomainErrorExtension
from rustok.api.graphql.router import RustokGraphQLRouter
from rustok.api.graphql.validation import DocumentValidation
from rustok.web.access import public as public_route
from rustok.web.graphql import ModuleEnabled, context_for, public, rule_of

if TYPE_CHECKING:
    from rustok.core.modules import ModuleRegistry
    from rustok.web.access import AccessRule


@strawberry.type
class PlatformQuery:
    @strawberry.field(extensions=[public()], description="The API version.")
    def api_version(self) -> str:
        import rustok

        return rustok.__version__


def _guard_fields(root: type, slug: str, enabled_by_default: bool) -> None:
    """Put the module switch in front of every root field of a module's part (once: apps are
    built more than once per process, and the types are shared)."""
    definition = getattr(root, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryObjectDefinition):
        return
    for field in definition.fields:
        if not any(isinstance(e, ModuleEnabled) for e in field.extensions):
            # Last in the list wraps outermost: the switch is checked before the access rule.
            field.extensions.append(ModuleEnabled(slug, enabled_by_default))


def _named_types(roots: list[type]) -> dict[str, StrawberryObjectDefinition]:
    """Every object type reachable from these roots, by GraphQL name."""
    found: dict[str, StrawberryObjectDefinition] = {}
    pending: list[object] = list(roots)
    while pending:
        definition = getattr(pending.pop(), "__strawberry_definition__", None)
        if not isinstance(definition, StrawberryObjectDefinition) or definition.name in found:
            continue
        found[definition.name] = definition
        for field in definition.fields:
            kind: object = field.type
            while isinstance(kind, StrawberryContainer):
                kind = kind.of_type
            pending.append(kind)
    return found


def _extend_types(roots: list[type], extensions: list[type]) -> None:
    """Add the fields of each extension to the type of its name (once: the types are shared
    by every app a process builds)."""
    if not extensions:
        return
    named = _named_types(roots)
    for extension in extensions:
        definition = get_object_definition(extension, strict=True)
        target = named.get(definition.name)
        if target is None:
            raise ValueError(f"no GraphQL type {definition.name} to extend")
        present = {field.python_name for field in target.fields}
        target.fields.extend(f for f in definition.fields if f.python_name not in present)


_SCHEMAS: dict[tuple[object, ...], strawberry.Schema] = {}
"""Schemas this process built, by the module set they were built from."""


def build_schema(registry: ModuleRegistry) -> strawberry.Schema:
    """The schema of these modules' GraphQL parts. It depends on nothing else (whether a
    module is on for a tenant is checked per request), so a process builds it once per module
    set: an app costs about 0.1 s less, and the test suite builds hundreds of apps."""
    key = tuple(
        (module.slug, module.core, module.enabled_by_default, module.load_graphql())
        for module in registry
    )
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = _SCHEMAS[key] = _new_schema(registry)
    return schema


def _new_schema(registry: ModuleRegistry) -> strawberry.Schema:
    queries: list[type] = [PlatformQuery]
    mutations: list[type] = []
    extensions: list[type] = []
    for module in registry:
        for part in module.load_graphql():
            for root in (part.query, part.mutation, *part.extends):
                if root is not None and not module.core:
                    _guard_fields(root, module.slug, module.enabled_by_default)
            if part.query is not None:
                queries.append(part.query)
            if part.mutation is not None:
                mutations.append(part.mutation)
            extensions.extend(part.extends)
    _extend_types([*queries, *mutations], extensions)
    query: Any = merge_types("Query", tuple(queries))
    mutation: Any = merge_types("Mutation", tuple(mutations)) if mutations else None
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        extensions=[DomainErrorExtension, DocumentValidation],
    )


def graphql_router(schema: strawberry.Schema) -> RustokGraphQLRouter:
    # The endpoint is open; each field checks its own access rule. GraphiQL is served when the
    # app's settings turn it on (RUSTOK_GRAPHQL_IDE).
    return RustokGraphQLRouter(
        schema,
        context_getter=context_for,
        graphql_ide="graphiql",
        dependencies=[public_route()],
    )


@dataclass(frozen=True, slots=True)
class FieldRule:
    operation: str
    field: str
    rule: AccessRule | None
    description: str


def field_rules(schema: strawberry.Schema) -> list[FieldRule]:
    """Every root Query and Mutation field with the access rule it declared."""
    rules = []
    for operation in ("Query", "Mutation"):
        definition = schema.get_type_by_name(operation)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            name = schema.config.name_converter.from_field(field)
            rules.append(
                FieldRule(operation, name, rule_of(list(field.extensions)), field.description or "")
            )
    return rules
