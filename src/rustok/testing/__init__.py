"""Test harness for RusToK and for module authors: databases per backend, apps, clients, waits."""
