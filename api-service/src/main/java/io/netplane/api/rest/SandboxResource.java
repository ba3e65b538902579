package io.netplane.api.rest;

import io.netplane.api.auth.Actor;
import io.netplane.api.readmodel.SandboxLookupException;
import io.netplane.api.audit.AuditView;
import io.netplane.api.audit.AuditParameters;
import io.netplane.api.audit.AuditLog;
import io.netplane.api.operations.CallOptions;
import io.netplane.api.operations.CallResult;
import io.netplane.api.operations.SandboxCommands;
import io.netplane.api.readmodel.SandboxCatalog;
import io.netplane.api.readmodel.SandboxView;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;

/** Sandboxes in the native API (the network side of a container). */
@Path("/api/v1/sandboxes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "sandboxes")
@APIResponse(responseCode = "default", description = ApiDocs.ERROR,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class SandboxResource {
    @Inject
    SandboxCommands commands;
    @Inject
    SandboxCatalog catalog;
    @Inject
    CallParameters parameters;
    @Inject
    RequestBodies bodies;
    @Inject
    AuditLog audit;

    @GET
    @Operation(summary = "List sandboxes", description = "Live sandboxes by creation time.")
    @APIResponse(responseCode = "200", description = "the sandboxes",
            content = @Content(schema = @Schema(implementation = SandboxView.class, type = SchemaType.ARRAY)))
    public List<SandboxView> list() {
        return catalog.list();
    }

    @GET
    @Path("{ref}/history")
    @Operation(summary = "A sandbox's history", description = "Every event of every request that touched the sandbox, "
            + "in log-time order: intent, ipam's scheduling and allocations, the node's status, connects and "
            + "disconnects — also once it is removed (then by its full id). From the audit index; paged.")
    @APIResponse(responseCode = "200", description = "a page of events",
            content = @Content(schema = @Schema(implementation = AuditView.class)))
    public AuditView history(@Parameter(description = "full id (also of a removed sandbox), or the name or id prefix of a live one")
                             @PathParam("ref") String ref,
                             @Parameter(description = "1 to 1000, default 100") @QueryParam("limit") String limit,
                             @Parameter(description = "next of the previous page") @QueryParam("cursor") String cursor) {
        String id = AuditLog.FULL_ID.matcher(ref).matches() ? ref : catalog.lookup(ref).id;
        return AuditView.of(audit.history("sandbox", id, AuditParameters.page(limit, cursor), SandboxLookupException.notFound(ref)));
    }

    @GET
    @Path("{ref}")
    @Operation(summary = "Inspect a sandbox", description = "By id, name or id prefix: its node, namespace, endpoints and state.")
    @APIResponse(responseCode = "200", description = "the sandbox", content = @Content(schema = @Schema(implementation = SandboxView.class)))
    public SandboxView inspect(@Parameter(description = "id, name or id prefix") @PathParam("ref") String ref) {
        return catalog.view(ref);
    }

    @POST
    @Operation(summary = "Create a sandbox",
            description = "Schedules it on a node, allocates its endpoint and ports; 201 once the node built the namespace "
                    + "and every endpoint. network: a network, or host, none, container:<name|id> for Docker's modes.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CreateSandboxBody.class)))
    @APIResponse(responseCode = "201", description = "created and ready on its node",
            content = @Content(schema = @Schema(implementation = SandboxView.class)))
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = NetworkResource.Accepted.class)))
    public Response create(String body, @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                           @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        CreateSandboxBody request = bodies.read(body, CreateSandboxBody.class, "{\"name\": \"c1\"}");
        CallOptions options = parameters.options(wait, timeout);
        CallResult result = commands.create(request.toRequest(), Actor.current(), options);
        if (result.status() == 201) {
            return Response.created(URI.create("/api/v1/sandboxes/" + result.sandbox().id()))
                    .header(NetworkResource.OPERATION_HEADER, result.operation())
                    .entity(result.sandbox()).build();
        }
        return NetworkResource.answer(result);
    }

    @DELETE
    @Path("{ref}")
    @Operation(summary = "Remove a sandbox", description = "204 once ipam released it and its node removed what it built.")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = NetworkResource.Accepted.class)))
    public Response remove(@Parameter(description = "id, name or id prefix") @PathParam("ref") String ref,
                           @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                           @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout,
                           @QueryParam("force") @Parameter(description = "true: remove it even if other sandboxes share its namespace")
                           String force) {
        CallOptions options = parameters.options(wait, timeout);
        return NetworkResource.answer(commands.remove(ref, CallParameters.flag("force", force, false),
                Actor.current(), options));
    }
}
