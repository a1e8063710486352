"""Event transports: `memory` (in-process, embedded) and `nats` (JetStream, distributed)."""
