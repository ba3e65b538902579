package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.Rejection;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits for ipam's answer (created or rejected) and then for {@code network.ready} from every ready
 * node (none for host, null and overlay networks); a {@code network.failed} from any node decides at once. A ready may arrive before the created.
 */
public class NetworkCreateWaiter extends Waiter {
    private final String networkId;
    private final Supplier<Set<String>> readyNodes;
    private final Set<String> readyOn = new HashSet<>();
    private Network created;

    public NetworkCreateWaiter(String correlationId, String networkId, Supplier<Set<String>> readyNodes) {
        super(correlationId, Set.of(networkId));
        this.networkId = networkId;
        this.readyNodes = readyNodes;
    }

    /** ipam's record, once seen. */
    public synchronized Network created() {
        return created;
    }

    @Override
    protected boolean accept(Envelope event) {
        if (event.is(EventType.NETWORK_REJECTED) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.NETWORK_CREATED) && networkId.equals(event.data(Network.class).id())) {
            created = event.data(Network.class);
        } else if (event.is(EventType.NETWORK_READY) && networkId.equals(event.data(NetworkReady.class).networkId())) {
            readyOn.add(event.data(NetworkReady.class).node());
        } else if (event.is(EventType.NETWORK_FAILED) && networkId.equals(event.data(Failure.class).id())) {
            Failure failure = event.data(Failure.class);
            complete(500, failure.node() + ": " + failure.error());
        } else if (event.is(EventType.NETWORK_REMOVED)
                && networkId.equals(event.data(NetworkRemoved.class).networkId())) {
            complete(409, "network " + event.data(NetworkRemoved.class).name() + " was removed before it was ready");
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (created == null || outcome().isDone()) {
            return;
        }
        // an overlay network is built on a node only when a sandbox there joins it
        boolean nothingToBuild = "host".equals(created.driver()) || "null".equals(created.driver())
                || "overlay".equals(created.driver());
        if (nothingToBuild || readyOn.containsAll(readyNodes.get())) {
            complete(201, null);
        }
    }
}
