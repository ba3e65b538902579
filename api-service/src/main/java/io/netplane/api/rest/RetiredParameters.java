package io.netplane.api.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;

/** {@code ?async=true} became {@code ?wait=false}: an old caller learns it instead of silently waiting. */
public class RetiredParameters {

    @ServerRequestFilter
    public Response refuseAsync(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().startsWith("/api/v1/")
                && request.getUriInfo().getQueryParameters().containsKey("async")) {
            return ErrorMappers.error(400, ErrorCode.INVALID_REQUEST,
                    "the async parameter was replaced by wait: use wait=false to get 202 with the operation id at once, "
                            + "or leave it out to wait for the outcome", Map.of("field", "async"));
        }
        return null;
    }
}
