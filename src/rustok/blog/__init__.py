"""The blog: posts (content nodes of kind `post`) with featured images, reading time, tags and
categories, and moderated comments (nodes of kind `comment`)."""
