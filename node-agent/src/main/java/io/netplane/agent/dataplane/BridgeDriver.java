package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.events.data.Network;

import java.util.List;
import java.util.Optional;

/**
 * The {@code bridge} driver on one node: a Linux bridge per network, marked as this node's, holding the
 * gateway address(es), up. Setup is plan-then-apply; a bridge it created is deleted again if a later step fails.
 */
public final class BridgeDriver implements NetworkDriver {
    private final Rtnetlink kernel;
    private final String node;
    private final String defaultBridgeName;

    public BridgeDriver(Rtnetlink kernel, String node, String defaultBridgeName) {
        this.kernel = kernel;
        this.node = node;
        this.defaultBridgeName = defaultBridgeName;
    }

    @Override
    public NetworkState setup(Network network) {
        DesiredBridge desired = DesiredBridge.of(network, node, defaultBridgeName);
        try {
            Optional<Link> current = kernel.links().get(desired.name());
            BridgePlan plan = BridgePlan.of(desired, current,
                    current.map(link -> kernel.addresses().list(link.index())).orElse(List.of()));
            return apply(plan, current);
        } catch (KernelException e) {
            throw new DataplaneException("network " + network.id() + ": " + e.getMessage(), e);
        }
    }

    private NetworkState apply(BridgePlan plan, Optional<Link> current) {
        DesiredBridge desired = plan.bridge();
        Link link = plan.create() ? kernel.links().createBridge(desired.name(), desired.mark().alias()) : current.orElseThrow();
        try {
            for (Cidr address : plan.addAddresses()) {
                kernel.addresses().add(link.index(), desired.name(), address);
            }
            if (plan.bringUp()) {
                kernel.links().setUp(link.index(), desired.name());
            }
        } catch (KernelException e) {
            if (plan.create()) {
                try {
                    kernel.links().delete(link.index(), desired.name());
                } catch (KernelException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
        return new NetworkState(desired.networkId(), desired.name(), link.index());
    }

    /** Deletes the link(s) this node marked for the network, whatever their name; none left is success. */
    @Override
    public void teardown(String networkId) {
        String alias = OwnershipMark.network(node, networkId).alias();
        try {
            for (Link link : kernel.links().list()) {
                if (alias.equals(link.alias())) {
                    kernel.links().deleteByName(link.name()); // by name: gone already counts as deleted
                }
            }
        } catch (KernelException e) {
            throw new DataplaneException("network " + networkId + ": " + e.getMessage(), e);
        }
    }
}
