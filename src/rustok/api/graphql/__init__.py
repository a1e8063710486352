"""GraphQL at `/api/graphql`: one Strawberry schema merged from the modules' parts."""
