package io.netplane.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The session cookie of {@code POST /api/v1/session}: valid when signed with our key and not expired. */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<SessionAuthenticationRequest> {
    @Inject
    SessionCookies sessions;

    @Override
    public Class<SessionAuthenticationRequest> getRequestType() {
        return SessionAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionAuthenticationRequest request, AuthenticationRequestContext context) {
        return sessions.verify(request.value())
                .map(s -> Uni.createFrom().item(Identities.of(s.grant(), "session")))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException(
                        "session expired or invalid: sign in again (POST /api/v1/session)")));
    }
}
