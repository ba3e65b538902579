package io.netplane.api.rest;

import io.netplane.api.auth.Actor;
import io.netplane.api.audit.AuditView;
import io.netplane.api.audit.AuditParameters;
import io.netplane.api.audit.AuditLog;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallOptions;
import io.netplane.api.operations.CallResult;
import io.netplane.api.operations.NetworkCommands;
import io.netplane.api.operations.SandboxCommands;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.NetworkView;
import io.netplane.api.readmodel.SandboxView;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/** Networks in the native API. */
@Path("/api/v1/networks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "networks")
@APIResponse(responseCode = "default", description = ApiDocs.ERROR,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class NetworkResource {
    static final String OPERATION_HEADER = "X-Netplane-Operation";
    private static final java.util.regex.Pattern AGO = java.util.regex.Pattern.compile("(\\d{1,9})(s|m|h)");

    @Inject
    NetworkCommands commands;
    @Inject
    SandboxCommands sandboxes;
    @Inject
    NetworkCatalog catalog;
    @Inject
    CallParameters parameters;
    @Inject
    RequestBodies bodies;
    @Inject
    AuditLog audit;

    /** Which networks a list or prune keeps; {@code label}: every {@code k} or {@code k=v} must be among the labels. */
    record Filter(String name, String driver, List<String> labels, String scope) {
        boolean keeps(String networkName, String networkDriver, Map<String, String> networkLabels, String networkScope) {
            return (name == null || name.isEmpty() || networkName.contains(name))
                    && (driver == null || driver.isEmpty() || driver.equals(networkDriver))
                    && (scope == null || scope.isEmpty() || scope.equals(networkScope == null ? "local" : networkScope))
                    && labelsMatch(labels, networkLabels);
        }
    }

    @GET
    @Operation(summary = "List networks", description = "Live networks by creation time; the filters combine (all must hold).")
    @APIResponse(responseCode = "200", description = "the networks",
            content = @Content(schema = @Schema(implementation = NetworkView.class, type = SchemaType.ARRAY)))
    public List<NetworkView> list(
            @Parameter(description = "part of the name") @QueryParam("name") String name,
            @Parameter(description = "bridge, overlay, host or null")
            @QueryParam("driver") @Pattern(regexp = "bridge|overlay|host|null",
                    message = "invalid driver filter \"<value>\": bridge, overlay, host or null") String driver,
            @Parameter(description = "k or k=v; repeat for more (all must match)") @QueryParam("label") List<String> label,
            @Parameter(description = "local, swarm or global")
            @QueryParam("scope") @Pattern(regexp = "local|swarm|global",
                    message = "invalid scope filter \"<value>\": local, swarm or global") String scope) {
        Filter filter = new Filter(name, driver, label, scope);
        return catalog.list().stream()
                .filter(n -> filter.keeps(n.name(), n.driver(), n.labels(), n.scope()))
                .toList();
    }

    @GET
    @Path("{ref}/history")
    @Operation(summary = "A network's history", description = "Every event of every request that touched the network, "
            + "in log-time order: intent, ipam's answer, each node's status (and the connects and disconnects of "
            + "sandboxes on it) — also once it is removed (then by its full id). From the audit index; paged.")
    @APIResponse(responseCode = "200", description = "a page of events",
            content = @Content(schema = @Schema(implementation = AuditView.class)))
    public AuditView history(@Parameter(description = "full id (also of a removed network), or the name or id prefix of a live one")
                             @PathParam("ref") String ref,
                             @Parameter(description = "1 to 1000, default 100") @QueryParam("limit") String limit,
                             @Parameter(description = "next of the previous page") @QueryParam("cursor") String cursor) {
        String id = AuditLog.FULL_ID.matcher(ref).matches() ? ref : catalog.lookup(ref).id;
        return AuditView.of(audit.history("network", id, AuditParameters.page(limit, cursor), NetworkLookupException.notFound(ref)));
    }

    @GET
    @Path("{ref}")
    @Operation(summary = "Inspect a network",
            description = "By id, name or id prefix: its subnets, its endpoints (containers) and each node's readiness (nodes, ready).")
    @APIResponse(responseCode = "200", description = "the network", content = @Content(schema = @Schema(implementation = NetworkView.class)))
    public NetworkView inspect(@Parameter(description = "id, name or id prefix") @PathParam("ref") String ref) {
        return catalog.view(ref);
    }

    @POST
    @Operation(summary = "Create a network",
            description = "Synchronous by default: answers 201 once ipam allocated it and every ready node built it; "
                    + "wait=false answers 202 with the operation id at once; past timeout 504 with the operation id (it goes on).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CreateNetworkBody.class)))
    @APIResponse(responseCode = "201", description = "created and ready on every ready node",
            content = @Content(schema = @Schema(implementation = NetworkView.class)))
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Response create(String body, @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                           @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        CreateNetworkBody request = bodies.read(body, CreateNetworkBody.class, "{\"name\": \"n1\"}");
        CallResult result = commands.create(request.toRequest(), Actor.current(), parameters.options(wait, timeout));
        if (result.status() == 201) {
            return Response.created(URI.create("/api/v1/networks/" + result.network().id()))
                    .header(OPERATION_HEADER, result.operation())
                    .entity(result.network()).build();
        }
        return answer(result);
    }

    @DELETE
    @Path("{ref}")
    @Operation(summary = "Remove a network", description = "204 once ipam removed it and no ready node holds it any more.")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Response remove(@Parameter(description = "id, name or id prefix") @PathParam("ref") String ref,
                           @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                           @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        CallOptions options = parameters.options(wait, timeout);
        try {
            return answer(commands.remove(ref, Actor.current(), options));
        } catch (NetworkLookupException e) {
            int status = e.notFound() ? 404 : 400;
            throw new ApiException(status, ErrorCode.of(status, e.removeMessage()), e.removeMessage(), null,
                    Map.of("ref", e.ref()));
        }
    }

    /** Docker's prune on the native API: every custom network without endpoints that passes the filters. */
    @POST
    @Path("prune")
    @Operation(summary = "Remove unused networks",
            description = "Removes every custom network without endpoints whose labels match (label=k or k=v, all must match; "
                    + "label!=k or k=v: none may match) and that was created before until (an RFC 3339 time or an age: "
                    + "30s, 10m, 24h). One ordinary remove after the other; a network that got an endpoint meanwhile is kept.")
    @APIResponse(responseCode = "200", description = "the names removed",
            content = @Content(schema = @Schema(implementation = Pruned.class)))
    public Pruned prune(@Parameter(description = "k or k=v; repeat for more") @QueryParam("label") List<String> label,
                        @Parameter(description = "k or k=v: networks with it are kept") @QueryParam("label!") List<String> notLabel,
                        @Parameter(description = "RFC 3339 time or age (30s, 10m, 24h)") @QueryParam("until") String until,
                        @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                        @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        CallOptions options = parameters.options(wait, timeout);
        Instant before = until(until);
        List<NetworkEntry> candidates = catalog.unused().stream()
                .filter(n -> labelsMatch(label, JsonColumns.stringMap(n.labels)))
                .filter(n -> notLabel == null || notLabel.isEmpty() || !anyLabel(notLabel, JsonColumns.stringMap(n.labels)))
                .filter(n -> before == null || n.created == null || n.created.isBefore(before))
                .toList();
        return new Pruned(commands.prune(candidates, Actor.current(), options));
    }

    /** Attaches a sandbox to the network: 200 with the sandbox. */
    @POST
    @Path("{ref}/connect")
    @Operation(summary = "Connect a sandbox to the network",
            description = "200 with the sandbox once ipam allocated the endpoint and the node built it.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = EndpointBodies.Connect.class)))
    @APIResponse(responseCode = "200", description = "connected", content = @Content(schema = @Schema(implementation = SandboxView.class)))
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Response connect(@Parameter(description = "network id, name or id prefix") @PathParam("ref") String ref,
                            String body, @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                            @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        EndpointBodies.Connect request = bodies.read(body, EndpointBodies.Connect.class, "{\"sandbox\": \"c1\"}");
        CallOptions options = parameters.options(wait, timeout);
        return answer(sandboxes.connect(ref, request.sandbox(), request.ipv4Address(), request.aliases(), Actor.current(),
                options));
    }

    /** Detaches a sandbox from the network: 200 with the sandbox. */
    @POST
    @Path("{ref}/disconnect")
    @Operation(summary = "Disconnect a sandbox from the network",
            description = "200 with the sandbox once ipam released the endpoint and the node removed it.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = EndpointBodies.Disconnect.class)))
    @APIResponse(responseCode = "200", description = "disconnected", content = @Content(schema = @Schema(implementation = SandboxView.class)))
    @APIResponse(responseCode = "202", description = "accepted (wait=false)",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    public Response disconnect(@Parameter(description = "network id, name or id prefix") @PathParam("ref") String ref,
                               String body, @QueryParam("wait") @Parameter(description = ApiDocs.WAIT) String wait,
                               @QueryParam("timeout") @Parameter(description = ApiDocs.TIMEOUT) String timeout) {
        EndpointBodies.Disconnect request = bodies.read(body, EndpointBodies.Disconnect.class, "{\"sandbox\": \"c1\"}");
        CallOptions options = parameters.options(wait, timeout);
        return answer(sandboxes.disconnect(ref, request.sandbox(), Boolean.TRUE.equals(request.force()), Actor.current(),
                options));
    }

    /** The answer of {@code ?wait=false}: where to ask how the operation stands. */
    @Schema(name = "Accepted")
    public record Accepted(@Schema(description = "operation id; GET /api/v1/operations/{id}") String operation) {
    }

    @Schema(name = "Pruned")
    public record Pruned(@Schema(description = "names of the networks removed") List<String> networksDeleted) {
    }

    static Response answer(CallResult result) {
        if (result.status() == CallResult.ACCEPTED) {
            return Response.accepted(new Accepted(result.operation()))
                    .location(URI.create("/api/v1/operations/" + result.operation()))
                    .header(OPERATION_HEADER, result.operation()).build();
        }
        if (result.status() == CallResult.STILL_RUNNING) {
            return ErrorMappers.error(result.status(), ErrorCode.TIMEOUT, result.message()
                            + "; GET /api/v1/operations/" + result.operation() + " tells where it stands",
                    Map.of("operation", result.operation()));
        }
        if (result.failed()) {
            // a 500 that comes back from an operation is a node's kernel error, "<node>: <error>"
            String code = result.status() == 500 ? ErrorCode.NODE_FAILURE : ErrorCode.of(result.status(), result.message());
            return ErrorMappers.error(result.status(), code, result.message(), Map.of("operation", result.operation()));
        }
        return Response.status(result.status()).header(OPERATION_HEADER, result.operation()).entity(result.body()).build();
    }


    static boolean labelsMatch(List<String> wanted, Map<String, String> labels) {
        if (wanted == null) {
            return true;
        }
        for (String v : wanted) {
            int eq = v.indexOf('=');
            String k = eq < 0 ? v : v.substring(0, eq);
            if (!labels.containsKey(k) || (eq >= 0 && !v.substring(eq + 1).equals(labels.get(k)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyLabel(List<String> given, Map<String, String> labels) {
        for (String v : given) {
            int eq = v.indexOf('=');
            String k = eq < 0 ? v : v.substring(0, eq);
            if (labels.containsKey(k) && (eq < 0 || v.substring(eq + 1).equals(labels.get(k)))) {
                return true;
            }
        }
        return false;
    }

    /** {@code until}: an RFC 3339 time, or an age (the networks created before now minus it). */
    private static Instant until(String until) {
        if (until == null || until.isEmpty()) {
            return null;
        }
        Matcher ago = AGO.matcher(until);
        if (ago.matches()) {
            long amount = Long.parseLong(ago.group(1));
            Duration d = switch (ago.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            return Instant.now().minus(d);
        }
        try {
            return Instant.parse(until);
        } catch (DateTimeParseException e) {
            throw CallParameters.invalid("until", until, "invalid until \"" + until
                    + "\": an RFC 3339 time (2026-01-02T15:04:05Z) or an age (30s, 10m, 24h)");
        }
    }
}
