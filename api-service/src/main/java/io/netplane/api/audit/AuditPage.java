package io.netplane.api.audit;

import java.util.List;

/** One page of events in order; {@code next} is null when nothing is left. */
public record AuditPage(List<LoggedEvent> events, AuditCursor next) {
}
