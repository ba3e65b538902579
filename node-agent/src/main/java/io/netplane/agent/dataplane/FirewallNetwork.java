package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;

import java.util.List;

/** A network as the firewall sees it: its bridge, its subnets (network addresses), whether it is internal. */
public record FirewallNetwork(String networkId, String bridge, List<Cidr> subnets, boolean internal) {
}
