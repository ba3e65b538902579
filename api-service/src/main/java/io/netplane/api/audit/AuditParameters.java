package io.netplane.api.audit;

import io.netplane.api.operations.ApiException;
import io.netplane.events.EventType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The query of the audit calls, parsed by hand: a bad value is 400 naming the parameter. */
public final class AuditParameters {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private AuditParameters() {
    }

    public static AuditQuery parse(String since, String until, List<String> type, List<String> subject,
                                   List<String> actor, List<String> node, List<String> correlation, String limit,
                                   String cursor) {
        Instant from = time("since", since);
        Instant to = time("until", until);
        if (from != null && to != null && !from.isBefore(to)) {
            throw invalid("until", until, "until (" + until + ") must be after since (" + since + ")");
        }
        List<String> types = split(type);
        for (String t : types) {
            boolean known = t.endsWith("*") ? Arrays.stream(EventType.values())
                    .anyMatch(e -> e.wireName().startsWith(t.substring(0, t.length() - 1)))
                    : EventType.fromWireName(t).isPresent();
            if (!known) {
                throw invalid("type", t, "unknown event type \"" + t + "\", e.g. network.created, network.ready or network.*");
            }
        }
        return new AuditQuery(from, to, types, text("subject", subject), text("actor", actor), text("node", node),
                text("correlation", correlation), limit(limit), cursor(cursor));
    }

    /** The paging of a history call. */
    public static AuditQuery page(String limit, String cursor) {
        return AuditQuery.window(null, null, limit(limit), cursor(cursor));
    }

    private static Instant time(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(name, value, "invalid " + name + " \"" + value + "\": use an RFC 3339 time such as 2026-11-28T09:00:00Z");
        }
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw invalid("limit", value, "invalid limit \"" + value + "\": from 1 to " + MAX_LIMIT);
    }

    private static AuditCursor cursor(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return AuditCursor.decode(value);
        } catch (RuntimeException e) {
            throw invalid("cursor", value, "invalid cursor: pass the next value of the previous page as it was");
        }
    }

    /** PostgreSQL refuses a NUL in text: such a value is the caller's mistake, not a 500. */
    private static List<String> text(String name, List<String> values) {
        List<String> split = split(values);
        for (String v : split) {
            if (v.indexOf('\0') >= 0) {
                throw invalid(name, v.replace("\0", ""), "invalid " + name + ": it contains a NUL byte");
            }
        }
        return split;
    }

    private static List<String> split(List<String> values) {
        if (values == null) {
            return List.of();
        }
        return values.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).filter(v -> !v.isEmpty())
                .toList();
    }

    private static ApiException invalid(String field, String value, String message) {
        return new ApiException(400, "invalid_request", message, null, Map.of("field", field, "value", value));
    }
}
