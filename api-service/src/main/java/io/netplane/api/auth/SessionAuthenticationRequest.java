package io.netplane.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The value of the {@code netplane_session} cookie, to be checked by {@link SessionIdentityProvider}. */
public class SessionAuthenticationRequest extends BaseAuthenticationRequest {
    private final String value;

    public SessionAuthenticationRequest(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
