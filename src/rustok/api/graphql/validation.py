"""Validate a document in time linear in its length: our limits first, then the spec's rules.

graphql-core's rules are not all linear: OverlappingFieldsCanBeMerged compares the fields of a
selection set that share a response name pairwise. They only run on a document our limits
(`limits.py`) have measured, fragments memoised, and found small enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from weakref import WeakKeyDictionary

import orjson
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, validate
from strawberry.extensions import SchemaExtension

# Strawberry adds these two to the spec's rules when it validates; we validate in its place.
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from rustok.api.graphql.limits import FieldCosts, Limits, check, field_costs

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graphql import ASTValidationRule, DocumentNode, GraphQLSchema

    from rustok.core.settings import Settings
    from rustok.web.graphql import GraphQLContext


class DocumentValidation(SchemaExtension):
    """Limits on tokens, depth, fields, aliases, repeats and cost; then the spec's rules, with
    introspection and suggestions as configured. A refusal is a GraphQL error with its code."""

    def _settings(self) -> Settings:
        return cast("GraphQLContext", self.execution_context.context).container.settings

    def on_parse(self) -> Iterator[None]:
        max_tokens = self._settings().graphql_max_tokens
        self.execution_context.parse_options["max_tokens"] = max_tokens
        yield
        # graphql-core stops at the limit with a syntax error; name it like our other limits.
        for error in self.execution_context.pre_execution_errors or ():
            if error.message.endswith(f"more than {max_tokens} tokens. Parsing aborted."):
                error.message = f"The query has more than {max_tokens} tokens."
                error.extensions = {"code": "QUERY_TOO_LARGE"}

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            # Strawberry skips its own validation once errors (even none) are recorded.
            context.pre_execution_errors = self._errors(document)
        yield

    def _errors(self, document: DocumentNode) -> list[GraphQLError]:
        nul = self._nul_in(document)
        if nul is not None:
            return [
                GraphQLError(
                    f"`{nul}` carries a NUL character (\\u0000).",
                    extensions={"code": "NUL_IN_REQUEST", "field": nul},
                )
            ]
        settings = self._settings()
        schema = self.execution_context.schema._schema
        refusal = check(
            schema,
            document,
            costs=_field_costs(schema),
            limits=Limits.of(settings),
            variables=self.execution_context.variables,
        )
        if refusal is not None:
            return [GraphQLError(refusal.message, extensions={"code": refusal.code})]
        rules: tuple[type[ASTValidationRule], ...] = (
            *self.execution_context.validation_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        )
        if not settings.effective_graphql_introspection:
            rules = (*rules, NoSchemaIntrospectionCustomRule)
        return validate(
            schema, document, rules, hide_suggestions=not settings.effective_graphql_suggestions
        )

    def _nul_in(self, document: DocumentNode) -> str | None:
        # A NUL is never part of a name, slug, id or search here, and PostgreSQL refuses it in
        # text (a 500 from the driver): refused once for every field, as the edge does for URLs.
        source = document.loc.source.body if document.loc is not None else ""
        if "\x00" in source or "\\u0000" in source:
            return "query"
        variables = self.execution_context.variables
        if variables and b"\\u0000" in orjson.dumps(variables):
            return "variables"
        return None


# Computed at a schema's first request; weak, so the schemas of finished apps (tests) go.
_FIELD_COSTS: WeakKeyDictionary[GraphQLSchema, FieldCosts] = WeakKeyDictionary()


def _field_costs(schema: GraphQLSchema) -> FieldCosts:
    found = _FIELD_COSTS.get(schema)
    if found is None:
        found = _FIELD_COSTS[schema] = field_costs(schema)
    return found
