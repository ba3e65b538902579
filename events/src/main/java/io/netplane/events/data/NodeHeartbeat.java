package io.netplane.events.data;

import io.netplane.events.EventData;

import java.util.List;

/** {@code node.heartbeat}: the agent is alive; routes may have changed since it joined. */
public record NodeHeartbeat(String node, List<String> routedSubnets, int networks, int sandboxes, int endpoints)
        implements EventData {
}
