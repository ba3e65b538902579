package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code network.removed}: its subnet is free again. */
public record NetworkRemoved(String networkId, String name) implements EventData {
}
