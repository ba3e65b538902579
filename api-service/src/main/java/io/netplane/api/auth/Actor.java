package io.netplane.api.auth;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.security.identity.SecurityIdentity;

/** The authenticated principal of the current request: every intent's {@code actor}. */
public final class Actor {
    private Actor() {
    }

    public static String current() {
        try (InstanceHandle<SecurityIdentity> identity = Arc.container().instance(SecurityIdentity.class)) {
            if (identity.isAvailable() && !identity.get().isAnonymous()) {
                return identity.get().getPrincipal().getName();
            }
        }
        return "anonymous"; // not reachable through HTTP: AccessPolicy refuses anonymous calls
    }
}
