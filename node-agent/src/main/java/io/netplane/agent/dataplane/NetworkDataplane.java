package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.events.data.Network;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Networks on this node: dispatches to the network's driver, tears down by ownership mark, and finds the
 * networks this node built that are no longer desired. Call it from the kernel thread only.
 */
public final class NetworkDataplane {
    private final Rtnetlink kernel;
    private final String node;
    private final Map<String, NetworkDriver> drivers;
    private final Firewall firewall;
    private final String defaultBridgeName;

    public NetworkDataplane(Rtnetlink kernel, String node, String defaultBridgeName) {
        this(kernel, node, defaultBridgeName, Firewall.NONE);
    }

    public NetworkDataplane(Rtnetlink kernel, String node, String defaultBridgeName, Firewall firewall) {
        this.kernel = kernel;
        this.node = node;
        this.firewall = firewall;
        this.defaultBridgeName = defaultBridgeName;
        NetworkDriver none = new KernelFreeDriver();
        this.drivers = Map.of(
                "bridge", new BridgeDriver(kernel, node, defaultBridgeName),
                "host", none,
                "null", none,
                "overlay", new UnsupportedDriver("overlay"));
    }

    public NetworkState setup(Network network) {
        NetworkDriver driver = drivers.get(network.driver());
        if (driver == null) {
            throw new DataplaneException("network " + network.id() + ": unknown driver " + network.driver());
        }
        NetworkState state = driver.setup(network);
        if (state.bridge() != null) {
            // the bridge's subnets, isolation and masquerade: elements of the firewall's sets
            firewall.addNetwork(network.id(), state.bridge(),
                    DesiredBridge.of(network, node, defaultBridgeName).gateways(), network.internal());
        }
        return state;
    }

    /** The Linux bridge name of a bridge network on this node (the default name for the predefined one). */
    public String bridgeName(Network network) {
        return DesiredBridge.of(network, node, defaultBridgeName).name();
    }

    /** Removes what any driver made for the network (a tombstone does not say which driver it had). */
    public void teardown(String networkId) {
        firewall.removeNetwork(networkId);
        for (NetworkDriver driver : Set.copyOf(drivers.values())) {
            driver.teardown(networkId);
        }
    }

    /** Ids of the networks whose links carry this node's mark but which are not in {@code desired}. */
    public Set<String> stale(Set<String> desired) {
        Set<String> stale = new LinkedHashSet<>();
        for (Link link : links()) {
            if (!OwnershipMark.isOwnedBy(link.alias(), node)) {
                continue; // another node's, or not netplane's at all: never ours to delete
            }
            OwnershipMark.parse(link.alias())
                    .filter(mark -> OwnershipMark.NETWORK.equals(mark.kind()) && !desired.contains(mark.id()))
                    .ifPresent(mark -> stale.add(mark.id()));
        }
        return stale;
    }

    /** Networks with a link marked by this node. */
    public int count() {
        return (int) links().stream().filter(l -> OwnershipMark.isOwnedBy(l.alias(), node)).count();
    }

    private List<Link> links() {
        try {
            return kernel.links().list();
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
    }
}
