package io.netplane.api.rest;

import io.netplane.api.auth.Actor;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallOptions;
import io.netplane.api.operations.NodeCommands;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NodeEntry;
import io.netplane.api.readmodel.NodeLiveness;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Nodes and their health: ready (seen within the window), unreachable, or left. Removed nodes are not listed. */
@Path("/api/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "nodes")
public class NodeResource {
    @Inject
    NodeLiveness liveness;
    @Inject
    NodeCommands commands;
    @Inject
    CallParameters parameters;

    @Schema(name = "Node")
    public record NodeView(String name, String underlayAddress, List<String> routedSubnets,
                           @Schema(description = "netplane (agent version), kernel (uname release), java") Map<String, String> versions,
                           @Schema(description = "ready (joined or beat within netplane.api.node-ready-window), "
                                   + "unreachable or left") String state,
                           Instant lastSeen,
                           @Schema(description = "the host's name (uname); null from agents that did not report it")
                           String hostname,
                           @Schema(description = "what the agent can build: bridge, overlay, nftables, dns; "
                                   + "null from agents that did not report it") List<String> capabilities,
                           @Schema(description = "when the agent last joined") Instant joined) {
    }

    @GET
    @Operation(summary = "List nodes with their health", description = "By name; state ready, unreachable or left.")
    @APIResponse(responseCode = "200", description = "the nodes",
            content = @Content(schema = @Schema(implementation = NodeView.class, type = SchemaType.ARRAY)))
    @Transactional
    public List<NodeView> list() {
        return NodeEntry.<NodeEntry>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .filter(n -> !n.isRemoved())
                .map(this::view)
                .toList();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Inspect a node with its health")
    @APIResponse(responseCode = "200", description = "the node",
            content = @Content(schema = @Schema(implementation = NodeView.class)))
    @Transactional
    public NodeView get(@PathParam("name") String name) {
        NodeEntry node = NodeEntry.findById(name);
        if (node == null || node.isRemoved()) {
            throw new ApiException(404, "node " + name + " not found");
        }
        return view(node);
    }

    /** Releases everything allocated on the node (ipam) and drops it from the list; 204 when done. */
    @DELETE
    @Path("{name}")
    @Operation(summary = "Remove a node for good",
            description = "ipam releases its sandboxes, addresses and host ports; 204 when done. A ready node only with force=true.")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = NetworkResource.Accepted.class)))
    public Response remove(@PathParam("name") String name,
                           @QueryParam("force") @Parameter(description = "true: remove it even while it is ready") String force,
                           @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                           @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        CallOptions options = parameters.options(wait, timeout);
        return NetworkResource.answer(commands.remove(name, CallParameters.flag("force", force, false),
                Actor.current(), options));
    }

    private NodeView view(NodeEntry n) {
        return new NodeView(n.name, n.underlayAddress, JsonColumns.stringList(n.routedSubnets),
                JsonColumns.stringMap(n.versions), liveness.state(n), n.lastSeen, n.hostname,
                n.capabilities == null ? null : JsonColumns.stringList(n.capabilities), n.joined);
    }
}
