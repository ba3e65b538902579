package io.netplane.api.rest;

import io.netplane.api.operations.ApiException;
import io.netplane.api.readmodel.NetworkLookupException;
import io.netplane.api.readmodel.SandboxLookupException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into {@code {"message": ...}} with its status; never an HTML or empty error page. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Response error(int status, String message, String operation) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(message, operation)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage(), e.operation());
    }

    @ServerExceptionMapper
    public Response lookup(NetworkLookupException e) {
        return error(e.notFound() ? 404 : 400, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response sandboxLookup(SandboxLookupException e) {
        return error(e.notFound() ? 404 : 400, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "page not found";
            case 405 -> "method not allowed";
            case 415 -> "unsupported media type";
            default -> e.getMessage();
        };
        return error(status, message, null);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return error(500, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), null);
    }
}
