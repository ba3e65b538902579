package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;

/** {@code endpoint.connect.requested}: attach a running sandbox to one more network. */
public record EndpointConnectRequested(String sandboxId, String networkId, String endpointId, String ipv4Address,
                                       List<String> aliases) implements EventData {
}
