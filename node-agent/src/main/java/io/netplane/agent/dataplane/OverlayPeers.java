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
 * endpoint on another node. {@link #sync} makes the device hold exactly the given peers: it reads the device's
 * entries, adds and replaces what is missing or changed and deletes the permanent entries no peer accounts for —
 * only on a device this node marked. {@link #update}, for each desired record, does the same against what this
 * node programmed last instead of reading the kernel: no FDB and neighbour dumps (which take rtnl, shared by
 * every namespace of the machine) per record on every node, only the entries that change. Call it from the
 * kernel thread only.
 */
public final class OverlayPeers {
    private final Rtnetlink kernel;
    private final String node;
    /** What the last sync or update left on each network's device (its index: a rebuilt device is another). */
    private final Map<String, Programmed> programmed = new HashMap<>();

    private record Programmed(int index, Map<String, Inet4Address> fdb, Map<Inet4Address, String> neighbours) { }

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
        return program(networkId, peers, true);
    }

    /**
     * As {@link #sync}, but compared with what this node programmed on the device last (the kernel is read only
     * when there is no such record, or the device is another one now): one desired record's worth of changes.
     */
    public Changes update(String networkId, Collection<OverlayPeer> peers) {
        return program(networkId, peers, false);
    }

    private Changes program(String networkId, Collection<OverlayPeer> peers, boolean readKernel) {
        String name = OverlayDriver.vxlanName(networkId);
        try {
            Optional<Link> device = kernel.links().get(name);
            if (device.isEmpty() || !OwnershipMark.network(node, networkId).alias().equals(device.get().alias())) {
                programmed.remove(networkId);
                return new Changes(0, 0); // not built here, or not ours: never touched
            }
            Programmed last = programmed.remove(networkId);
            if (!readKernel && last != null && last.index() == device.get().index()) {
                try {
                    return apply(networkId, device.get(), last.fdb(), last.neighbours(), peers);
                } catch (KernelException e) {
                    // a change failed midway: read what the device holds now and go again
                }
            }
            return apply(networkId, device.get(), kernelFdb(device.get().index()), kernelNeighbours(device.get().index()), peers);
        } catch (KernelException e) {
            throw new DataplaneException("network " + networkId + ": peers: " + e.getMessage(), e);
        }
    }

    private Map<String, Inet4Address> kernelFdb(int index) {
        Map<String, Inet4Address> fdb = new HashMap<>();
        for (FdbEntry entry : kernel.neighbours().listFdb(index)) {
            if (entry.isSelf() && entry.isPermanent() && entry.mac() != null && entry.destination() instanceof Inet4Address a) {
                fdb.put(entry.mac(), a);
            }
        }
        return fdb;
    }

    private Map<Inet4Address, String> kernelNeighbours(int index) {
        Map<Inet4Address, String> neighbours = new HashMap<>();
        for (Neighbour neighbour : kernel.neighbours().listNeighbours(index)) {
            if (neighbour.isPermanent() && neighbour.address() instanceof Inet4Address a) {
                neighbours.put(a, neighbour.mac());
            }
        }
        return neighbours;
    }

    /** Changes the device from {@code fdb}/{@code neighbours} (what it holds) to {@code peers}; records the result. */
    private Changes apply(String networkId, Link device, Map<String, Inet4Address> fdb,
                          Map<Inet4Address, String> neighbours, Collection<OverlayPeer> peers) {
        int index = device.index();
        String name = device.name();
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
        programmed.put(networkId, new Programmed(index, wantedFdb, wantedNeighbours));
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
