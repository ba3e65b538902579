package io.netplane.agent.reconcile;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Hands each desired record to the network reconciler first (bridges), then to the sandbox reconciler, then to
 * the listeners that follow what those built (the embedded DNS). The followers get the changes on a thread of
 * their own, in order, as many at a time as have queued up: the informer's thread goes on to the next record's
 * kernel work instead of rewriting every sandbox's DNS files after each one.
 */
public final class NodeReconciler implements DesiredListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeReconciler.class);

    private final NetworkReconciler networks;
    private final SandboxReconciler sandboxes;
    private final List<DesiredListener> followers;
    /** Queued by {@link #close()}: what was queued before it is still handed over. */
    private static final DesiredChange STOP = new DesiredChange("stop/", null, null);

    private final LinkedBlockingQueue<DesiredChange> forFollowers = new LinkedBlockingQueue<>();
    private final Thread followerThread;

    public NodeReconciler(NetworkReconciler networks, SandboxReconciler sandboxes, DesiredListener... followers) {
        this.networks = networks;
        this.sandboxes = sandboxes;
        this.followers = List.of(followers);
        this.followerThread = new Thread(this::follow, "netplane-followers");
        this.followerThread.setDaemon(true);
    }

    @Override
    public void listed(Map<String, DesiredChange> desired) {
        networks.listed(desired);
        sandboxes.listed(desired);
        followers.forEach(f -> f.listed(desired));
        if (!followers.isEmpty() && followerThread.getState() == Thread.State.NEW) {
            followerThread.start(); // after the list: the followers see it before any change
        }
    }

    @Override
    public void changed(DesiredChange change) {
        networks.changed(change);
        sandboxes.changed(change);
        if (!followers.isEmpty()) {
            forFollowers.add(change);
        }
    }

    private void follow() {
        List<DesiredChange> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(forFollowers.take());
            } catch (InterruptedException e) {
                return;
            }
            forFollowers.drainTo(batch);
            int stop = batch.indexOf(STOP);
            if (stop >= 0) {
                stopping = true;
                batch.subList(stop, batch.size()).clear();
            }
            for (DesiredListener follower : followers) {
                try {
                    follower.changedAll(List.copyOf(batch));
                } catch (RuntimeException e) {
                    LOG.warnf(e, "a follower of the desired records failed on %d changes", batch.size());
                }
            }
            batch.clear();
        }
    }

    public boolean isListed() {
        return networks.isListed() && sandboxes.isListed();
    }

    /** Stops the followers' thread once it has handed over what is queued. */
    @Override
    public void close() {
        forFollowers.add(STOP);
        try {
            followerThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
