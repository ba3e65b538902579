package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code node.remove.requested}: the node is gone for good; release everything allocated on it. */
public record NodeRemoveRequested(String node) implements EventData {
}
