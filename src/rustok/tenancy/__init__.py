"""Tenants, their locales and modules, and resolving the tenant of a request."""
