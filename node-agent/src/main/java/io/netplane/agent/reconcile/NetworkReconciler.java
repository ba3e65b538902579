package io.netplane.agent.reconcile;

import io.netplane.agent.dataplane.DataplaneException;
import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.NetworkState;
import io.netplane.agent.messaging.StatusPublisher;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Converges this node's networks to {@code desired}: after the list, builds every desired network and
 * deletes the networks this node marked that are no longer desired; then applies each change. Each outcome
 * becomes a status event. All kernel work runs on the {@link KernelThread}.
 * Overlay networks are built only on a node with a local endpoint on them (an {@link OverlayDirectory} follows
 * the endpoints of every node and the nodes' underlay addresses), and their VXLAN devices hold one static FDB
 * and neighbour entry per endpoint on another node, kept in step as remote endpoints come and go.
 */
public final class NetworkReconciler implements DesiredListener {
    private static final Logger LOG = Logger.getLogger(NetworkReconciler.class);
    private static final String NETWORK = "network";

    private final KernelThread kernelThread;
    private final NetworkDataplane dataplane;
    private final StatusPublisher status;
    private final Map<String, NetworkState> ready = new ConcurrentHashMap<>();
    private final OverlayDirectory overlays;
    private final Map<String, DesiredChange> overlayRecords = new ConcurrentHashMap<>();
    private volatile boolean listed;

    public NetworkReconciler(KernelThread kernelThread, NetworkDataplane dataplane, StatusPublisher status) {
        this.kernelThread = kernelThread;
        this.dataplane = dataplane;
        this.status = status;
        this.overlays = new OverlayDirectory(dataplane.node());
    }

    @Override
    public synchronized void listed(Map<String, DesiredChange> desired) {
        desired.values().forEach(overlays::remember);
        Map<String, DesiredChange> networks = desired.values().stream()
                .filter(change -> NETWORK.equals(change.kind()))
                .collect(Collectors.toMap(DesiredChange::id, change -> change, (a, b) -> b));
        networks.values().stream().filter(c -> overlays.isOverlay(c.id())).forEach(c -> overlayRecords.put(c.id(), c));
        // an overlay network without a local endpoint is not built here (and is stale if it was)
        Set<String> wanted = networks.keySet().stream()
                .filter(id -> !overlays.isOverlay(id) || overlays.neededHere(id))
                .collect(Collectors.toSet());
        wanted.forEach(id -> setup(networks.get(id)));
        wanted.stream().filter(overlays::isOverlay).forEach(this::syncPeers);
        Set<String> stale;
        try {
            stale = kernelThread.call(() -> dataplane.stale(wanted));
        } catch (RuntimeException e) {
            // keep watching: the desired networks are built; stale ones wait for the next start
            LOG.errorf(e, "cannot look for stale networks of this node");
            stale = Set.of();
        }
        for (String networkId : stale) {
            LOG.infof("network %s is no longer desired; removing what this node built for it", networkId);
            teardown(new DesiredChange("network/" + networkId, null, null));
        }
        listed = true;
        LOG.infof("reconciled %d desired networks, removed %d stale", networks.size(), stale.size());
    }

    @Override
    public synchronized void changed(DesiredChange change) {
        Set<String> touched = overlays.remember(change);
        if (NETWORK.equals(change.kind())) {
            if (change.isTombstone()) {
                overlayRecords.remove(change.id());
                teardown(change);
            } else if (overlays.isOverlay(change.id())) {
                overlayRecords.put(change.id(), change);
                converge(change.id(), Trigger.NETWORK);
            } else {
                setup(change);
            }
            return;
        }
        // an endpoint (of any node): builds or removes overlay networks here, and their peers
        touched.forEach(id -> converge(id, Trigger.ENDPOINT));
    }

    /** A node's underlay address (from the node registry): the peers on that node get their FDB entries. */
    public synchronized void nodeAddress(String node, Inet4Address underlay) {
        overlays.nodeAddress(node, underlay).stream().filter(ready::containsKey).forEach(this::syncPeers);
    }

    /** Periodic: rebuilds overlay networks needed here (a VXLAN device deleted by hand) and re-syncs their peers. */
    public synchronized void convergeOverlays() {
        Set<String> networks = new HashSet<>(overlays.networks());
        try {
            networks.addAll(kernelThread.call(() -> dataplane.overlayPeers().ownedNetworks()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "converge: cannot list the VXLAN devices of this node");
        }
        networks.forEach(id -> converge(id, Trigger.PERIODIC));
    }

    private void rebuild(DesiredChange record) {
        Network network = record.envelope().data(Network.class);
        try {
            kernelThread.call(() -> dataplane.setup(network));
        } catch (RuntimeException e) {
            LOG.warnf("overlay network %s: rebuild failed: %s", network.id(), e.getMessage());
        }
    }

    /**
     * What made an overlay network converge: its own record changed (built again, status published), an endpoint
     * of it on any node changed (built if not yet, peers synced), or the periodic pass (rebuilt silently where the
     * kernel lost something, peers synced).
     */
    private enum Trigger { NETWORK, ENDPOINT, PERIODIC }

    /** Builds the overlay network when a local endpoint needs it, removes it when none does, syncs its peers. */
    private void converge(String networkId, Trigger trigger) {
        DesiredChange record = overlayRecords.get(networkId);
        if (record != null && overlays.neededHere(networkId)) {
            if (!ready.containsKey(networkId) || trigger == Trigger.NETWORK) {
                setup(record);
            } else if (trigger == Trigger.PERIODIC) {
                rebuild(record);
            }
            syncPeers(networkId, trigger != Trigger.ENDPOINT);
        } else if (ready.containsKey(networkId) || record == null && !overlays.isOverlay(networkId)) {
            LOG.infof("overlay network %s has no endpoint on this node any more; removing it here", networkId);
            teardown(new DesiredChange("network/" + networkId, null, record == null ? null : record.correlationId()));
        }
    }

    private void syncPeers(String networkId) {
        syncPeers(networkId, true);
    }

    /**
     * {@code full}: compares the peers with what the VXLAN device holds (read from the kernel: list, periodic, a
     * network or node change); otherwise with what this node programmed last — an endpoint's desired record, on
     * every node for every connect and disconnect, costs only the entries it changes.
     */
    private void syncPeers(String networkId, boolean full) {
        if (!ready.containsKey(networkId)) {
            return;
        }
        var peers = overlays.peers(networkId);
        try {
            var changes = kernelThread.call(() -> full ? dataplane.overlayPeers().sync(networkId, peers)
                    : dataplane.overlayPeers().update(networkId, peers));
            if (!changes.none()) {
                LOG.debugf("overlay network %s: %d peer entries added, %d removed (%d peers)", networkId,
                        changes.added(), changes.removed(), peers.size());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "overlay network %s: cannot program its peers", networkId);
        }
    }

    private void setup(DesiredChange change) {
        String networkId = change.id();
        if (!change.envelope().is(EventType.NETWORK_DESIRED)) {
            LOG.warnf("desired record %s carries %s, not network.desired; ignored", change.key(), change.envelope().type());
            return;
        }
        Network network = change.envelope().data(Network.class);
        try {
            NetworkState state = kernelThread.call(() -> dataplane.setup(network));
            ready.put(networkId, state);
            status.networkReady(change.envelope(), state);
            LOG.debugf("network %s ready (%s)", networkId, state.bridge());
        } catch (DataplaneException e) {
            ready.remove(networkId);
            LOG.warnf("network %s failed: %s", networkId, e.getMessage());
            status.networkFailed(change.envelope(), networkId, change.correlationId(), e.getMessage());
        } catch (RuntimeException e) {
            ready.remove(networkId);
            LOG.errorf(e, "network %s failed", networkId);
            status.networkFailed(change.envelope(), networkId, change.correlationId(),
                    "network " + networkId + ": " + e);
        }
    }

    private void teardown(DesiredChange change) {
        String networkId = change.id();
        try {
            kernelThread.run(() -> dataplane.teardown(networkId));
            ready.remove(networkId);
            status.networkCleared(networkId, change.correlationId());
        } catch (RuntimeException e) {
            LOG.warnf("network %s: removal failed: %s", networkId, e.getMessage());
            status.networkFailed(null, networkId, change.correlationId(), e.getMessage());
        }
    }

    /** True once the initial list has been applied. */
    public boolean isListed() {
        return listed;
    }

    /** True when the network's kernel objects were built on this node (its bridge exists). */
    public boolean isReady(String networkId) {
        return ready.containsKey(networkId);
    }

    /** Networks ready on this node. */
    public int readyNetworks() {
        return ready.size();
    }
}
