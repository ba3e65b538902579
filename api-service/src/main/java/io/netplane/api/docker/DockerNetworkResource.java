package io.netplane.api.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netplane.api.auth.Actor;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallOptions;
import io.netplane.api.operations.CallResult;
import io.netplane.api.operations.NetworkCommands;
import io.netplane.api.operations.NetworkRequest;
import io.netplane.api.operations.ReadsOnlyItsSandbox;
import io.netplane.api.operations.SandboxCommands;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.SandboxLookupException;
import io.netplane.api.rest.CallParameters;
import io.netplane.events.data.IpamConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's network API ({@code /networks}, also under {@code /v1.NN/}) over the same commands and read
 * model as the native API: "containers" are netplane sandboxes (name, id or id prefix). Shapes, statuses
 * and messages are Docker 20.10's (docker-facts §10), 500s included, because clients match on them.
 */
@Path("/networks")
public class DockerNetworkResource {
    private static final Logger LOG = Logger.getLogger(DockerNetworkResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none");
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|m|s|ms)");

    @Inject
    DockerNetworks networks;
    @Inject
    NetworkCommands commands;
    @Inject
    SandboxCommands sandboxes;
    @Inject
    CallParameters parameters;

    @GET
    public Response list(@QueryParam("filters") String filters) {
        return DockerEngineResource.json(networks.list(DockerFilters.parse(filters, DockerNetworks.LIST_FILTERS)));
    }

    @GET
    @Path("{ref}")
    public Response inspect(@PathParam("ref") String ref, @QueryParam("scope") String scope) {
        return DockerEngineResource.json(networks.inspect(ref, scope));
    }

