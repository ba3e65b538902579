package io.netplane.api.rest;

import io.netplane.api.operations.CallResult;
import io.netplane.api.operations.SandboxCommands;
import io.netplane.api.readmodel.SandboxCatalog;
import io.netplane.api.readmodel.SandboxView;
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

/** Sandboxes in the native API (the network side of a container). */
@Path("/api/v1/sandboxes")
@Produces(MediaType.APPLICATION_JSON)
public class SandboxResource {
    @Inject
    SandboxCommands commands;
    @Inject
    SandboxCatalog catalog;
    @Inject
    CallParameters parameters;

    @GET
    public List<SandboxView> list() {
        return catalog.list();
    }

    @GET
    @Path("{ref}")
    public SandboxView inspect(@PathParam("ref") String ref) {
        return catalog.view(ref);
    }

    @POST
    public Response create(String body, @QueryParam("async") boolean async, @QueryParam("timeout") String timeout,
                           @HeaderParam(NetworkResource.ACTOR_HEADER) String actor) {
        CreateSandboxBody request = NetworkResource.parse(body, CreateSandboxBody.class, "{\"name\": \"c1\"}");
        CallResult result = commands.create(request.toRequest(), NetworkResource.actor(actor),
                parameters.options(async, timeout));
        if (result.status() == 201) {
            return Response.created(URI.create("/api/v1/sandboxes/" + result.sandbox().id()))
                    .header(NetworkResource.OPERATION_HEADER, result.operation())
                    .entity(result.sandbox()).build();
        }
        return NetworkResource.answer(result);
    }

    @DELETE
    @Path("{ref}")
    public Response remove(@PathParam("ref") String ref, @QueryParam("async") boolean async,
                           @QueryParam("timeout") String timeout, @QueryParam("force") boolean force,
                           @HeaderParam(NetworkResource.ACTOR_HEADER) String actor) {
        return NetworkResource.answer(commands.remove(ref, force, NetworkResource.actor(actor),
                parameters.options(async, timeout)));
    }
}
