package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.FdbEntry;
import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.Neighbour;
import io.netplane.agent.kernel.Rtnetlink;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The remote endpoints an overlay network's VXLAN device knows: one static FDB entry (MAC → the remote node's
 * underlay address) and one permanent neighbour entry (IP → MAC, answered by the device's ARP proxy) per
 * endpoint on another node. {@link #sync} makes the device hold exactly the given peers: it adds and replaces
 * what is missing or changed and deletes the permanent entries no peer accounts for — only on a device this
 * node marked. Call it from the kernel thread only.
 */
public final class OverlayPeers {
    private final Rtnetlink kernel;
    private final String node;

    public OverlayPeers(Rtnetlink kernel, String node) {
        this.kernel = kernel;
        this.node = node;
    }

    /** What one sync changed. */
    public record Changes(int added, int removed) {
        public boolean none() { return added == 0 && removed == 0; }
    }

    /** Makes the network's VXLAN device hold exactly {@code peers}; nothing to do when the device is not there. */
    public Changes sync(String networkId, Collection<OverlayPeer> peers) {
        String name = OverlayDriver.vxlanName(networkId);
        try {
            Optional<Link> device = kernel.links().get(name);
            if (device.isEmpty() || !OwnershipMark.network(node, networkId).alias().equals(device.get().alias())) {
                return new Changes(0, 0); // not built here, or not ours: never touched
            }
            return sync(device.get(), peers);
        } catch (KernelException e) {
            throw new DataplaneException("network " + networkId + ": peers: " + e.getMessage(), e);
        }
    }

    private Changes sync(Link device, Collection<OverlayPeer> peers) {
        int index = device.index();
        String name = device.name();
        Map<String, Inet4Address> fdb = new HashMap<>();
        for (FdbEntry entry : kernel.neighbours().listFdb(index)) {
            if (entry.isSelf() && entry.isPermanent() && entry.mac() != null && entry.destination() instanceof Inet4Address a) {
                fdb.put(entry.mac(), a);
            }
        }
        Map<Inet4Address, String> neighbours = new HashMap<>();
        for (Neighbour neighbour : kernel.neighbours().listNeighbours(index)) {
            if (neighbour.isPermanent() && neighbour.address() instanceof Inet4Address a) {
                neighbours.put(a, neighbour.mac());
            }
        }
        int added = 0;
        int removed = 0;
        Map<String, Inet4Address> wantedFdb = new HashMap<>();
        Map<Inet4Address, String> wantedNeighbours = new HashMap<>();
        for (OverlayPeer peer : peers) {
            wantedFdb.put(peer.mac(), peer.underlay());
            if (peer.address() != null) {
                wantedNeighbours.put(peer.address(), peer.mac());
            }
        }
        for (var wanted : wantedFdb.entrySet()) {
            if (!wanted.getValue().equals(fdb.get(wanted.getKey()))) {
                kernel.neighbours().replaceFdb(index, name, wanted.getKey(), wanted.getValue());
                added++;
            }
        }
        for (var wanted : wantedNeighbours.entrySet()) {
            if (!wanted.getValue().equalsIgnoreCase(String.valueOf(neighbours.get(wanted.getKey())))) {
                kernel.neighbours().replaceNeighbour(index, name, wanted.getKey(), wanted.getValue());
                added++;
            }
        }
        for (String mac : fdb.keySet()) {
            if (!wantedFdb.containsKey(mac) && kernel.neighbours().deleteFdb(index, name, mac)) {
                removed++;
            }
        }
        for (Inet4Address address : neighbours.keySet()) {
            if (!wantedNeighbours.containsKey(address) && kernel.neighbours().deleteNeighbour(index, name, address)) {
                removed++;
            }
        }
        return new Changes(added, removed);
    }

    /** The network ids of the VXLAN devices this node marked (what periodic convergence walks). */
    public List<String> ownedNetworks() {
        try {
            return kernel.links().list().stream()
                    .filter(l -> "vxlan".equals(l.kind()) && OwnershipMark.isOwnedBy(l.alias(), node))
                    .map(l -> OwnershipMark.parse(l.alias()).orElseThrow().id())
                    .toList();
        } catch (KernelException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
    }
}
