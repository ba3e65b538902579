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
    private final OverlayDriver overlay;
    private final OverlayPeers overlayPeers;

    public NetworkDataplane(Rtnetlink kernel, String node, String defaultBridgeName) {
        this(kernel, node, defaultBridgeName, Firewall.NONE);
    }

    public NetworkDataplane(Rtnetlink kernel, String node, String defaultBridgeName, Firewall firewall) {
        this(kernel, node, defaultBridgeName, firewall, Underlay.NONE);
    }

    /** {@code underlay}: where this node's VXLAN devices send from (overlay networks). */
    public NetworkDataplane(Rtnetlink kernel, String node, String defaultBridgeName, Firewall firewall,
                            Underlay underlay) {
        this.kernel = kernel;
        this.node = node;
        this.firewall = firewall;
        this.defaultBridgeName = defaultBridgeName;
        NetworkDriver none = new KernelFreeDriver();
        this.overlay = new OverlayDriver(kernel, node, defaultBridgeName, underlay);
        this.overlayPeers = new OverlayPeers(kernel, node);
        this.drivers = Map.of(
                "bridge", new BridgeDriver(kernel, node, defaultBridgeName),
                "host", none,
                "null", none,
                "overlay", overlay);
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

    /**
     * The network as an endpoint attach needs it: an overlay network without its own MTU option gets the overlay
     * MTU (underlay − 50) in its options, so the veth matches the VXLAN device; any other network as it is.
     */
    public Network forAttach(Network network) {
        if (!"overlay".equals(network.driver()) || EndpointAttacher.mtu(network) > 0) {
            return network;
        }
        Map<String, String> options = new java.util.HashMap<>(network.options() == null ? Map.of() : network.options());
        options.put(EndpointAttacher.MTU_OPTION, String.valueOf(overlay.mtu(network)));
        return new Network(network.id(), network.name(), network.driver(), network.scope(), network.subnets(),
                network.internal(), network.attachable(), network.enableIpv6(), Map.copyOf(options), network.labels(),
                network.vni(), network.bridge(), network.predefined(), network.created());
    }

    /** Static FDB/neighbour entries of overlay networks' VXLAN devices. */
    public OverlayPeers overlayPeers() {
        return overlayPeers;
    }

    public String node() {
        return node;
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
