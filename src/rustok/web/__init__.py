"""The web layer below the domains: access rules, request-scoped dependencies and the GraphQL
context a module's `rest.py` and `graphql.py` use. It never imports the composition root."""
