"""Demo content (filled in below)."""
