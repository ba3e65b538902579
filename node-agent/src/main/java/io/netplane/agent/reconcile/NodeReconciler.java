package io.netplane.agent.reconcile;

import java.util.List;
import java.util.Map;

/**
 * Hands each desired record to the network reconciler first (bridges), then to the sandbox reconciler, then to
 * the listeners that follow what those built (the embedded DNS).
 */
public final class NodeReconciler implements DesiredListener {
    private final NetworkReconciler networks;
    private final SandboxReconciler sandboxes;
    private final List<DesiredListener> followers;

    public NodeReconciler(NetworkReconciler networks, SandboxReconciler sandboxes, DesiredListener... followers) {
        this.networks = networks;
        this.sandboxes = sandboxes;
        this.followers = List.of(followers);
    }

    @Override
    public void listed(Map<String, DesiredChange> desired) {
        networks.listed(desired);
        sandboxes.listed(desired);
        followers.forEach(f -> f.listed(desired));
    }

    @Override
    public void changed(DesiredChange change) {
        networks.changed(change);
        sandboxes.changed(change);
        followers.forEach(f -> f.changed(change));
    }

    public boolean isListed() {
        return networks.isListed() && sandboxes.isListed();
    }
}
