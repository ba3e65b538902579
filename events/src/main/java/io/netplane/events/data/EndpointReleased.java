package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code endpoint.released}: its address, MAC and host ports are free again. */
public record EndpointReleased(String endpointId, String sandboxId, String networkId, String node)
        implements EventData {
}
