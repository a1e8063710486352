"""Settings, database, unit of work, errors, ids, clock and request context: imports nothing of ours."""
