"""RusToK: an event-driven, modular, multi-tenant headless platform for content and commerce."""

__version__ = "0.1.0"