    @POST
    @Path("create")
    public Response create(String body) {
        JsonNode request = read(body, "EOF");
        String name = text(request, "Name");
        if (name == null || name.isEmpty()) {
            throw new DockerException(500, "invalid name: " + (name == null ? "" : name));
        }
        if (PREDEFINED.contains(name)) {
            throw new DockerException(403, "operation is not permitted on predefined " + name + " network ");
        }
        List<IpamConfig> ipam = new ArrayList<>();
        JsonNode config = request.path("IPAM").path("Config");
        if (config.isArray()) {
            for (JsonNode c : config) {
                Map<String, String> aux = strings(c.path("AuxiliaryAddresses"));
                ipam.add(new IpamConfig(text(c, "Subnet"), text(c, "IPRange"), text(c, "Gateway"), aux));
            }
        }
        NetworkRequest create = new NetworkRequest(name, text(request, "Driver"), ipam,
                request.path("Internal").asBoolean(false), request.path("Attachable").asBoolean(false),
                request.path("EnableIPv6").asBoolean(false), strings(request.path("Options")),
                strings(request.path("Labels")));
        CallResult result = commands.create(create, Actor.current(), options());
        if (result.status() != 201) {
            return DockerErrors.docker(result.status(), result.message());
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("Id", result.network().id());
        answer.put("Warning", "");
        return Response.status(201).type("application/json").entity(answer + "\n").build();
    }

    @POST
    @Path("{ref}/connect")
    @ReadsOnlyItsSandbox
    public Response connect(@PathParam("ref") String ref, String body) {
        JsonNode request = read(body, "got EOF while reading request body");
        JsonNode endpoint = request.path("EndpointConfig");
        String address = text(endpoint.path("IPAMConfig"), "IPv4Address");
        List<String> aliases = new ArrayList<>();
        endpoint.path("Aliases").forEach(a -> aliases.add(a.asText()));
        return done(sandboxes.connect(ref, containerOf(request), address == null || address.isEmpty() ? null : address,
                aliases, Actor.current(), options(), false)); // Docker answers with no body: no view to wait for
    }

    @POST
    @Path("{ref}/disconnect")
    @ReadsOnlyItsSandbox
    public Response disconnect(@PathParam("ref") String ref, String body) {
        JsonNode request = read(body, "got EOF while reading request body");
        return done(sandboxes.disconnect(ref, containerOf(request), request.path("Force").asBoolean(false), Actor.current(),
                options(), false));
    }

    @DELETE
    @Path("{ref}")
    public Response remove(@PathParam("ref") String ref) {
        CallResult result;
        try {
            result = commands.remove(ref, Actor.current(), options());
        } catch (NetworkLookupException e) {
            throw new DockerException(e.notFound() ? 404 : 400, e.removeMessage());
        }
        return result.failed() ? DockerErrors.docker(result.status(), result.message()) : Response.noContent().build();
    }

    /** Removes every unused custom network that passes the filters, one ordinary remove each. */
    @POST
    @Path("prune")
    public Response prune(@QueryParam("filters") String filters) {
        DockerFilters parsed = DockerFilters.parse(filters, DockerNetworks.PRUNE_FILTERS);
        List<String> until = parsed.get("until");
        if (until.size() > 1) {
            throw new DockerException(400, "more than one until filter specified");
        }
        List<String> removed = commands.prune(networks.unused(parsed, until.isEmpty() ? null : until(until.get(0))),
                Actor.current(), options());
        ObjectNode answer = JSON.createObjectNode();
        if (removed.isEmpty()) {
            answer.putNull("NetworksDeleted");
        } else {
            ArrayNode names = answer.putArray("NetworksDeleted");
            removed.forEach(names::add);
        }
        return DockerEngineResource.json(answer);
    }

    private Response done(CallResult result) {
        if (result.failed() || result.status() == CallResult.STILL_RUNNING) {
            return DockerErrors.docker(result.status(), result.message());
        }
        return Response.ok().build(); // Docker: 200, empty body, no Content-Type
    }

    private CallOptions options() {
        return parameters.options(false, null); // Docker's calls are synchronous
    }

    private static String containerOf(JsonNode request) {
        String container = text(request, "Container");
        return container == null ? "" : container;
    }

    private static JsonNode read(String body, String whenEmpty) {
        if (body == null || body.isBlank()) {
            throw new DockerException(400, whenEmpty);
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new DockerException(400, "json: cannot unmarshal " + (node == null ? "null" : node.getNodeType()
                        .name().toLowerCase()) + " into Go value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new DockerException(400, "unexpected EOF"); // what Go's decoder says of a cut-off body
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** Docker's {@code until}: a Unix timestamp, an RFC 3339 time or a Go duration ago ({@code 24h}, {@code 90m}). */
    static Instant until(String value) {
        try {
            if (value.matches("\\d+(\\.\\d+)?")) {
                return Instant.ofEpochMilli((long) (Double.parseDouble(value) * 1000));
            }
            if (value.contains("T")) {
                return OffsetDateTime.parse(value).toInstant();
            }
            Matcher m = GO_DURATION.matcher(value);
            Duration ago = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                double amount = Double.parseDouble(m.group(1));
                long millis = (long) (amount * switch (m.group(2)) {
                    case "h" -> 3_600_000;
                    case "m" -> 60_000;
                    case "s" -> 1_000;
                    default -> 1;
                });
                ago = ago.plusMillis(millis);
                end = m.end();
            }
            if (end == value.length() && end > 0) {
                return Instant.now().minus(ago);
            }
        } catch (RuntimeException e) {
            // falls through to Docker's message
        }
        throw new DockerException(400, "failed to parse value " + value + " as a time");
    }

    @ServerExceptionMapper
    public Response docker(DockerException e) {
        return DockerErrors.error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return DockerErrors.docker(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response network(NetworkLookupException e) {
        return DockerErrors.error(e.notFound() ? 404 : 400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response sandbox(SandboxLookupException e) {
        return DockerErrors.error(e.notFound() ? 404 : 400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return DockerErrors.error(e.getResponse().getStatus(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return DockerErrors.error(500, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
}
