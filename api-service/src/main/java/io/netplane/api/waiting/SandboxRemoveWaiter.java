package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SandboxRemoved;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits for ipam's sandbox.removed (or a rejection) and, when the sandbox was built on its node when the
 * call began, for that node's sandbox.cleared. The cleared answers a tombstone, so it carries the agent's
 * correlation: it is matched by sandbox id.
 */
public class SandboxRemoveWaiter extends Waiter {
    private final String sandboxId;
    private final String node;
    private final boolean mustClear;
    private final Supplier<Set<String>> readyNodes;
    private boolean removed;
    private boolean cleared;

    public SandboxRemoveWaiter(String correlationId, String sandboxId, String node, boolean mustClear,
                               Supplier<Set<String>> readyNodes) {
        super(correlationId, Set.of(sandboxId));
        this.sandboxId = sandboxId;
        this.node = node;
        this.mustClear = mustClear;
        this.readyNodes = readyNodes;
    }

    @Override
    protected boolean accept(Envelope event) {
        if (event.is(EventType.SANDBOX_REJECTED) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.SANDBOX_REMOVED) && sandboxId.equals(event.data(SandboxRemoved.class).sandboxId())) {
            removed = true;
        } else if (event.is(EventType.SANDBOX_CLEARED) && sandboxId.equals(event.data(Cleared.class).id())) {
            cleared = true;
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (!removed || outcome().isDone()) {
            return;
        }
        if (cleared || !mustClear || !readyNodes.get().contains(node)) { // a node that went down cannot answer
            complete(204, null);
        }
    }
}
