"""GraphQL of inventory."""

from __future__ import annotations

from rustok.core.modules import GraphQLPart

GRAPHQL = GraphQLPart()
