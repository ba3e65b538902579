package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.Rejection;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits for ipam's answer (removed or rejected) and then for {@code network.cleared} from each node that
 * held the network when the call began (and is still up). A cleared carries the agent's correlation,
 * not the request's: it is matched by network id.
 */
public class NetworkRemoveWaiter extends Waiter {
    private final String networkId;
    private final Set<String> heldOn;
    private final Supplier<Set<String>> readyNodes;
    private final Set<String> clearedOn = new HashSet<>();
    private boolean removed;

    public NetworkRemoveWaiter(String correlationId, String networkId, Set<String> heldOn,
                               Supplier<Set<String>> readyNodes) {
        super(correlationId, Set.of(networkId));
        this.networkId = networkId;
        this.heldOn = Set.copyOf(heldOn);
        this.readyNodes = readyNodes;
    }

    @Override
    protected boolean accept(Envelope event) {
        if (event.is(EventType.NETWORK_REJECTED) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.NETWORK_REMOVED)
                && networkId.equals(event.data(NetworkRemoved.class).networkId())) {
            removed = true;
        } else if (event.is(EventType.NETWORK_CLEARED) && networkId.equals(event.data(Cleared.class).id())) {
            clearedOn.add(event.data(Cleared.class).node());
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
        Set<String> mustClear = new HashSet<>(heldOn);
        if (!mustClear.isEmpty()) {
            mustClear.retainAll(readyNodes.get()); // a node that went down cannot answer
        }
        if (clearedOn.containsAll(mustClear)) {
            complete(204, null);
        }
    }
}
