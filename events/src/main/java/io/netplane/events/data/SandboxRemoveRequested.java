package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code sandbox.remove.requested}: release its endpoints, ports and netns. */
public record SandboxRemoveRequested(String sandboxId) implements EventData {
}
