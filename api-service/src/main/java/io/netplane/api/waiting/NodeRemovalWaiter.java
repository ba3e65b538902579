package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SandboxRemoved;

import java.util.HashSet;
import java.util.Set;

/**
 * Waits for ipam's {@code node.removed} (or {@code node.rejected}) and the {@code sandbox.removed} of every
 * sandbox it lists — those travel on the sandboxes' partitions, so they may come after it — so that the read
 * model has them all when the call answers. Nothing is waited for on the node itself: it is gone.
 */
public final class NodeRemovalWaiter extends Waiter {
    private final Set<String> sandboxesRemoved = new HashSet<>();
    private Set<String> sandboxesListed;

    public NodeRemovalWaiter(String correlationId, String node) {
        super(correlationId, Set.of(node));
    }

    @Override
    protected boolean accept(Envelope event) {
        if (!correlates(event)) {
            return false;
        }
        if (event.is(EventType.NODE_REMOVED)) {
            NodeRemoved removed = event.data(NodeRemoved.class);
            sandboxesListed = removed.sandboxIds() == null ? Set.of() : Set.copyOf(removed.sandboxIds());
        } else if (event.is(EventType.SANDBOX_REMOVED)) {
            sandboxesRemoved.add(event.data(SandboxRemoved.class).sandboxId());
        } else if (event.is(EventType.NODE_REJECTED)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (!outcome().isDone() && sandboxesListed != null && sandboxesRemoved.containsAll(sandboxesListed)) {
            complete(204, null);
        }
    }
}
