package io.netplane.api.auth;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** A grant as a Quarkus security identity: the principal's name and its role with every lower one. */
final class Identities {
    private Identities() {
    }

    static SecurityIdentity of(Grant grant, String via) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(grant.principal()))
                .addRoles(grant.role().names())
                .addAttribute("netplane.credential", via)
                .build();
    }
}
