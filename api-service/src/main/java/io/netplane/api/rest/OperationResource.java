package io.netplane.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.OperationLog;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.events.EventCodec;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;

/** Where a request stands: pending, timeout (the caller stopped waiting), succeeded or failed. */
@Path("/api/v1/operations")
@Produces(MediaType.APPLICATION_JSON)
public class OperationResource {
    @Inject
    OperationLog operations;

    public record OperationView(String id, String kind, String target, String targetName, String state,
                                Integer status, String message, JsonNode result, Instant created, Instant updated) {
    }

    @GET
    @Path("{id}")
    public OperationView get(@PathParam("id") String id) {
        OperationEntry op = operations.find(id)
                .orElseThrow(() -> new ApiException(404, "operation " + id + " not found"));
        return new OperationView(op.id, op.kind, op.target, op.targetName, op.state, op.status, op.message,
                json(op.result), op.created, op.updated);
    }

    private static JsonNode json(String text) {
        try {
            return text == null ? null : EventCodec.shared().json().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("operation result is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
