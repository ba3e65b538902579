package io.netplane.agent.reconcile;

import io.netplane.events.Envelope;
import io.netplane.events.Keys;

/**
 * One record of {@code desired}: {@code envelope} null is a tombstone (the object is gone). A tombstone has no
 * envelope to correlate with, so the writer may put the request's correlation id in a record header.
 */
public record DesiredChange(String key, Envelope envelope, String correlationId) {
    public static final String CORRELATION_HEADER = "correlationId";

    public boolean isTombstone() { return envelope == null; }

    public String kind() { return Keys.desiredKind(key); }

    public String id() { return Keys.desiredId(key); }
}
