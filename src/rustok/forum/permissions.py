"""What the forum module lets a tenant's roles grant.

`manage` on topics pins and locks them; `manage` on replies moderates them (staff).
"""

from __future__ import annotations

from rustok.core.permissions import define_resource

FORUM_CATEGORIES = define_resource("forum_categories", "Forum categories")
FORUM_TOPICS = define_resource(
    "forum_topics", "Forum topics; `manage` pins, unpins, locks and unlocks them"
)
FORUM_REPLIES = define_resource(
    "forum_replies", "Replies in forum topics; `manage` moderates them and sees every status"
)
