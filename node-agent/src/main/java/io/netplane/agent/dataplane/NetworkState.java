package io.netplane.agent.dataplane;

/** A network built on this node: its bridge and the bridge's ifindex (null and 0 for host/null networks). */
public record NetworkState(String networkId, String bridge, int ifindex) {
}
