"""Roles, permissions (resource:action with a scope) and the checks that enforce them."""
