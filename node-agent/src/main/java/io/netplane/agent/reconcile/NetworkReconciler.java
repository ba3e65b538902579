package io.netplane.agent.reconcile;

import io.netplane.agent.dataplane.DataplaneException;
import io.netplane.agent.dataplane.NetworkDataplane;
import io.netplane.agent.dataplane.NetworkState;
import io.netplane.agent.messaging.StatusPublisher;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Converges this node's networks to {@code desired}: after the list, builds every desired network and
 * deletes the networks this node marked that are no longer desired; then applies each change. Each outcome
 * becomes a status event. All kernel work runs on the {@link KernelThread}.
 */
public final class NetworkReconciler implements DesiredListener {
    private static final Logger LOG = Logger.getLogger(NetworkReconciler.class);
    private static final String NETWORK = "network";

    private final KernelThread kernelThread;
    private final NetworkDataplane dataplane;
    private final StatusPublisher status;
    private final Map<String, NetworkState> ready = new ConcurrentHashMap<>();
    private volatile boolean listed;

    public NetworkReconciler(KernelThread kernelThread, NetworkDataplane dataplane, StatusPublisher status) {
        this.kernelThread = kernelThread;
        this.dataplane = dataplane;
        this.status = status;
    }

    @Override
    public void listed(Map<String, DesiredChange> desired) {
        Map<String, DesiredChange> networks = desired.values().stream()
                .filter(change -> NETWORK.equals(change.kind()))
                .collect(Collectors.toMap(DesiredChange::id, change -> change, (a, b) -> b));
        networks.values().forEach(this::setup);
        Set<String> stale;
        try {
            stale = kernelThread.call(() -> dataplane.stale(networks.keySet()));
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
    public void changed(DesiredChange change) {
        if (!NETWORK.equals(change.kind())) {
            return; // sandboxes and endpoints: SandboxReconciler
        }
        if (change.isTombstone()) {
            teardown(change);
        } else {
            setup(change);
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
