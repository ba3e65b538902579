package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Rejection;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits for ipam's endpoint.released (or a rejection) and, when the endpoint was built when the call
 * began, for its node's endpoint.cleared (matched by endpoint id: it answers a tombstone).
 */
public class EndpointDisconnectWaiter extends Waiter {
    private final String endpointId;
    private final String node;
    private final boolean mustClear;
    private final Supplier<Set<String>> readyNodes;
    private boolean released;
    private boolean cleared;

    public EndpointDisconnectWaiter(String correlationId, String sandboxId, String endpointId, String node,
                                    boolean mustClear, Supplier<Set<String>> readyNodes) {
        super(correlationId, Set.of(sandboxId, endpointId));
        this.endpointId = endpointId;
        this.node = node;
        this.mustClear = mustClear;
        this.readyNodes = readyNodes;
    }

    @Override
    protected boolean accept(Envelope event) {
        if (event.is(EventType.ENDPOINT_REJECTED) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.ENDPOINT_RELEASED) && endpointId.equals(event.data(EndpointReleased.class).endpointId())) {
            released = true;
        } else if (event.is(EventType.ENDPOINT_CLEARED) && endpointId.equals(event.data(Cleared.class).id())) {
            cleared = true;
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (!released || outcome().isDone()) {
            return;
        }
        if (cleared || !mustClear || !readyNodes.get().contains(node)) {
            complete(200, null);
        }
    }
}
