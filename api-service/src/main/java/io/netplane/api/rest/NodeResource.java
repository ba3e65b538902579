package io.netplane.api.rest;

import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.NodeCommands;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NodeEntry;
import io.netplane.api.readmodel.NodeLiveness;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Nodes and their health: ready (seen within the window), unreachable, or left. Removed nodes are not listed. */
@Path("/api/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {
    @Inject
    NodeLiveness liveness;
    @Inject
    NodeCommands commands;
    @Inject
    CallParameters parameters;

    public record NodeView(String name, String underlayAddress, List<String> routedSubnets,
                           Map<String, String> versions, String state, Instant lastSeen) {
    }

    @GET
    @Transactional
    public List<NodeView> list() {
        return NodeEntry.<NodeEntry>listAll(io.quarkus.panache.common.Sort.by("name")).stream()
                .filter(n -> !n.isRemoved())
                .map(this::view)
                .toList();
    }

    @GET
    @Path("{name}")
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
    public Response remove(@PathParam("name") String name, @QueryParam("force") boolean force,
                           @QueryParam("async") boolean async, @QueryParam("timeout") String timeout,
                           @HeaderParam(NetworkResource.ACTOR_HEADER) String actor) {
        return NetworkResource.answer(commands.remove(name, force, NetworkResource.actor(actor),
                parameters.options(async, timeout)));
    }

    private NodeView view(NodeEntry n) {
        return new NodeView(n.name, n.underlayAddress, JsonColumns.stringList(n.routedSubnets),
                JsonColumns.stringMap(n.versions), liveness.state(n), n.lastSeen);
    }
}
