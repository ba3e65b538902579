package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code node.left}: the agent stopped on purpose. */
public record NodeLeft(String node, String reason) implements EventData {
}
