package io.netplane.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.OperationLog;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.readmodel.SandboxCatalog;
import io.netplane.events.EventCodec;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;

/** Where a request stands: pending, timeout (the caller stopped waiting), succeeded or failed. */
@Path("/api/v1/operations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@APIResponse(responseCode = "default", description = ApiDocs.ERROR,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class OperationResource {
    @Inject
    OperationLog operations;
    @Inject
    SandboxCatalog sandboxes;

    @Schema(name = "Operation")
    public record OperationView(
            @Schema(description = "the id a 202 or 504 answered with (also the intent's correlationId)") String id,
            @Schema(description = "network.create, network.remove, sandbox.create, sandbox.remove, endpoint.connect, "
                    + "endpoint.disconnect") String kind,
            @Schema(description = "the network id (network operations) or the sandbox id") String target,
            String targetName,
            @Schema(description = "pending, timeout (the caller stopped waiting; it goes on), succeeded or failed") String state,
            @Schema(description = "the HTTP status the call answers (or would have) once settled") Integer status,
            @Schema(description = "the error, when it failed") String message,
            @Schema(description = "the network or sandbox, when it succeeded (for a connect or disconnect: the sandbox as "
                    + "it is now, null once removed)") JsonNode result,
            Instant created, Instant updated) {
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Where an operation stands", description = "Every mutating call has an operation; wait=false "
            + "and a 504 answer with its id.")
    @APIResponse(responseCode = "200", description = "the operation",
            content = @Content(schema = @Schema(implementation = OperationView.class)))
    public OperationView get(@PathParam("id") String id) {
        if (id.indexOf('\0') >= 0) { // PostgreSQL refuses NUL in text: no operation has it
            throw new ApiException(404, "operation " + id.replace("\0", "") + " not found");
        }
        OperationEntry op = operations.find(id)
                .orElseThrow(() -> new ApiException(404, "operation " + id.replace("\0", "") + " not found"));
        JsonNode result = json(op.result);
        if (result == null && OperationEntry.SUCCEEDED.equals(op.state) && (OperationEntry.CONNECT_ENDPOINT.equals(op.kind)
                || OperationEntry.DISCONNECT_ENDPOINT.equals(op.kind))) {
            // not built when it settled (on every connect's path), but only if someone asks
            result = sandboxes.viewById(op.target).map(view -> json(JsonColumns.write(view))).orElse(null);
        }
        return new OperationView(op.id, op.kind, op.target, op.targetName, op.state, op.status, op.message,
                result, op.created, op.updated);
    }

    private static JsonNode json(String text) {
        try {
            return text == null ? null : EventCodec.shared().json().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("operation result is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
