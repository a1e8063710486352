"""The event spine: envelopes, registry, transactional outbox, relay, transports, dispatcher, DLQ."""
