"""How handlers and the spine say what went wrong: transient (retry) or permanent (DLQ now)."""

from __future__ import annotations


class EventError(Exception):
    """Base of the spine's own errors."""


class PermanentError(EventError):
    """Retrying cannot help (bad data, a rule violation): the event goes to the DLQ at once."""

    reason = "permanent_error"


class TransientError(EventError):
    """Worth retrying (a dependency is down, a lock timed out)."""


class UnknownEventType(PermanentError):
    reason = "unknown_event_type"


class UnsupportedSchemaVersion(PermanentError):
    reason = "unsupported_schema_version"


class MalformedEvent(PermanentError):
    reason = "malformed_event"


class HandlerTimeout(TransientError):
    """A handler ran past its time limit."""


class TransportError(TransientError):
    """The transport could not take or give events right now."""
