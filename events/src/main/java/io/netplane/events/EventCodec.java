package io.netplane.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netplane.events.data.UnknownData;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/**
 * JSON for envelopes, the same in every service. Unknown fields are ignored; {@code type} and
 * {@code version} pick the data record (see {@link EventType}); an unknown type keeps its data raw.
 */
@Singleton
public final class EventCodec {
    private static final EventCodec SHARED = new EventCodec();

    private final ObjectMapper json;

    public EventCodec() {
        this.json = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .serializationInclusion(JsonInclude.Include.ALWAYS)
                .build();
    }

    /** One codec for the whole JVM: it is immutable and thread-safe. */
    public static EventCodec shared() {
        return SHARED;
    }

    public ObjectMapper json() {
        return json;
    }

    public byte[] encode(Envelope envelope) {
        try {
            return json.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode event " + envelope.type() + ": " + e.getMessage(), e);
        }
    }

    public String encodeToString(Envelope envelope) {
        try {
            return json.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode event " + envelope.type() + ": " + e.getMessage(), e);
        }
    }

    /** Reads one envelope; {@link EventFormatException} names what is wrong with it. */
    public Envelope decode(byte[] bytes) {
        try {
            return decode(json.readTree(bytes));
        } catch (JsonProcessingException e) {
            throw new EventFormatException("not a JSON event: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Envelope decode(String text) {
        try {
            return decode(json.readTree(text));
        } catch (JsonProcessingException e) {
            throw new EventFormatException("not a JSON event: " + e.getOriginalMessage(), e);
        }
    }

    private Envelope decode(JsonNode tree) {
        if (!(tree instanceof ObjectNode node)) {
            throw new EventFormatException("an event is a JSON object, got " + (tree == null ? "nothing" : tree.getNodeType()));
        }
        String type = text(node, "type");
        if (type == null) {
            throw new EventFormatException("event without a type");
        }
        int version = node.path("version").asInt(1);
        JsonNode dataNode = node.get("data");
        EventData data;
        try {
            data = dataNode == null || dataNode.isNull() ? null
                    : EventType.fromWireName(type)
                            .<EventData>map(t -> convert(dataNode, t.dataTypeFor(version)))
                            .orElseGet(() -> new UnknownData(dataNode));
            String id = text(node, "id");
            String time = text(node, "time");
            JsonNode subject = node.get("subject");
            return new Envelope(
                    id == null ? null : UUID.fromString(id),
                    type,
                    version,
                    time == null ? null : Instant.parse(time),
                    text(node, "correlationId"),
                    text(node, "causationId"),
                    text(node, "actor"),
                    subject == null || subject.isNull() ? null : json.treeToValue(subject, Subject.class),
                    text(node, "node"),
                    data);
        } catch (RuntimeException | JsonProcessingException e) {
            throw new EventFormatException("event " + type + " v" + version + ": " + e.getMessage(), e);
        }
    }

    private EventData convert(JsonNode dataNode, Class<? extends EventData> kind) {
        try {
            return json.treeToValue(dataNode, kind);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
