package io.netplane.agent;

import java.time.Duration;

/** What a node agent needs to run; the Quarkus configuration fills it (see application.properties). */
public record AgentSettings(String node, String bootstrapServers, String topicPrefix, String defaultBridgeName,
                            Duration heartbeatInterval, String version) {
    public AgentSettings {
        if (node == null || node.isBlank() || node.contains(":")) {
            throw new IllegalArgumentException("netplane.node.name must be non-empty and without ':', got '" + node + "'");
        }
    }
}
