package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SandboxRemoved;

import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for ipam's removal fact (or a rejection) and, when the object was built on its node when the call
 * began, for that node's {@code *.cleared}. The cleared answers a tombstone, so it carries the agent's
 * correlation: it is matched by the object's id.
 */
public final class RemovalWaiter extends Waiter {
    private record Kind(EventType rejected, EventType removed, Function<Envelope, String> removedId,
                        EventType cleared, int status) {
    }

    private static final Kind SANDBOX = new Kind(EventType.SANDBOX_REJECTED, EventType.SANDBOX_REMOVED,
            e -> e.data(SandboxRemoved.class).sandboxId(), EventType.SANDBOX_CLEARED, 204);
    private static final Kind ENDPOINT = new Kind(EventType.ENDPOINT_REJECTED, EventType.ENDPOINT_RELEASED,
            e -> e.data(EndpointReleased.class).endpointId(), EventType.ENDPOINT_CLEARED, 200);

    private final Kind kind;
    private final String id;
    private final String node;
    private final boolean mustClear;
    private final Supplier<Set<String>> readyNodes;
    private boolean removed;
    private boolean cleared;

    private RemovalWaiter(Kind kind, String correlationId, Set<String> keys, String id, String node, boolean mustClear,
                          Supplier<Set<String>> readyNodes) {
        super(correlationId, keys);
        this.kind = kind;
        this.id = id;
        this.node = node;
        this.mustClear = mustClear;
        this.readyNodes = readyNodes;
    }

    /** sandbox.removed (+ sandbox.cleared) → 204. */
    public static RemovalWaiter sandbox(String correlationId, String sandboxId, String node, boolean mustClear,
                                        Supplier<Set<String>> readyNodes) {
        return new RemovalWaiter(SANDBOX, correlationId, Set.of(sandboxId), sandboxId, node, mustClear, readyNodes);
    }

    /** endpoint.released (+ endpoint.cleared) → 200. */
    public static RemovalWaiter endpoint(String correlationId, String sandboxId, String endpointId, String node,
                                         boolean mustClear, Supplier<Set<String>> readyNodes) {
        return new RemovalWaiter(ENDPOINT, correlationId, Set.of(sandboxId, endpointId), endpointId, node, mustClear,
                readyNodes);
    }

    @Override
    protected boolean accept(Envelope event) {
        if (event.is(kind.rejected()) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(kind.removed()) && id.equals(kind.removedId().apply(event))) {
            removed = true;
        } else if (event.is(kind.cleared()) && id.equals(event.data(Cleared.class).id())) {
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
            complete(kind.status(), null);
        }
    }
}
