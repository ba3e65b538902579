package io.netplane.api.rest;

import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code ?async=true} and {@code ?timeout=5s} (ms, s or m; a bare number is seconds). */
@ApplicationScoped
public class CallParameters {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    @ConfigProperty(name = "netplane.api.call-timeout", defaultValue = "15s")
    Duration callTimeout;

    public CallOptions options(boolean async, String timeout) {
        if (timeout == null || timeout.isBlank()) {
            return new CallOptions(async, callTimeout);
        }
        Matcher m = DURATION.matcher(timeout.trim());
        if (!m.matches()) {
            throw new ApiException(400, "invalid timeout \"" + timeout + "\": use a number with ms, s or m, e.g. 5s");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        return new CallOptions(async, d);
    }
}
