package io.netplane.api.projection;

import io.netplane.api.messaging.IntentPublisher;
import io.netplane.api.readmodel.EndpointEntry;
import io.netplane.api.readmodel.EndpointNodeState;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.api.readmodel.SandboxCatalog;
import io.netplane.api.readmodel.SandboxEntry;
import io.netplane.api.readmodel.SandboxNodeState;
import io.netplane.events.Envelope;
import io.netplane.events.EventData;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.data.SandboxRemoveRequested;
import io.netplane.events.data.SandboxRemoved;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The sandbox and endpoint part of the projection: ipam's records, the nodes' status, and the sandbox and
 * endpoint operations they decide. Runs inside {@link Projection}'s transaction.
 */
@ApplicationScoped
public class SandboxProjection {
    private static final Logger LOG = Logger.getLogger(SandboxProjection.class);
    static final Set<String> KINDS = Set.of(OperationEntry.CREATE_SANDBOX, OperationEntry.REMOVE_SANDBOX,
            OperationEntry.CONNECT_ENDPOINT, OperationEntry.DISCONNECT_ENDPOINT);

    @Inject
    SandboxCatalog catalog;
    @Inject
    NodeLiveness liveness;
    @Inject
    IntentPublisher intents;
    @Inject
    EndpointProjection endpoints;

    /**
     * @param key the record's Kafka key: the sandbox id (an endpoint's failure names only the endpoint)
     * @return false when the event is not about sandboxes or endpoints
     */
    boolean apply(EventType type, String key, Envelope event) {
        if (EndpointProjection.handles(type)) {
            settleOthers(endpoints.apply(type, key, event));
            return true;
        }
        switch (type) {
            case SANDBOX_SCHEDULED -> scheduled(event, event.data(Sandbox.class));
            case SANDBOX_REJECTED, ENDPOINT_REJECTED -> rejected(event, event.data(Rejection.class));
            case SANDBOX_REMOVED -> removed(event, event.data(SandboxRemoved.class));
            case SANDBOX_READY -> sandboxReady(event, event.data(SandboxReady.class));
            case SANDBOX_FAILED -> sandboxFailed(event, event.data(Failure.class));
            case SANDBOX_CLEARED -> sandboxCleared(event, event.data(Cleared.class));
            case ENDPOINT_FAILED -> endpointFailed(event, key, event.data(Failure.class));
            default -> {
                return false;
            }
        }
        return true;
    }

    private void scheduled(Envelope event, Sandbox s) {
        SandboxEntry row = SandboxEntry.findById(s.id());
        boolean fresh = row == null;
        if (fresh) {
            row = new SandboxEntry();
            row.id = s.id();
        }
        row.name = s.name();
        row.node = s.node();
        row.mode = s.mode() == null ? "bridge" : s.mode();
        row.netns = s.netns();
        row.hostname = s.hostname();
        row.containerOf = s.containerOf();
        row.dns = JsonColumns.write(s.dns() == null ? List.of() : s.dns());
        row.created = s.created() == null ? event.time() : s.created();
        if (fresh) {
            row.persist();
        }
        settle(s.id());
    }

    private void rejected(Envelope event, Rejection r) {
        OperationEntry op = event.correlationId() == null ? null : OperationEntry.findById(event.correlationId());
        if (op != null && op.isOpen() && KINDS.contains(op.kind)) {
            op.finish(OperationEntry.FAILED, r.status(), r.message(), null);
        }
    }

    private void removed(Envelope event, SandboxRemoved removed) {
        SandboxEntry row = SandboxEntry.findById(removed.sandboxId());
        if (row != null && row.removed == null) {
            row.removed = event.time();
        }
        // ipam releases every endpoint first; this keeps the read model right if a release went missing
        for (EndpointEntry e : EndpointEntry.liveOfSandbox(removed.sandboxId())) {
            e.released = event.time();
        }
        List<OperationEntry> open = OperationEntry.open(removed.sandboxId());
        for (OperationEntry op : open) {
            if (OperationEntry.CREATE_SANDBOX.equals(op.kind) || OperationEntry.CONNECT_ENDPOINT.equals(op.kind)) {
                op.finish(OperationEntry.FAILED, 409, "sandbox " + removed.name() + " was removed before it was ready", null);
            }
        }
        settle(removed.sandboxId());
    }

    private void sandboxReady(Envelope event, SandboxReady ready) {
        SandboxNodeState state = SandboxNodeState.forUpdate(ready.sandboxId());
        state.node = ready.node();
        state.state = SandboxNodeState.READY;
        state.netns = ready.netns();
        state.error = null;
        state.updated = event.time();
        state.persist();
        settle(ready.sandboxId());
    }

    private void sandboxFailed(Envelope event, Failure failure) {
        SandboxNodeState state = SandboxNodeState.forUpdate(failure.id());
        state.node = failure.node();
        state.state = SandboxNodeState.FAILED;
        state.error = failure.error();
        state.updated = event.time();
        state.persist();
        for (OperationEntry op : OperationEntry.open(failure.id())) {
            if (OperationEntry.CREATE_SANDBOX.equals(op.kind)) {
                fail(op, event, failure);
            }
        }
    }

