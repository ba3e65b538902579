package io.netplane.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the caller's credential: {@code Authorization: Bearer <token>}, {@code Authorization: Basic …}, or
 * (under /api/v1 only, for browsers) the session cookie. No credential → anonymous, which every path but
 * the health checks refuses ({@link AccessPolicy}) with the challenge below: 401, {@code WWW-Authenticate}
 * and a body that says how to authenticate.
 */
@ApplicationScoped
public class CredentialMechanism implements HttpAuthenticationMechanism {
    static final String FAILURE = "netplane.auth.failure";
    static final String REALM = "realm=\"netplane\"";
    static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    @Inject
    Credentials credentials;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        AuthenticationRequest request;
        try {
            request = request(context);
        } catch (AuthenticationFailedException e) {
            context.put(FAILURE, e.getMessage());
            return Uni.createFrom().failure(e);
        }
        if (request == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        return identities.authenticate(request).onFailure().invoke(e -> context.put(FAILURE, e.getMessage()));
    }

    private static AuthenticationRequest request(RoutingContext context) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && !header.isBlank()) {
            String[] parts = header.strip().split("\\s+", 2);
            String scheme = parts[0].toLowerCase(Locale.ROOT);
            String value = parts.length > 1 ? parts[1].strip() : "";
            if (value.isEmpty()) {
                throw new AuthenticationFailedException("empty " + parts[0] + " credential");
            }
            return switch (scheme) {
                case "bearer" -> new TokenAuthenticationRequest(new TokenCredential(value, "bearer"));
                case "basic" -> basic(value);
                default -> throw new AuthenticationFailedException("unsupported authorization scheme \"" + parts[0]
                        + "\": use Bearer or Basic");
            };
        }
        String path = context.normalizedPath();
        Cookie cookie = context.request().getCookie(SessionCookies.NAME);
        if (cookie != null && path != null && (path.equals(SessionCookies.PATH) || path.startsWith(SessionCookies.PATH + "/"))) {
            return new SessionAuthenticationRequest(cookie.getValue());
        }
        return null;
    }

    private static AuthenticationRequest basic(String encoded) {
        String plain;
        try {
            plain = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationFailedException("malformed Basic credential: not base64");
        }
        int colon = plain.indexOf(':');
        if (colon < 0) {
            throw new AuthenticationFailedException("malformed Basic credential: expected user:password");
        }
        return new UsernamePasswordAuthenticationRequest(plain.substring(0, colon),
                new PasswordCredential(plain.substring(colon + 1).toCharArray()));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class, UsernamePasswordAuthenticationRequest.class,
                SessionAuthenticationRequest.class);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, WWW_AUTHENTICATE, "Bearer " + REALM));
    }

    /** 401 with the challenge(s) and a body that says what was wrong and how to authenticate. */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        List<String> challenges = new ArrayList<>(List.of("Bearer " + REALM));
        if (credentials.hasUsers()) {
            challenges.add("Basic " + REALM + ", charset=\"UTF-8\"");
        }
        context.response().headers().set(WWW_AUTHENTICATE, challenges);
        String failure = context.get(FAILURE);
        String message;
        if (failure != null) {
            message = "authentication failed: " + failure;
        } else if (AuthErrors.nativeApi(context.normalizedPath())) {
            message = "authentication required: send Authorization: Bearer <token> (or HTTP basic credentials),"
                    + " or sign in with POST /api/v1/session for a session cookie";
        } else {
            message = "authentication required: netplane needs a token; put {\"HttpHeaders\": {\"Authorization\":"
                    + " \"Bearer <token>\"}} into $DOCKER_CONFIG/config.json (default ~/.docker/config.json)";
        }
        AuthErrors.send(context, 401, "unauthorized", message, Map.of("schemes",
                challenges.stream().map(c -> c.substring(0, c.indexOf(' '))).toList()));
        return Uni.createFrom().item(true);
    }
}
