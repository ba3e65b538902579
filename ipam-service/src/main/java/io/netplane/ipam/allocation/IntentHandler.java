package io.netplane.ipam.allocation;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.Rejection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Applies one intent inside the caller's (batch) transaction. The intent id is claimed first, so a
 * redelivered or replayed intent changes nothing; the work runs under a savepoint, so a refused or failing
 * intent is undone alone and its batch goes on.
 */
@ApplicationScoped
public class IntentHandler {
    private static final Logger LOG = Logger.getLogger(IntentHandler.class);

    private final NetworkAllocator allocator;
    private final Outcomes outcomes;

    public IntentHandler(NetworkAllocator allocator, Outcomes outcomes) {
        this.allocator = allocator;
        this.outcomes = outcomes;
    }

    /** @return the outcome written (an event type), or null when there was nothing to do */
    public String handle(Connection c, Envelope intent) throws SQLException {
        boolean create = intent.is(EventType.NETWORK_CREATE_REQUESTED);
        if (!create && !intent.is(EventType.NETWORK_REMOVE_REQUESTED)) {
            return null; // sandbox and endpoint intents: issue 3
        }
        if (!claim(c, intent)) {
            LOG.debugf("intent %s (%s) was processed before; nothing to do", intent.id(), intent.type());
            return null;
        }
        // data of another shape (a writer's bug) is answered like any refusal, never retried forever
        NetworkCreateRequested createRequest = create && intent.data() instanceof NetworkCreateRequested r ? r : null;
        NetworkRemoveRequested removeRequest = !create && intent.data() instanceof NetworkRemoveRequested r ? r : null;
        String networkId = createRequest != null ? createRequest.networkId()
                : removeRequest != null ? removeRequest.networkId() : intent.subject() == null ? null : intent.subject().id();
        String operation = create ? "create" : "remove";
        String name = createRequest != null ? createRequest.name() : networkId;
        Savepoint before = c.setSavepoint();
        String outcome;
        try {
            if (createRequest == null && removeRequest == null) {
                throw new RejectedIntent(400, "malformed intent " + intent.type() + " v" + intent.version()
                        + ": no " + (create ? "NetworkCreateRequested" : "NetworkRemoveRequested") + " data");
            }
            if (create) {
                Network network = allocator.create(c, createRequest);
                outcomes.created(c, intent, network);
                outcome = EventType.NETWORK_CREATED.wireName();
            } else {
                Network network = allocator.remove(c, networkId);
                outcomes.removed(c, intent, network);
                outcome = EventType.NETWORK_REMOVED.wireName();
            }
            c.releaseSavepoint(before);
        } catch (RejectedIntent refused) {
            c.rollback(before);
            outcomes.rejected(c, intent, networkId, new Rejection(operation, name, refused.status(), refused.getMessage()));
            outcome = EventType.NETWORK_REJECTED.wireName();
        } catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException sql && transientFault(sql)) {
                throw sql; // the database, not the intent: the whole batch is retried
            }
            try {
                c.rollback(before);
            } catch (SQLException gone) {
                e.addSuppressed(gone);
                throw e;
            }
            // a fault of this intent alone (a bug, bad data): answer it rather than block its partition
            LOG.errorf(e, "%s network %s (intent %s) failed", operation, networkId, intent.id());
            outcomes.rejected(c, intent, networkId, new Rejection(operation, name, 500,
                    operation + " network " + name + ": " + e.getMessage()));
            outcome = EventType.NETWORK_REJECTED.wireName();
        }
        record(c, intent, outcome);
        return outcome;
    }

    /** Connection lost, serialization failure or deadlock, resources, shutdown: worth a retry of the batch. */
    static boolean transientFault(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57");
    }

    /**
     * Inserts the intent's id; false when it is there already. A replica processing the same intent at the
     * same moment (during a rebalance) blocks here until the other commits, then sees it.
     */
    private static boolean claim(Connection c, Envelope intent) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into processed_intents (intent_id, intent, outcome) "
                + "values (?, ?, 'pending') on conflict do nothing")) {
            insert.setObject(1, intent.id());
            insert.setString(2, intent.type());
            return insert.executeUpdate() == 1;
        }
    }

    private static void record(Connection c, Envelope intent, String outcome) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "update processed_intents set outcome = ? where intent_id = ?")) {
            update.setString(1, outcome);
            update.setObject(2, intent.id());
            update.executeUpdate();
        }
    }
}
