package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.data.SandboxRemoved;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Waits for ipam's answer (sandbox.scheduled and one endpoint.allocated per requested endpoint, or a
 * rejection) and for the node's sandbox.ready and endpoint.ready of each endpoint. Status may overtake
 * the changes. Any sandbox.failed or endpoint.failed decides at once (500).
 */
public class SandboxCreateWaiter extends Waiter {
    private final String sandboxId;
    private final String node;
    private final List<String> endpointIds;
    private final Map<String, Endpoint> allocated = new LinkedHashMap<>();
    private final Set<String> readyEndpoints = new HashSet<>();
    private Sandbox scheduled;
    private boolean sandboxReady;

    public SandboxCreateWaiter(String correlationId, String sandboxId, String node, List<String> endpointIds) {
        super(correlationId, keys(sandboxId, endpointIds));
        this.sandboxId = sandboxId;
        this.node = node;
        this.endpointIds = List.copyOf(endpointIds);
    }

    static Set<String> keys(String sandboxId, List<String> endpointIds) {
        Set<String> keys = new HashSet<>(endpointIds);
        keys.add(sandboxId);
        return keys;
    }

    /** ipam's sandbox record, once seen. */
    public synchronized Sandbox scheduled() {
        return scheduled;
    }

    /** ipam's endpoint records seen so far. */
    public synchronized List<Endpoint> allocated() {
        return List.copyOf(allocated.values());
    }

    @Override
    protected boolean accept(Envelope event) {
        if ((event.is(EventType.SANDBOX_REJECTED) || event.is(EventType.ENDPOINT_REJECTED)) && correlates(event)) {
            Rejection rejection = event.data(Rejection.class);
            complete(rejection.status(), rejection.message());
        } else if (event.is(EventType.SANDBOX_SCHEDULED) && sandboxId.equals(event.data(Sandbox.class).id())) {
            scheduled = event.data(Sandbox.class);
        } else if (event.is(EventType.ENDPOINT_ALLOCATED) && endpointIds.contains(event.data(Endpoint.class).id())) {
            allocated.put(event.data(Endpoint.class).id(), event.data(Endpoint.class));
        } else if (event.is(EventType.SANDBOX_READY) && sandboxId.equals(event.data(SandboxReady.class).sandboxId())
                && node.equals(event.data(SandboxReady.class).node())) {
            sandboxReady = true;
        } else if (event.is(EventType.ENDPOINT_READY) && endpointIds.contains(event.data(EndpointReady.class).endpointId())
                && node.equals(event.data(EndpointReady.class).node())) {
            readyEndpoints.add(event.data(EndpointReady.class).endpointId());
        } else if ((event.is(EventType.SANDBOX_FAILED) && sandboxId.equals(event.data(Failure.class).id()))
                || (event.is(EventType.ENDPOINT_FAILED) && endpointIds.contains(event.data(Failure.class).id()))) {
            Failure failure = event.data(Failure.class);
            complete(500, failure.node() + ": " + failure.error());
        } else if (event.is(EventType.SANDBOX_REMOVED) && sandboxId.equals(event.data(SandboxRemoved.class).sandboxId())) {
            complete(409, "sandbox " + event.data(SandboxRemoved.class).name() + " was removed before it was ready");
        } else {
            return false;
        }
        return true;
    }

    @Override
    protected void decide() {
        if (scheduled == null || outcome().isDone()) {
            return;
        }
        if (sandboxReady && allocated.keySet().containsAll(endpointIds) && readyEndpoints.containsAll(endpointIds)) {
            complete(201, null);
        }
    }
}
