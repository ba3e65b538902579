package io.netplane.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.events.EventCodec;

import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The index columns of one envelope, read from its JSON tree rather than decoded into records, so an event
 * type this replica does not know yet is indexed all the same. {@code entities} are {@code kind:id}: the
 * subject, and every network, sandbox and endpoint the data names.
 */
public record IndexEntry(UUID eventId, String type, Instant time, String actor, String subjectKind, String subjectId,
                         String node, String correlationId, String causationId, Set<String> entities) {
    /** The fields that name an entity, and its kind. */
    private static final Map<String, String> ID_FIELDS = Map.of("networkId", "network", "sandboxId", "sandbox",
            "endpointId", "endpoint");

    /** The entry of {@code envelope}, or an IllegalArgumentException saying why it is no envelope. */
    public static IndexEntry of(String envelope) {
        JsonNode tree;
        try {
            tree = EventCodec.shared().json().readTree(envelope);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String id = text(tree, "id");
        String type = text(tree, "type");
        String time = text(tree, "time");
        if (id == null || type == null || time == null) {
            throw new IllegalArgumentException("an envelope needs id, type and time");
        }
        JsonNode subject = tree.path("subject");
        String subjectKind = text(subject, "kind");
        String subjectId = text(subject, "id");
        Set<String> entities = new LinkedHashSet<>();
        if (subjectKind != null && subjectId != null) {
            entities.add(subjectKind + ":" + subjectId);
        }
        JsonNode data = tree.path("data");
        if (data.isObject() && data.path("id").isTextual() && type.indexOf('.') > 0) {
            // the record an event of kind k carries (a network, an endpoint; a Failure or Cleared of one) has a k id
            entities.add(type.substring(0, type.indexOf('.')) + ":" + data.get("id").asText());
        }
        collectIds(data, entities);
        return new IndexEntry(UUID.fromString(id), type, Instant.parse(time), text(tree, "actor"), subjectKind, subjectId, text(tree, "node"), text(tree, "correlationId"), text(tree, "causationId"), entities);
    }

    /** networkId / sandboxId / endpointId at any depth: a sandbox request names its networks in a list. */
    private static void collectIds(JsonNode node, Set<String> into) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String kind = ID_FIELDS.get(field.getKey());
                if (kind != null && field.getValue().isTextual()) {
                    into.add(kind + ":" + field.getValue().asText());
                } else {
                    collectIds(field.getValue(), into);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectIds(element, into));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
