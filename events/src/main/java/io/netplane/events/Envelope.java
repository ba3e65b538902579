package io.netplane.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One Kafka record of netplane. {@code type} and {@code version} decide the record in {@code data}
 * (see {@link EventType}); {@code correlationId} is the user request, {@code causationId} the event
 * that caused this one.
 */
public record Envelope(
        UUID id,
        String type,
        int version,
        Instant time,
        String correlationId,
        String causationId,
        String actor,
        Subject subject,
        String node,
        EventData data) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
    }

    /** A new event of {@code type} that starts a chain (a user request): it correlates to itself. */
    public static Envelope of(EventType type, Subject subject, EventData data, String actor) {
        UUID id = UUID.randomUUID();
        return new Envelope(id, type.wireName(), type.version(), Instant.now(), id.toString(), null, actor,
                subject, null, type.check(data));
    }

    /** A new event caused by {@code cause}: same correlation and actor, causation = the cause's id. */
    public static Envelope causedBy(Envelope cause, EventType type, Subject subject, EventData data) {
        return new Envelope(UUID.randomUUID(), type.wireName(), type.version(), Instant.now(),
                cause.correlationId(), cause.id().toString(), cause.actor(), subject, cause.node(), type.check(data));
    }

    public Envelope withCorrelationId(String correlationId) {
        return new Envelope(id, type, version, time, correlationId, causationId, actor, subject, node, data);
    }

    public Envelope withNode(String node) {
        return new Envelope(id, type, version, time, correlationId, causationId, actor, subject, node, data);
    }

    /** The data as the record {@code kind}, or a ClassCastException that names the event. */
    public <T extends EventData> T data(Class<T> kind) {
        if (!kind.isInstance(data)) {
            throw new ClassCastException("event " + type + " v" + version + " carries "
                    + (data == null ? "no data" : data.getClass().getSimpleName()) + ", not " + kind.getSimpleName());
        }
        return kind.cast(data);
    }

    public boolean is(EventType eventType) {
        return eventType.wireName().equals(type);
    }
}
