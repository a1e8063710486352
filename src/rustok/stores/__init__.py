"""Backends for shared state: key-value cache, rate-limit counters and broadcast (memory, Redis)."""
