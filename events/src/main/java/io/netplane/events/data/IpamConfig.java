package io.netplane.events.data;

import java.util.Map;

/** One entry of a user's IPAM configuration, as given (validated by api-service, allocated by ipam). */
public record IpamConfig(String subnet, String ipRange, String gateway, Map<String, String> auxAddresses) {
}
