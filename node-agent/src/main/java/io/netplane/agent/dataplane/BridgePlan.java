package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Address;
import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.Link;

import java.util.List;
import java.util.Optional;

/**
 * What must change in the kernel for a bridge to match {@link DesiredBridge}: computed from what the kernel
 * has, without touching it, so it is unit-tested without root. A link of that name that this node did not
 * mark for this network is never touched: the plan fails instead.
 */
public record BridgePlan(DesiredBridge bridge, boolean create, List<Cidr> addAddresses, boolean bringUp) {

    public static BridgePlan of(DesiredBridge desired, Optional<Link> current, List<Address> currentAddresses) {
        if (current.isEmpty()) {
            return new BridgePlan(desired, true, desired.gateways(), true);
        }
        Link link = current.get();
        String alias = desired.mark().alias();
        if (!alias.equals(link.alias())) {
            throw new DataplaneException("network " + desired.networkId() + ": bridge " + desired.name()
                    + " " + foreign(link, desired) + "; netplane leaves it untouched");
        }
        if (!"bridge".equals(link.kind())) {
            throw new DataplaneException("network " + desired.networkId() + ": link " + desired.name()
                    + " is a " + (link.kind() == null ? "device" : link.kind()) + ", not a bridge");
        }
        List<Cidr> missing = desired.gateways().stream()
                .filter(gateway -> currentAddresses.stream().noneMatch(a -> a.cidr().equals(gateway)))
                .toList();
        return new BridgePlan(desired, false, missing, !link.isUp());
    }

    private static String foreign(Link link, DesiredBridge desired) {
        Optional<OwnershipMark> mark = OwnershipMark.parse(link.alias());
        if (mark.isEmpty()) {
            return "already exists and is not netplane's (no mark " + desired.mark().alias() + ")";
        }
        if (!mark.get().node().equals(desired.mark().node())) {
            return "already exists and belongs to node " + mark.get().node();
        }
        return "already exists and belongs to " + mark.get().kind() + " " + mark.get().id();
    }

    public boolean changesNothing() {
        return !create && addAddresses.isEmpty() && !bringUp;
    }
}
