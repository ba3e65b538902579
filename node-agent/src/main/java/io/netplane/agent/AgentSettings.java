package io.netplane.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What a node agent needs to run; the Quarkus configuration fills it (see application.properties).
 * {@code netns}: a network namespace the agent's kernel work lives in instead of the host's (a simulated host,
 * or a test's throwaway host). {@code firewallTable} empty: no firewall (the node's firewall is someone else's).
 * {@code underlayAddress}: the address VXLAN traffic of overlay networks uses; empty = the address of the link
 * carrying the default route (in {@code netns} for a simulated host).
 */
public record AgentSettings(String node, String bootstrapServers, String topicPrefix, String defaultBridgeName,
                            Duration heartbeatInterval, String version, Path stateDir, String firewallTable,
                            Optional<String> netns, Duration reconcileInterval, Optional<String> underlayAddress) {
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/netplane/agent");

    public AgentSettings {
        if (node == null || node.isBlank() || node.contains(":")) {
            throw new IllegalArgumentException("netplane.node.name must be non-empty and without ':', got '" + node + "'");
        }
    }

    /** The underlay address found on the host (the default route's link). */
    public AgentSettings(String node, String bootstrapServers, String topicPrefix, String defaultBridgeName,
                         Duration heartbeatInterval, String version, Path stateDir, String firewallTable,
                         Optional<String> netns, Duration reconcileInterval) {
        this(node, bootstrapServers, topicPrefix, defaultBridgeName, heartbeatInterval, version, stateDir, firewallTable,
                netns, reconcileInterval, Optional.empty());
    }

    /** Bridges only: the default state folder, no firewall, the host's namespace, converge every 30 s. */
    public AgentSettings(String node, String bootstrapServers, String topicPrefix, String defaultBridgeName,
                         Duration heartbeatInterval, String version) {
        this(node, bootstrapServers, topicPrefix, defaultBridgeName, heartbeatInterval, version, DEFAULT_STATE_DIR, "",
                Optional.empty(), Duration.ofSeconds(30));
    }
}
