package io.netplane.api.stream;

import io.netplane.events.Envelope;

import java.util.List;

/**
 * Which events a subscriber wants, from the query of {@code /api/v1/events/stream}: {@code kind} (subject
 * kind: network, sandbox, endpoint), {@code id} (subject id or id prefix), {@code type} (wire names, comma
 * separated; {@code network.*} = every type starting with {@code network.}), {@code operation} (correlation
 * id: the events of one call). Every given criterion must hold; an empty list means any.
 */
public record EventFilter(List<String> kinds, List<String> ids, List<String> types, List<String> operations) {

    public boolean test(Envelope e) {
        if (!kinds.isEmpty() && (e.subject() == null || !kinds.contains(e.subject().kind()))) {
            return false;
        }
        if (!ids.isEmpty() && (e.subject() == null || e.subject().id() == null
                || ids.stream().noneMatch(id -> e.subject().id().startsWith(id)))) {
            return false;
        }
        if (!types.isEmpty() && types.stream().noneMatch(t -> t.endsWith("*")
                ? e.type().startsWith(t.substring(0, t.length() - 1)) : e.type().equals(t))) {
            return false;
        }
        return operations.isEmpty() || operations.contains(e.correlationId());
    }
}
