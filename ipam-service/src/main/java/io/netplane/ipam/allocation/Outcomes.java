package io.netplane.ipam.allocation;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxRemoved;
import io.netplane.ipam.allocation.SandboxStore.EndpointRef;
import io.netplane.ipam.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The records each outcome writes to the outbox: a fact on {@code changes} (keyed by network id, or by
 * sandbox id for sandboxes and endpoints, so one sandbox's facts stay ordered), and the present on
 * {@code desired} keyed {@code <kind>/<id>} (a tombstone when the object is gone).
 */
@ApplicationScoped
public class Outcomes {
    static final String ACTOR = "ipam-service";

    private final Outbox outbox;

    public Outcomes(Outbox outbox) {
        this.outbox = outbox;
    }

    /** {@code cause} null: nothing asked for it (a predefined network); the chain starts here. */
    public void created(Connection c, Envelope cause, Network network) throws SQLException {
        Subject subject = Subject.network(network.id());
        Envelope created = cause == null ? Envelope.of(EventType.NETWORK_CREATED, subject, network, ACTOR)
                : Envelope.causedBy(cause, EventType.NETWORK_CREATED, subject, network);
        Envelope desired = Envelope.causedBy(cause == null ? created : cause, EventType.NETWORK_DESIRED, subject, network);
        outbox.add(c, network.id(), created);
        outbox.add(c, Keys.desiredNetwork(network.id()), desired);
    }

    public void removed(Connection c, Envelope cause, Network network) throws SQLException {
        outbox.add(c, network.id(), Envelope.causedBy(cause, EventType.NETWORK_REMOVED,
                Subject.network(network.id()), new NetworkRemoved(network.id(), network.name())));
        outbox.tombstone(c, EventType.NETWORK_DESIRED, Keys.desiredNetwork(network.id()));
    }

    /** {@code sandbox.scheduled} then one {@code endpoint.allocated} per endpoint, and their desired records. */
    public void scheduled(Connection c, Envelope cause, Sandbox sandbox, Iterable<Endpoint> endpoints) throws SQLException {
        Subject subject = Subject.sandbox(sandbox.id());
        outbox.add(c, sandbox.id(), Envelope.causedBy(cause, EventType.SANDBOX_SCHEDULED, subject, sandbox));
        outbox.add(c, Keys.desiredSandbox(sandbox.id()), Envelope.causedBy(cause, EventType.SANDBOX_DESIRED, subject, sandbox));
        for (Endpoint e : endpoints) {
            allocated(c, cause, e);
        }
    }

    public void allocated(Connection c, Envelope cause, Endpoint e) throws SQLException {
        Subject subject = Subject.endpoint(e.id());
        outbox.add(c, e.sandboxId(), Envelope.causedBy(cause, EventType.ENDPOINT_ALLOCATED, subject, e));
        outbox.add(c, Keys.desiredEndpoint(e.id()), Envelope.causedBy(cause, EventType.ENDPOINT_DESIRED, subject, e));
    }

    public void released(Connection c, Envelope cause, EndpointRef e) throws SQLException {
        outbox.add(c, e.sandboxId(), Envelope.causedBy(cause, EventType.ENDPOINT_RELEASED, Subject.endpoint(e.id()),
                new EndpointReleased(e.id(), e.sandboxId(), e.networkId(), e.node())));
        outbox.tombstone(c, EventType.ENDPOINT_DESIRED, Keys.desiredEndpoint(e.id()));
    }

    /** {@code endpoint.released} for each endpoint, then {@code sandbox.removed}. */
    public void sandboxRemoved(Connection c, Envelope cause, Sandbox sandbox, Iterable<EndpointRef> endpoints)
            throws SQLException {
        for (EndpointRef e : endpoints) {
            released(c, cause, e);
        }
        outbox.add(c, sandbox.id(), Envelope.causedBy(cause, EventType.SANDBOX_REMOVED, Subject.sandbox(sandbox.id()),
                new SandboxRemoved(sandbox.id(), sandbox.name(), sandbox.node())));
        outbox.tombstone(c, EventType.SANDBOX_DESIRED, Keys.desiredSandbox(sandbox.id()));
    }

    /** Each sandbox's release as {@link #sandboxRemoved}, then {@code node.removed} keyed by the node name. */
    public void nodeRemoved(Connection c, Envelope cause, String node, java.util.List<SandboxAllocator.Removed> removed)
            throws SQLException {
        for (SandboxAllocator.Removed r : removed) {
            sandboxRemoved(c, cause, r.sandbox(), r.endpoints());
        }
        outbox.add(c, node, Envelope.causedBy(cause, EventType.NODE_REMOVED, Subject.node(node),
                new NodeRemoved(node, removed.stream().map(r -> r.sandbox().id()).toList())));
    }

    /** A refusal on {@code changes}: {@code type} is network.rejected, sandbox.rejected or endpoint.rejected. */
    public void rejected(Connection c, Envelope cause, EventType type, Subject subject, String key, Rejection rejection)
            throws SQLException {
        outbox.add(c, key != null ? key : cause.id().toString(), Envelope.causedBy(cause, type, subject, rejection));
    }

    public void rejected(Connection c, Envelope cause, String networkId, Rejection rejection) throws SQLException {
        rejected(c, cause, EventType.NETWORK_REJECTED, Subject.network(networkId), networkId, rejection);
    }
}
