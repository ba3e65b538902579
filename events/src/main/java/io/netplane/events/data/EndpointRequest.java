package io.netplane.events.data;

import java.util.List;

/** One network a new sandbox asks for, with an optional static address and aliases. */
public record EndpointRequest(String networkId, String endpointId, String ipv4Address, List<String> aliases) {
}
