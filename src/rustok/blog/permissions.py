"""What the blog module lets a tenant's roles grant."""

from __future__ import annotations

from rustok.core.permissions import define_resource

POSTS = define_resource("posts", "Blog posts (content nodes of kind post)")
COMMENTS = define_resource("comments", "Blog comments and their moderation")
BLOG_SETTINGS = define_resource("blog_settings", "A tenant's blog settings (guest comments)")
