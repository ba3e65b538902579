package io.netplane.events.data;

import io.netplane.events.EventData;

/** {@code sandbox.removed}. */
public record SandboxRemoved(String sandboxId, String name, String node) implements EventData {
}
