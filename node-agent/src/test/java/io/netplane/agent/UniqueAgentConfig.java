package io.netplane.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Gives a @QuarkusTest agent its own topics, node name and default bridge, so it never reconciles another
 * test's (or a running stack's) networks, and fails the test under CI=true when root or Kafka is missing.
 */
public class UniqueAgentConfig implements QuarkusTestResourceLifecycleManager {
    static final String NODE = "npt-q-" + IpCommand.hex(3);
    static final String PREFIX = "nptest-" + IpCommand.hex(4);
    static final String DEFAULT_BRIDGE = "npt" + IpCommand.hex(4);

    @Override
    public Map<String, String> start() {
        return Map.of(
                "netplane.node.name", NODE,
                "netplane.topics.prefix", PREFIX,
                "netplane.bridge.default-name", DEFAULT_BRIDGE,
                "netplane.node.heartbeat-interval", "1s");
    }

    @Override
    public void stop() {
        IpCommand.deleteQuietly(DEFAULT_BRIDGE);
    }
}
