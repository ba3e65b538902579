package io.netplane.ipam.it;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;
import java.util.UUID;

/**
 * A test profile with its own topic prefix and consumer groups, so each test class starts a fresh app on a
 * freshly cleaned schema and sees only its own events.
 */
public abstract class OwnTopics implements QuarkusTestProfile {
    private final String prefix = "nptest-ipam-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "netplane.topics.prefix", prefix,
                "netplane.ipam.intents-group", prefix + "-ipam",
                "netplane.ipam.nodes-group", prefix + "-ipam-nodes",
                // never the name of a running stack's default bridge
                "netplane.bridge.default-name", "nptest0");
    }

    public static final class PoolOrder extends OwnTopics { }

    public static final class Intents extends OwnTopics { }

    public static final class NodeRoutes extends OwnTopics { }

    public static final class Relay extends OwnTopics { }

    public static final class Sandboxes extends OwnTopics { }

    public static final class Concurrency extends OwnTopics { }
}
