package io.netplane.ipam.allocation;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.ipam.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The records each outcome writes to the outbox: a fact on {@code changes} keyed by network id, and the
 * present on {@code desired} keyed {@code network/<id>} (a tombstone when the network is gone).
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

    public void rejected(Connection c, Envelope cause, String networkId, Rejection rejection) throws SQLException {
        String key = networkId != null ? networkId : cause.id().toString();
        outbox.add(c, key, Envelope.causedBy(cause, EventType.NETWORK_REJECTED, Subject.network(networkId), rejection));
    }
}
