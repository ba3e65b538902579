package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SandboxRemoved;

import java.util.Set;

/** Waits for ipam's endpoint.allocated (or a rejection) and the node's endpoint.ready; endpoint.failed decides at once. */
public class EndpointConnectWaiter extends Waiter {
    private final String sandboxId;
    private final String endpointId;
    private final String node;
    private Endpoint allocated;
    private boolean ready;

    public EndpointConnectWaiter(String correlationId, String sandboxId, String endpointId, String node) {
        super(correlationId, Set.of(sandboxId, endpointId));
        this.sandboxId = sandboxId;
        this.endpointId = endpointId;
        this.node = node;
    }

    public synchronized Endpoint allocated() {
        return allocated;
    }

    @Override
    protected boolean accept(Envelope event) {
        if ((event.is(EventType.ENDPOINT_REJECTED) || event.is(EventType.SANDBOX_REJECTED)) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.ENDPOINT_ALLOCATED) && endpointId.equals(event.data(Endpoint.class).id())) {
            allocated = event.data(Endpoint.class);
        } else if (event.is(EventType.ENDPOINT_READY) && endpointId.equals(event.data(EndpointReady.class).endpointId())
                && node.equals(event.data(EndpointReady.class).node())) {
            ready = true;
        } else if (event.is(EventType.ENDPOINT_FAILED) && endpointId.equals(event.data(Failure.class).id())) {
            Failure failure = event.data(Failure.class);
            complete(500, failure.node() + ": " + failure.error());
        } else if (event.is(EventType.ENDPOINT_RELEASED) && endpointId.equals(event.data(EndpointReleased.class).endpointId())) {
            complete(409, "endpoint " + endpointId + " was disconnected before it was ready");
        } else if (event.is(EventType.SANDBOX_REMOVED) && sandboxId.equals(event.data(SandboxRemoved.class).sandboxId())) {
            complete(409, "sandbox " + event.data(SandboxRemoved.class).name() + " was removed before it was ready");
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (allocated != null && ready && !outcome().isDone()) {
            complete(200, null);
        }
    }
}
