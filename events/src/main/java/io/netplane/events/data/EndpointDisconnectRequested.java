package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code endpoint.disconnect.requested}. */
public record EndpointDisconnectRequested(String sandboxId, String networkId, boolean force) implements EventData {
}
