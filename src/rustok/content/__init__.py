"""Content: nodes of many kinds with translations, bodies, revisions, categories, tags and SEO."""
