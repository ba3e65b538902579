package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code sandbox.ready}: the netns (or shared namespace) exists on the node. */
public record SandboxReady(String sandboxId, String node, String netns) implements EventData {
}
