"""The event spine: envelopes, registry, outbox, relay, transports, dispatcher, DLQ."""
