package io.netplane.api.operations;

import io.netplane.api.readmodel.NodeEntry;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.waiting.NodeRemovalWaiter;
import io.netplane.api.waiting.Outcome;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.NodeRemoveRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Removing a node for good: ipam releases every sandbox on it (addresses, host ports, desired tombstones, so
 * other nodes drop what pointed at it) and the node leaves the list. As {@code docker node rm}, a node that is
 * still up is refused unless forced: its agent would come back with the next heartbeat.
 */
@ApplicationScoped
public class NodeCommands {
    @Inject
    NodeLiveness liveness;
    @Inject
    OperationLog operations;
    @Inject
    IntentCalls calls;

    public CallResult remove(String name, boolean force, String actor, CallOptions call) {
        String state = state(name);
        if (state.equals(NodeLiveness.READY) && !force) {
            throw new ApiException(409, "node " + name + " is ready and cannot be removed: stop its node-agent first "
                    + "(it rejoins with its next heartbeat), or force the removal (?force=true)");
        }
        Envelope intent = Envelope.of(EventType.NODE_REMOVE_REQUESTED, Subject.node(name), new NodeRemoveRequested(name),
                actor);
        operations.open(intent.correlationId(), OperationEntry.REMOVE_NODE, name, name, actor, call);
        Outcome outcome = calls.publishAndWait(intent, new NodeRemovalWaiter(intent.correlationId(), name), call);
        if (outcome == null) {
            return calls.pending(intent.correlationId(), call, "node remove " + name);
        }
        calls.catchUp(outcome);
        return new CallResult(outcome.status(), intent.correlationId(), outcome.message(), null);
    }

    @Transactional
    String state(String name) {
        NodeEntry node = NodeEntry.findById(name);
        if (node == null || node.isRemoved()) {
            throw new ApiException(404, "node " + name + " not found");
        }
        return liveness.state(node);
    }
}
