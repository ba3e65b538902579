package io.netplane.api.auth;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The browser's credential: a signed, expiring cookie {@code netplane_session=<payload>.<HMAC-SHA256>},
 * payload = base64url of {@code principal \n role \n expiry epoch seconds}. Nothing is stored server side, so
 * any replica with the same key accepts it; signing out clears the browser's cookie.
 */
@ApplicationScoped
public class SessionCookies {
    public static final String NAME = "netplane_session";
    public static final String PATH = "/api/v1";
    private static final Logger LOG = Logger.getLogger(SessionCookies.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @ConfigProperty(name = "netplane.auth.session.key")
    Optional<String> configuredKey;
    @ConfigProperty(name = "netplane.auth.session.lifetime", defaultValue = "8h")
    Duration lifetime;
    @ConfigProperty(name = "netplane.auth.session.secure", defaultValue = "false")
    boolean secure;

    private SecretKeySpec key;

    public record Session(Grant grant, Instant expires) {
    }

    @PostConstruct
    void init() {
        byte[] bytes;
        if (configuredKey.isPresent() && !configuredKey.get().isBlank()) {
            bytes = configuredKey.get().getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) {
                throw new IllegalArgumentException("netplane.auth.session.key needs at least 32 characters");
            }
        } else {
            bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            LOG.debug("netplane.auth.session.key not set: sessions are signed with a random key of this replica");
        }
        key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    public Session issue(Grant grant) {
        return new Session(grant, Instant.now().plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** The cookie's value for a session. */
    public String value(Session s) {
        String payload = B64.encodeToString((s.grant().principal() + "\n" + s.grant().role().wireName() + "\n"
                + s.expires().getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(sign(payload));
    }

    public String setCookie(Session s) {
        return NAME + "=" + value(s) + "; Path=" + PATH + "; Max-Age=" + lifetime.toSeconds() + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    public String clearCookie() {
        return NAME + "=; Path=" + PATH + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    /** The session of a cookie value, if its signature is ours and it has not expired. */
    public Optional<Session> verify(String value) {
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload = value.substring(0, dot);
        try {
            byte[] signature = Base64.getUrlDecoder().decode(value.substring(dot + 1));
            if (!MessageDigest.isEqual(sign(payload), signature)) {
                return Optional.empty();
            }
            String[] parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\n");
            Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[2]));
            Optional<Role> role = Role.of(parts[1]);
            if (parts.length != 3 || role.isEmpty() || expires.isBefore(Instant.now())) {
                return Optional.empty();
            }
            return Optional.of(new Session(new Grant(parts[0], role.get()), expires));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private byte[] sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
