"""Settings, database, unit of work, errors, ids, clock, context: imports nothing of ours."""
