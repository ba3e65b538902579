package io.netplane.agent.reconcile;

import java.util.Map;

/** Hands each desired record to the network reconciler first (bridges), then to the sandbox reconciler. */
public final class NodeReconciler implements DesiredListener {
    private final NetworkReconciler networks;
    private final SandboxReconciler sandboxes;

    public NodeReconciler(NetworkReconciler networks, SandboxReconciler sandboxes) {
        this.networks = networks;
        this.sandboxes = sandboxes;
    }

    @Override
    public void listed(Map<String, DesiredChange> desired) {
        networks.listed(desired);
        sandboxes.listed(desired);
    }

    @Override
    public void changed(DesiredChange change) {
        networks.changed(change);
        sandboxes.changed(change);
    }

    public boolean isListed() {
        return networks.isListed() && sandboxes.isListed();
    }
}
