"""The forum: categories, topics and threaded, moderated replies, built on content nodes."""
