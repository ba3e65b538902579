package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code network.remove.requested}. */
public record NetworkRemoveRequested(String networkId) implements EventData {
}
