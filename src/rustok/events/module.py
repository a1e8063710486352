"""The event spine's descriptor: the outbox, the ledger and dead letters, and what a tenant's
roles may grant over them. Its admin routes are the API's (`rustok.api.rest.events`)."""

from __future__ import annotations

from rustok.core.modules import ModuleDescriptor
from rustok.events.permissions import EVENTS

MODULE = ModuleDescriptor(
    slug="events",
    name="Event spine",
    version="1.0.0",
    description="The transactional outbox, the consumers' ledger, dead letters and replays.",
    resources=(EVENTS,),
    models=("rustok.events.models",),
    core=True,
)
