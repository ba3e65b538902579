package io.netplane.events.data;

import io.netplane.events.EventData;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The whole record of a network, as ipam-service holds it: the data of {@code network.created} and of the
 * desired record {@code network/<id>}. {@code bridge} is the Linux bridge name on every node (null for
 * host/null drivers); {@code vni} is set for overlay networks.
 */
public record Network(String id, String name, String driver, String scope, List<SubnetAllocation> subnets,
                      boolean internal, boolean attachable, boolean enableIpv6, Map<String, String> options,
                      Map<String, String> labels, Integer vni, String bridge, boolean predefined, Instant created)
        implements EventData {
}
