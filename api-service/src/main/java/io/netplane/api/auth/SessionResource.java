package io.netplane.api.auth;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sign-in for browsers (EventSource and fetch cannot be given an Authorization header by a page): POST
 * with a token or basic credentials sets the session cookie, DELETE clears it, GET says who is signed in.
 */
@Path("/api/v1/session")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    @Inject
    SecurityIdentity identity;
    @Inject
    SessionCookies sessions;

    @POST
    public Response signIn() {
        SessionCookies.Session session = sessions.issue(grant());
        Map<String, Object> body = describe();
        body.put("expires", session.expires().toString());
        return Response.ok(body).header(HttpHeaders.SET_COOKIE, sessions.setCookie(session))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @GET
    public Map<String, Object> whoAmI() {
        return describe();
    }

    @DELETE
    public Response signOut() {
        return Response.noContent().header(HttpHeaders.SET_COOKIE, sessions.clearCookie()).build();
    }

    private Grant grant() {
        Role role = Role.highest(identity.getRoles()).orElseThrow();
        return new Grant(identity.getPrincipal().getName(), role);
    }

    private Map<String, Object> describe() {
        Grant grant = grant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("principal", grant.principal());
        body.put("role", grant.role().wireName());
        body.put("credential", identity.getAttribute("netplane.credential"));
        return body;
    }
}
