package io.netplane.api.readmodel;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.PortBinding;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sandbox in the native API: ipam's records plus what its node reported. {@code networks} is keyed by
 * network name. {@code state}: pending (not yet built on its node), ready (the sandbox and every
 * endpoint ready), failed (the sandbox or an endpoint failed; {@code error} says why). {@code mode}: bridge,
 * host, none or container ({@code containerOf}: the id of the sandbox whose namespace it shares).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxView(String id, String name, String node, String mode, String netns, String hostname,
                          String containerOf, Map<String, Attachment> networks, List<PortBinding> ports, String state,
                          String error, Instant created, List<String> warnings) {
    public static final String PENDING = "pending";
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    /** The same view with the warnings a create gives back (Docker's CLI prints them). */
    public SandboxView withWarnings(List<String> warnings) {
        return new SandboxView(id, name, node, mode, netns, hostname, containerOf, networks, ports, state, error, created,
                List.copyOf(warnings));
    }

    /** One endpoint. {@code state}: allocated (by ipam, not yet built), ready, failed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attachment(String networkId, String endpointId, String ifname, String ipAddress,
                             Integer prefixLength, String gateway, String macAddress, List<String> aliases,
                             String state, String error) {

        public static Attachment of(String networkId, String endpointId, String ifname, List<EndpointAddress> addresses,
                                    String mac, List<String> aliases, String state, String error) {
            EndpointAddress v4 = addresses == null ? null : addresses.stream()
                    .filter(a -> a.family() == null || a.family() == Family.ipv4).findFirst().orElse(null);
            return new Attachment(networkId, endpointId, ifname, v4 == null ? null : v4.address(),
                    v4 == null ? null : v4.prefixLength(), v4 == null ? null : v4.gateway(), mac,
                    aliases == null ? List.of() : aliases, state, error);
        }
    }

    /** The sandbox's state from its own and its endpoints' states. */
    public static String state(String sandboxState, List<String> endpointStates) {
        if ("failed".equals(sandboxState) || endpointStates.contains("failed")) {
            return FAILED;
        }
        if ("ready".equals(sandboxState) && endpointStates.stream().allMatch("ready"::equals)) {
            return READY;
        }
        return PENDING;
    }
}
