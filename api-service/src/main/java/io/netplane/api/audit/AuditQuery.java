package io.netplane.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /api/v1/events} asks: a window of log time ({@code since} inclusive, {@code until}
 * exclusive; either may be open) and filters (every given one must hold; several values of one filter: any
 * of them). {@code types} are wire names, {@code network.*} a prefix. {@code subjects} match an event's
 * subject id or an id in its data (an endpoint.allocated names its network too).
 */
public record AuditQuery(Instant since, Instant until, List<String> types, List<String> subjects, List<String> actors,
                         List<String> nodes, List<String> correlations, int limit, AuditCursor cursor) {

    /** Whether a filter beyond the time window is given: then the index answers, else the log itself. */
    public boolean filtered() {
        return !types.isEmpty() || !subjects.isEmpty() || !actors.isEmpty() || !nodes.isEmpty()
                || !correlations.isEmpty();
    }

    public static AuditQuery window(Instant since, Instant until, int limit, AuditCursor cursor) {
        return new AuditQuery(since, until, List.of(), List.of(), List.of(), List.of(), List.of(), limit, cursor);
    }
}
