package io.netplane.agent.dataplane;

/** A sandbox built on this node: its netns name under /run/netns, or null when it shares the host's. */
public record SandboxState(String sandboxId, String netns) {
}
