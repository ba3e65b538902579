package io.netplane.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netplane.api.auth.Actor;
import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallResult;
import io.netplane.api.operations.NetworkCommands;
import io.netplane.api.operations.SandboxCommands;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.NetworkView;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** Networks in the native API. */
@Path("/api/v1/networks")
@Produces(MediaType.APPLICATION_JSON)
public class NetworkResource {
    static final String ACTOR_HEADER = "X-Netplane-Actor";
    static final String OPERATION_HEADER = "X-Netplane-Operation";
    // the body is read here, so a malformed one gets our 400 and message, whatever its Content-Type
    private static final ObjectMapper BODY = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Inject
    NetworkCommands commands;
    @Inject
    SandboxCommands sandboxes;
    @Inject
    NetworkCatalog catalog;
    @Inject
    CallParameters parameters;

    @GET
    public List<NetworkView> list() {
        return catalog.list();
    }

    @GET
    @Path("{ref}")
    public NetworkView inspect(@PathParam("ref") String ref) {
        return catalog.view(ref);
    }

    @POST
    public Response create(String body, @QueryParam("async") boolean async, @QueryParam("timeout") String timeout,
                           @HeaderParam(ACTOR_HEADER) String actor) {
        CreateNetworkBody request = parse(body, CreateNetworkBody.class, "{\"name\": \"n1\"}");
        CallResult result = commands.create(request.toRequest(), actor(actor), parameters.options(async, timeout));
        if (result.status() == 201) {
            return Response.created(URI.create("/api/v1/networks/" + result.network().id()))
                    .header(OPERATION_HEADER, result.operation())
                    .entity(result.network()).build();
        }
        return answer(result);
    }

    @DELETE
    @Path("{ref}")
    public Response remove(@PathParam("ref") String ref, @QueryParam("async") boolean async,
                           @QueryParam("timeout") String timeout, @HeaderParam(ACTOR_HEADER) String actor) {
        try {
            return answer(commands.remove(ref, actor(actor), parameters.options(async, timeout)));
        } catch (NetworkLookupException e) {
            throw new ApiException(e.notFound() ? 404 : 400, e.removeMessage());
        }
    }

    /** Attaches a sandbox to the network: 200 with the sandbox. */
    @POST
    @Path("{ref}/connect")
    public Response connect(@PathParam("ref") String ref, String body, @QueryParam("async") boolean async,
                            @QueryParam("timeout") String timeout, @HeaderParam(ACTOR_HEADER) String actor) {
        EndpointBodies.Connect request = parse(body, EndpointBodies.Connect.class, "{\"sandbox\": \"c1\"}");
        return answer(sandboxes.connect(ref, request.sandbox(), request.ipv4Address(), request.aliases(), actor(actor),
                parameters.options(async, timeout)));
    }

    /** Detaches a sandbox from the network: 200 with the sandbox. */
    @POST
    @Path("{ref}/disconnect")
    public Response disconnect(@PathParam("ref") String ref, String body, @QueryParam("async") boolean async,
                               @QueryParam("timeout") String timeout, @HeaderParam(ACTOR_HEADER) String actor) {
        EndpointBodies.Disconnect request = parse(body, EndpointBodies.Disconnect.class, "{\"sandbox\": \"c1\"}");
        return answer(sandboxes.disconnect(ref, request.sandbox(), Boolean.TRUE.equals(request.force()), actor(actor),
                parameters.options(async, timeout)));
    }

    static Response answer(CallResult result) {
        if (result.status() == CallResult.ACCEPTED) {
            return Response.accepted(Map.of("operation", result.operation()))
                    .location(URI.create("/api/v1/operations/" + result.operation()))
                    .header(OPERATION_HEADER, result.operation()).build();
        }
        if (result.failed() || result.status() == CallResult.STILL_RUNNING) {
            return ErrorMappers.error(result.status(), result.message(), result.operation());
        }
        return Response.status(result.status()).header(OPERATION_HEADER, result.operation()).entity(result.body()).build();
    }

    /** The authenticated principal; the X-Netplane-Actor header is no longer trusted (its parameter is unused). */
    static String actor(String header) {
        return Actor.current();
    }

    /** Reads the body here, so a malformed one gets our 400 and message, whatever its Content-Type. */
    static <T> T parse(String body, Class<T> type, String example) {
        if (body == null || body.isBlank()) {
            throw new ApiException(400, "a JSON body is required, e.g. " + example);
        }
        try {
            T request = BODY.readValue(body, type);
            if (request == null) {
                throw new ApiException(400, "a JSON body is required, e.g. " + example);
            }
            return request;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid JSON body: " + e.getOriginalMessage());
        }
    }
}
