package io.netplane.agent.dataplane;

import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test networks as ipam-service would publish them on desired. */
public final class Networks {
    private Networks() {
    }

    public static Network bridge(String id, String bridge, String subnet, String gateway) {
        return new Network(id, "n-" + id.substring(0, 6), "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, subnet, gateway, null, true, false)),
                false, false, false, Map.of(), Map.of(), null, bridge, false, Instant.parse("2026-01-01T00:00:00Z"));
    }

    public static Network predefinedBridge(String id) {
        return new Network(id, "bridge", "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, "172.17.0.0/16", "172.17.0.1", null, true, false)),
                false, false, false, Map.of(), Map.of(), null, "np0", true, Instant.parse("2026-01-01T00:00:00Z"));
    }

    public static Network withDriver(String id, String driver) {
        return new Network(id, driver, driver, "local", List.of(), false, false, false, Map.of(), Map.of(),
                null, null, true, Instant.parse("2026-01-01T00:00:00Z"));
    }
}
