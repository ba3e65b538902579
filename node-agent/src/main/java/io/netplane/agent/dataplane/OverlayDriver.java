package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.agent.kernel.Vxlan;
import io.netplane.agent.kernel.VxlanInfo;
import io.netplane.events.data.Network;

import java.util.Optional;

/**
 * The {@code overlay} driver on one node: the network's bridge (as the bridge driver builds it: marked, gateway,
 * up) plus a VXLAN device {@code vx-<12 hex>} on it — the network's VNI, this node's underlay address as local,
 * UDP 4789, learning off, ARP proxy on — carrying the same mark, so teardown and stale detection treat both as the
 * network's. MTU: the network's {@code com.docker.network.driver.mtu}, else the underlay's minus 50. A VXLAN
 * device of that name with another VNI or local address is rebuilt; one that is not this node's is never touched.
 */
public final class OverlayDriver implements NetworkDriver {
    private final Rtnetlink kernel;
    private final String node;
    private final Underlay underlay;
    private final BridgeDriver bridges;

    public OverlayDriver(Rtnetlink kernel, String node, String defaultBridgeName, Underlay underlay) {
        this.kernel = kernel;
        this.node = node;
        this.underlay = underlay;
        this.bridges = new BridgeDriver(kernel, node, defaultBridgeName);
    }

    /** The VXLAN device name of an overlay network: {@code vx-<12 hex of its id>}. */
    public static String vxlanName(String networkId) {
        return "vx-" + networkId.substring(0, Math.min(12, networkId.length()));
    }

    /** The MTU of the network's devices: its own option, else the underlay's minus the VXLAN overhead. */
    public int mtu(Network network) {
        int given = EndpointAttacher.mtu(network);
        return given > 0 ? given : underlay.overlayMtu();
    }

    @Override
    public NetworkState setup(Network network) {
        if (network.vni() == null) {
            throw new DataplaneException("network " + network.id() + ": an overlay network without a VNI");
        }
        if (!underlay.isKnown()) {
            throw new DataplaneException("network " + network.id() + ": node " + node + " has no underlay address"
                    + " (set netplane.node.underlay-address, or give the host a default route)");
        }
        NetworkState bridge = bridges.setup(network);
        String name = vxlanName(network.id());
        String alias = OwnershipMark.network(node, network.id()).alias();
        Vxlan desired = new Vxlan(name, network.vni(), underlay.address(), Vxlan.IANA_PORT, mtu(network),
                bridge.ifindex(), true);
        try {
            Optional<VxlanInfo> current = kernel.vxlans().get(name);
            if (current.isPresent()) {
                VxlanInfo info = current.get();
                if (!alias.equals(info.link().alias())) {
                    throw new DataplaneException("network " + network.id() + ": link " + name
                            + " already exists and is not this node's (" + info.link().alias() + "); netplane leaves it untouched");
                }
                if (matches(info, desired)) {
                    Link link = info.link();
                    if (link.master() != bridge.ifindex() || !link.isUp()) {
                        kernel.vxlans().setMasterUp(link.index(), name, bridge.ifindex());
                    }
                    return bridge;
                }
                kernel.links().delete(info.link().index(), name); // another VNI or underlay: rebuilt
            }
            kernel.vxlans().create(desired, alias);
            return bridge;
        } catch (KernelException e) {
            throw new DataplaneException("network " + network.id() + ": " + e.getMessage(), e);
        }
    }

    private static boolean matches(VxlanInfo info, Vxlan desired) {
        return "vxlan".equals(info.link().kind()) && info.vni() == desired.vni()
                && desired.local().equals(info.local()) && info.port() == desired.port() && !info.learning()
                && info.proxy() && info.link().mtu() == desired.mtu();
    }

    /** The bridge and the VXLAN device carry the network's mark: the bridge driver's teardown removes both. */
    @Override
    public void teardown(String networkId) {
        bridges.teardown(networkId);
    }
}
