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

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Nodes and their health: ready (seen within the window), unreachable, or left. */
@Path("/api/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {
    @Inject
    NodeLiveness liveness;

    public record NodeView(String name, String underlayAddress, List<String> routedSubnets,
                           Map<String, String> versions, String state, Instant lastSeen) {
    }

    @GET
    @Transactional
    public List<NodeView> list() {
        return NodeEntry.<NodeEntry>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .map(n -> new NodeView(n.name, n.underlayAddress, JsonColumns.stringList(n.routedSubnets),
                        JsonColumns.stringMap(n.versions), liveness.state(n), n.lastSeen))
                .toList();
    }
}
