package io.netplane.api.rest;

import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NodeEntry;
import io.netplane.api.readmodel.NodeLiveness;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Nodes and their health: ready (seen within the window), unreachable, or left. */
@Path("/api/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "nodes")
public class NodeResource {
    @Inject
    NodeLiveness liveness;

    @Schema(name = "Node")
    public record NodeView(String name, String underlayAddress, List<String> routedSubnets,
                           Map<String, String> versions,
                           @Schema(description = "ready (joined or beat within netplane.api.node-ready-window), "
                                   + "unreachable or left") String state,
                           Instant lastSeen) {
    }

    @GET
    @Operation(summary = "List nodes with their health", description = "By name; state ready, unreachable or left.")
    @APIResponse(responseCode = "200", description = "the nodes",
            content = @Content(schema = @Schema(implementation = NodeView.class, type = SchemaType.ARRAY)))
    @Transactional
    public List<NodeView> list() {
        return NodeEntry.<NodeEntry>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .map(n -> new NodeView(n.name, n.underlayAddress, JsonColumns.stringList(n.routedSubnets),
                        JsonColumns.stringMap(n.versions), liveness.state(n), n.lastSeen))
                .toList();
    }
}
