package io.netplane.api.rest;

import io.netplane.api.operations.ApiException;
import io.netplane.api.operations.CallOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads how a mutating call waits: {@code ?wait=false} answers 202 at once, else the call waits up to
 * {@code ?timeout=5s} (ms, s or m; a bare number is seconds; default {@code netplane.api.call-timeout}).
 * Query values are read here, not by JAX-RS, so a bad one is our 400 (JAX-RS would answer 404).
 */
@ApplicationScoped
public class CallParameters {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)?");
    /** Longer than any proxy or client keeps a request open: beyond it, use wait=false. */
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    @ConfigProperty(name = "netplane.api.call-timeout", defaultValue = "15s")
    Duration callTimeout;

    /** The native API's {@code wait} and {@code timeout}. */
    public CallOptions options(String wait, String timeout) {
        return options(!flag("wait", wait, true), timeout);
    }

    public CallOptions options(boolean async, String timeout) {
        if (timeout == null || timeout.isBlank()) {
            return new CallOptions(async, callTimeout);
        }
        Matcher m = DURATION.matcher(timeout.trim());
        if (!m.matches()) {
            throw invalid("timeout", timeout, "invalid timeout \"" + timeout + "\": use a number with ms, s or m, e.g. 5s");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw invalid("timeout", timeout, "invalid timeout \"" + timeout
                    + "\": from 1ms to 10m; to not wait at all use wait=false");
        }
        return new CallOptions(async, d);
    }

    /** A boolean query parameter: true/false/1/0 (any case), absent or empty = {@code absent}. */
    public static boolean flag(String name, String value, boolean absent) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw invalid(name, value, "invalid " + name + " \"" + value + "\": use " + name + "=true or "
                    + name + "=false");
        };
    }

    static ApiException invalid(String field, String value, String message) {
        return new ApiException(400, ErrorCode.INVALID_REQUEST, message, null, Map.of("field", field, "value", value));
    }
}
