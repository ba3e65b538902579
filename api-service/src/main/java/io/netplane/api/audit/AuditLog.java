package io.netplane.api.audit;

import io.netplane.api.operations.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Answers the audit: a pure time window from the log itself ({@link LogWindow}), anything filtered and an
 * entity's history from the index ({@link AuditIndex}) — a filter never scans the log.
 */
@ApplicationScoped
public class AuditLog {
    /** A network's or sandbox's full id: taken as is, so a removed one's history is found too. */
    public static final java.util.regex.Pattern FULL_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    @Inject
    AuditIndex index;
    @Inject
    LogWindow log;

    public AuditPage events(AuditQuery query) {
        if (query.cursor() != null && query.filtered() != query.cursor() instanceof AuditCursor.After) {
            throw new ApiException(400, "invalid_request", "the cursor belongs to a query with other filters: "
                    + "pass the same parameters as for the previous page", null, java.util.Map.of("field", "cursor"));
        }
        return query.filtered() ? index.query(query, null) : log.read(query);
    }

    /**
     * Every event of every correlation (request) that touched the entity, in order: the intent, ipam's
     * answer, each node's status — also after the entity was removed. {@code notFound} when nothing did.
     */
    public AuditPage history(String kind, String id, AuditQuery page, RuntimeException notFound) {
        String entity = kind + ":" + id;
        if (page.cursor() != null && !(page.cursor() instanceof AuditCursor.After)) {
            throw new ApiException(400, "invalid_request", "invalid cursor: pass the next value of the previous page",
                    null, java.util.Map.of("field", "cursor"));
        }
        if (!index.knows(entity)) {
            throw notFound;
        }
        return index.query(page, entity);
    }
}
