package io.netplane.api.auth;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * The path policy {@code netplane-access} (application.properties puts every path but the health checks
 * under it): anonymous → 401 (the challenge of {@link CredentialMechanism}); a role below what
 * {@link AccessRules} asks → 403 with a body that says which role the call needs.
 */
@ApplicationScoped
public class AccessPolicy implements HttpSecurityPolicy {
    private static final String DENIED = "netplane.auth.denied";

    private record Denied(String principal, Role role, Role needed, String method, String path) {
    }

    @Override
    public String name() {
        return "netplane-access";
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
                                            AuthorizationRequestContext context) {
        return identity.map(id -> {
            if (id.isAnonymous()) {
                return CheckResult.DENY;
            }
            String method = request.request().method().name();
            String path = request.normalizedPath();
            Role needed = AccessRules.needed(method, path);
            Role role = Role.highest(id.getRoles()).orElse(null);
            if (role != null && role.grants(needed)) {
                return CheckResult.PERMIT;
            }
            request.put(DENIED, new Denied(id.getPrincipal().getName(), role, needed, method, path));
            return CheckResult.DENY;
        });
    }

    /** Turns the authorizer's ForbiddenException into our 403 body (before Quarkus's own failure handlers). */
    void forbidden(@Observes Router router) {
        router.route().order(-1100).failureHandler(rc -> {
            Denied d = rc.get(DENIED);
            if (!(rc.failure() instanceof ForbiddenException) || d == null || rc.response().ended()) {
                rc.next();
                return;
            }
            String role = d.role() == null ? "no role" : "role " + d.role().wireName();
            AuthErrors.send(rc, 403, "forbidden", "permission denied: " + d.principal() + " (" + role + ") may not "
                    + d.method() + " " + d.path() + ": that needs role " + d.needed().wireName(),
                    Map.of("principal", d.principal(), "role", d.role() == null ? "" : d.role().wireName(),
                            "required", d.needed().wireName()));
        });
    }
}