    private void sandboxCleared(Envelope event, Cleared cleared) {
        SandboxNodeState state = SandboxNodeState.forUpdate(cleared.id());
        state.node = cleared.node();
        state.state = SandboxNodeState.CLEARED;
        state.error = null;
        state.updated = event.time();
        state.persist();
        settle(cleared.id());
    }

    private void endpointFailed(Envelope event, String key, Failure failure) {
        EndpointNodeState state = EndpointNodeState.forUpdate(failure.id());
        String sandboxId = sandboxOf(failure.id(), key, state);
        state.sandboxId = sandboxId;
        state.node = failure.node();
        state.state = EndpointNodeState.FAILED;
        state.error = failure.error();
        state.updated = event.time();
        state.persist();
        if (sandboxId == null) {
            return;
        }
        for (OperationEntry op : OperationEntry.open(sandboxId)) {
            boolean waitsForIt = op.endpointIds().contains(failure.id());
            if (waitsForIt && (OperationEntry.CREATE_SANDBOX.equals(op.kind)
                    || OperationEntry.CONNECT_ENDPOINT.equals(op.kind))) {
                fail(op, event, failure);
            }
        }
    }

    /** Status is keyed by sandbox id; ipam's record and an earlier report say it too (as project_endpoint_cleared). */
    private static String sandboxOf(String endpointId, String key, EndpointNodeState known) {
        EndpointEntry endpoint = EndpointEntry.findById(endpointId);
        if (endpoint != null) {
            return endpoint.sandboxId;
        }
        return known.sandboxId != null ? known.sandboxId : key;
    }

    /** Settles the open operations of one sandbox that what the read model now holds decides. */
    void settle(String sandboxId) {
        settleOthers(endpoints.settle(sandboxId));
    }

    /**
     * Settles the open creates and removes of a sandbox (null: none open); its connects and disconnects are the
     * SQL's ({@link EndpointProjection}), settled already.
     */
    void settleOthers(String sandboxId) {
        if (sandboxId == null) {
            return;
        }
        List<OperationEntry> open = OperationEntry.open(sandboxId).stream()
                .filter(op -> OperationEntry.CREATE_SANDBOX.equals(op.kind) || OperationEntry.REMOVE_SANDBOX.equals(op.kind))
                .toList();
        if (open.isEmpty()) {
            return;
        }
        SandboxEntry sandbox = SandboxEntry.findById(sandboxId);
        if (sandbox == null) {
            return;
        }
        for (OperationEntry op : open) {
            if (OperationEntry.CREATE_SANDBOX.equals(op.kind)) {
                if (sandbox.removed == null && sandboxReady(sandbox)
                        && op.endpointIds().stream().allMatch(id -> endpointReady(id, sandbox.node))) {
                    op.finish(OperationEntry.SUCCEEDED, 201, null, JsonColumns.write(catalog.view(sandbox)));
                }
            } else if (sandbox.removed != null && !catalog.builtOn(sandboxId, liveness.readyNodes())) {
                op.finish(OperationEntry.SUCCEEDED, 204, null, JsonColumns.write(Map.of("id", sandbox.id, "name", sandbox.name)));
            }
        }
    }

    /** Settles every open sandbox operation again (a node that went away no longer counts). */
    void settleOpen(List<OperationEntry> open) {
        open.stream().filter(op -> KINDS.contains(op.kind)).map(op -> op.target).distinct().forEach(this::settle);
    }

    private static boolean sandboxReady(SandboxEntry sandbox) {
        SandboxNodeState s = SandboxNodeState.findById(sandbox.id);
        return s != null && SandboxNodeState.READY.equals(s.state) && sandbox.node.equals(s.node);
    }

    private static boolean endpointReady(String endpointId, String node) {
        EndpointEntry e = EndpointEntry.findById(endpointId);
        EndpointNodeState s = EndpointNodeState.findById(endpointId);
        return e != null && e.released == null && s != null && EndpointNodeState.READY.equals(s.state)
                && node.equals(s.node);
    }

    /**
     * The node could not build what the operation asked for: fail it (500) and undo it, so nothing stays
     * allocated for what the caller was told failed. Once, on the open→failed transition; sent inside the
     * transaction (a failed commit applies the record again, and ipam answers a repeated undo harmlessly).
     */
    private void fail(OperationEntry op, Envelope failureEvent, Failure failure) {
        op.finish(OperationEntry.FAILED, 500, failure.node() + ": " + failure.error(), null);
        EventType type;
        EventData data;
        if (OperationEntry.CREATE_SANDBOX.equals(op.kind)) {
            type = EventType.SANDBOX_REMOVE_REQUESTED;
            data = new SandboxRemoveRequested(op.target);
        } else {
            type = EventType.ENDPOINT_DISCONNECT_REQUESTED;
            data = new EndpointDisconnectRequested(op.target, op.networkId, true);
        }
        LOG.infof("%s of sandbox %s failed on %s: %s (operation %s)", op.kind, op.target, failure.node(), type.wireName(),
                op.id);
        intents.publish(new Envelope(UUID.randomUUID(), type.wireName(), type.version(), Instant.now(), op.id,
                failureEvent.id().toString(), op.actor, Subject.sandbox(op.target), null, data));
    }
}
