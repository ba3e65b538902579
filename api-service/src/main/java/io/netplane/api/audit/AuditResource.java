package io.netplane.api.audit;

import io.netplane.api.rest.ApiDocs;
import io.netplane.api.rest.ErrorBody;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code GET /api/v1/events}: the log for auditors, in order and paged. */
@Path("/api/v1/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit")
@APIResponse(responseCode = "default", description = ApiDocs.ERROR,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class AuditResource {
    @Inject
    AuditLog audit;

    @GET
    @Operation(summary = "Audit events", description = "The events of intents, changes, status and nodes in log-time "
            + "order, envelopes intact. since (inclusive) and until (exclusive) bound the records' log time; with only "
            + "a window the log itself is read, any filter is answered from the audit index. Repeat a filter or "
            + "separate values with commas: any value of a filter, every given filter.")
    @APIResponse(responseCode = "200", description = "a page of events",
            content = @Content(schema = @Schema(implementation = AuditView.class)))
    public AuditView events(@Parameter(description = "RFC 3339 time, inclusive") @QueryParam("since") String since,
                            @Parameter(description = "RFC 3339 time, exclusive") @QueryParam("until") String until,
                            @Parameter(description = "event type; network.* for a prefix") @QueryParam("type") List<String> type,
                            @Parameter(description = "an id: the event's subject or an id in its data") @QueryParam("subject") List<String> subject,
                            @Parameter(description = "the authenticated principal of the request") @QueryParam("actor") List<String> actor,
                            @Parameter(description = "node name") @QueryParam("node") List<String> node,
                            @Parameter(description = "correlation id (the operation id of a call)") @QueryParam("correlation") List<String> correlation,
                            @Parameter(description = "1 to 1000, default 100") @QueryParam("limit") String limit,
                            @Parameter(description = "next of the previous page") @QueryParam("cursor") String cursor) {
        return AuditView.of(audit.events(AuditParameters.parse(since, until, type, subject, actor, node, correlation,
                limit, cursor)));
    }
}
