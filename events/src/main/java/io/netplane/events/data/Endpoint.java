package io.netplane.events.data;

import io.netplane.events.EventData;

import java.time.Instant;
import java.util.List;

/**
 * One attachment of a sandbox to a network: the data of {@code endpoint.allocated} and of the desired record
 * {@code endpoint/<id>}.
 */
public record Endpoint(String id, String sandboxId, String networkId, String node, String ifname,
                       List<EndpointAddress> addresses, String mac, List<PortBinding> ports, List<String> aliases,
                       Instant created) implements EventData {
}
