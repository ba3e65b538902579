package io.netplane.ipam.allocation;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.NodeRemoveRequested;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import io.netplane.ipam.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies one intent inside the caller's (batch) transaction. The intent id is claimed first, so a
 * redelivered or replayed intent changes nothing; the work runs under a savepoint, so a refused or failing
 * intent is undone alone and its batch goes on.
 */
@ApplicationScoped
public class IntentHandler {
    private static final Logger LOG = Logger.getLogger(IntentHandler.class);

    private final NetworkAllocator networks;
    private final SandboxAllocator sandboxes;
    private final Outcomes outcomes;
    private final Outbox outbox;
    private final NodeStore nodes;

    public IntentHandler(NetworkAllocator networks, SandboxAllocator sandboxes, Outcomes outcomes, Outbox outbox,
                         NodeStore nodes) {
        this.outbox = outbox;
        this.nodes = nodes;
        this.networks = networks;
        this.sandboxes = sandboxes;
        this.outcomes = outcomes;
    }

    /** Who a refusal answers: the operation, the name it is about, where the rejection goes. */
    private record Target(String operation, String name, EventType rejectedType, Subject subject, String key) {
    }

    /** A batch that holds a refusal or a fault: run it again, one savepoint per intent. */
    private static final class CarefulRetry extends RuntimeException {
        CarefulRetry(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    /** Nanoseconds of the last batch's phases on this thread: lock, claim, schedule (SQL), outcomes (JSON), record. */
    public static final ThreadLocal<long[]> PHASES = ThreadLocal.withInitial(() -> new long[5]);

    /**
     * Applies a poll batch as the caller's transaction: nothing may come before it in that transaction. Optimistic
     * first: no savepoint per intent, claims and outcomes recorded with one statement each, so a batch costs few
     * round trips. If any intent is refused or fails, the transaction is rolled back and the batch run again
     * carefully (a savepoint per intent).
     */
    public void handleBatch(Connection c, List<Envelope> batch) throws SQLException {
        long[] phases = PHASES.get();
        java.util.Arrays.fill(phases, 0);
        long t0 = System.nanoTime();
        lockAhead(c, batch);
        phases[0] = System.nanoTime() - t0;
        int rows = outbox.mark();
        try {
            run(c, batch, false);
        } catch (CarefulRetry retry) {
            LOG.debugf(retry.getCause(), "batch of %d intents holds a refusal; running it one savepoint per intent",
                    batch.size());
            // the whole transaction is the batch's: rolled back, not to a savepoint (one round trip less per batch)
            c.rollback();
            outbox.dropAfter(rows);
            lockAhead(c, batch);
            run(c, batch, true);
        }
    }

    private void run(Connection c, List<Envelope> batch, boolean careful) throws SQLException {
        List<Envelope> mine = batch.stream().filter(IntentHandler::handled).toList();
        if (mine.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        Set<UUID> claimed = claimAll(c, mine, careful);
        PHASES.get()[1] += System.nanoTime() - t0;
        List<UUID> ids = new ArrayList<>();
        List<String> results = new ArrayList<>();
        List<Envelope> plain = new ArrayList<>(); // a run of plain sandbox creates, scheduled together
        for (Envelope intent : mine) {
            if (!claimed.remove(intent.id())) {
                LOG.debugf("intent %s (%s) was processed before; nothing to do", intent.id(), intent.type());
                continue;
            }
            ids.add(intent.id());
            if (!careful && intent.data() instanceof SandboxCreateRequested r && sandboxes.plain(c, r)) {
                plain.add(intent);
                results.add(EventType.SANDBOX_SCHEDULED.wireName());
                continue;
            }
            scheduleAll(c, plain); // before this intent: the batch's order is kept
            results.add(careful ? attempt(c, intent) : optimistic(c, intent));
        }
        scheduleAll(c, plain);
        long t1 = System.nanoTime();
        boolean marks = mine.stream().anyMatch(IntentHandler::mayAllocate);
        if (careful) {
            recordAll(c, ids, results, marks);
        } else if (marks) {
            flushMarks(c); // optimistic: every outcome is the success claimed with the id, or the batch is redone
        }
        PHASES.get()[4] += System.nanoTime() - t1;
    }

    /** Plain sandbox creates in a few statements for the lot; any refusal: the batch again, carefully. */
    private void scheduleAll(Connection c, List<Envelope> plain) throws SQLException {
        if (plain.isEmpty()) {
            return;
        }
        List<SandboxAllocator.Scheduled> scheduled;
        long t0 = System.nanoTime();
        try {
            scheduled = sandboxes.createAll(c, plain.stream().map(i -> i.data(SandboxCreateRequested.class)).toList());
        } catch (SQLException e) {
            if (transientFault(e)) {
                throw e;
            }
            throw new CarefulRetry(e);
        } catch (RuntimeException e) {
            throw new CarefulRetry(e);
        }
        long t1 = System.nanoTime();
        PHASES.get()[2] += t1 - t0;
        for (int i = 0; i < plain.size(); i++) {
            outcomes.scheduled(c, plain.get(i), scheduled.get(i).sandbox(), scheduled.get(i).endpoints());
        }
        PHASES.get()[3] += System.nanoTime() - t1;
        plain.clear();
    }

    /** @return the outcome written (an event type), or null when there was nothing to do */
    public String handle(Connection c, Envelope intent) throws SQLException {
        if (!handled(intent)) {
            return null; // prune: not yet (issue 3 leaves it to a later round)
        }
        if (!claim(c, intent)) {
            LOG.debugf("intent %s (%s) was processed before; nothing to do", intent.id(), intent.type());
            return null;
        }
        String outcome = attempt(c, intent);
        recordAll(c, List.of(intent.id()), List.of(outcome), mayAllocate(intent));
        return outcome;
    }

    private static boolean handled(Envelope intent) {
        EventType type = EventType.fromWireName(intent.type()).orElse(null);
        return type != null && type.topic() == Topic.INTENTS && type != EventType.NETWORK_PRUNE_REQUESTED;
    }

    private String optimistic(Connection c, Envelope intent) throws SQLException {
        EventType type = EventType.fromWireName(intent.type()).orElseThrow();
        if (!type.dataType().isInstance(intent.data())) {
            throw new CarefulRetry(null);
        }
        try {
            // optimistic only: a constraint the one call breaks aborts the transaction, and the careful retry's
            // step-by-step connect then says which
            if (intent.data() instanceof EndpointConnectRequested r) {
                Endpoint made = sandboxes.connectPlain(c, r);
                if (made != null) {
                    outcomes.allocated(c, intent, made);
                    return EventType.ENDPOINT_ALLOCATED.wireName();
                }
            }
            EventType outcome = apply(c, type, intent);
            if (outcome != success(type)) {
                throw new CarefulRetry(null); // its claim says success: never record anything else
            }
            return outcome.wireName();
        } catch (SQLException e) {
            if (transientFault(e)) {
                throw e;
            }
            throw new CarefulRetry(e);
        } catch (RuntimeException e) {
            throw new CarefulRetry(e);
        }
    }

    /** One intent under its own savepoint: a refusal or a fault of its own is answered, and undone alone. */
    private String attempt(Connection c, Envelope intent) throws SQLException {
        EventType type = EventType.fromWireName(intent.type()).orElseThrow();
        Target target = target(type, intent);
        Savepoint before = c.setSavepoint();
        int rows = outbox.mark();
        String outcome;
        try {
            // data of another shape (a writer's bug) is answered like any refusal, never retried forever
            if (!type.dataType().isInstance(intent.data())) {
                throw new RejectedIntent(400, "malformed intent " + intent.type() + " v" + intent.version()
                        + ": no " + type.dataType().getSimpleName() + " data");
            }
            outcome = apply(c, type, intent).wireName();
            c.releaseSavepoint(before);
        } catch (RejectedIntent refused) {
            c.rollback(before);
            outbox.dropAfter(rows);
            outcomes.rejected(c, intent, target.rejectedType(), target.subject(), target.key(),
                    new Rejection(target.operation(), target.name(), refused.status(), refused.getMessage()));
            outcome = target.rejectedType().wireName();
        } catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException sql && transientFault(sql)) {
                throw sql; // the database, not the intent: the whole batch is retried
            }
            try {
                c.rollback(before);
                outbox.dropAfter(rows);
            } catch (SQLException gone) {
                e.addSuppressed(gone);
                throw e;
            }
            // a fault of this intent alone (a bug, bad data): answer it rather than block its partition
            LOG.errorf(e, "%s %s (intent %s) failed", intent.type(), target.key(), intent.id());
            String kind = target.subject() == null ? "" : target.subject().kind() + " ";
            outcomes.rejected(c, intent, target.rejectedType(), target.subject(), target.key(), new Rejection(
                    target.operation(), target.name(), 500,
                    target.operation() + " " + kind + target.name() + ": " + e.getMessage()));
            outcome = target.rejectedType().wireName();
        }
        return outcome;
    }

    /**
     * Claims every intent id of the batch in one statement; returns those claimed now. Optimistic: with the
     * outcome of success already (a refusal rolls the whole try back), so nothing needs updating afterwards.
     */
    private static Set<UUID> claimAll(Connection c, List<Envelope> intents, boolean careful) throws SQLException {
        Set<UUID> claimed = new HashSet<>();
        try (PreparedStatement insert = c.prepareStatement("insert into processed_intents (intent_id, intent, outcome) "
                + "select id, type, outcome from unnest(?::uuid[], ?::text[], ?::text[]) as i(id, type, outcome) "
                + "on conflict do nothing returning intent_id")) {
            insert.setArray(1, c.createArrayOf("uuid", intents.stream().map(Envelope::id).toArray()));
            insert.setArray(2, c.createArrayOf("text", intents.stream().map(Envelope::type).toArray()));
            insert.setArray(3, c.createArrayOf("text", intents.stream()
                    .map(i -> careful ? "pending" : success(EventType.fromWireName(i.type()).orElseThrow()).wireName())
                    .toArray()));
            try (ResultSet row = insert.executeQuery()) {
                while (row.next()) {
                    claimed.add(row.getObject(1, UUID.class));
                }
            }
        }
        return claimed;
    }

    /** What {@link #apply} answers when it does not refuse. */
    private static EventType success(EventType intent) {
        return switch (intent) {
            case NETWORK_CREATE_REQUESTED -> EventType.NETWORK_CREATED;
            case NETWORK_REMOVE_REQUESTED -> EventType.NETWORK_REMOVED;
            case SANDBOX_CREATE_REQUESTED -> EventType.SANDBOX_SCHEDULED;
            case SANDBOX_REMOVE_REQUESTED -> EventType.SANDBOX_REMOVED;
            case ENDPOINT_CONNECT_REQUESTED -> EventType.ENDPOINT_ALLOCATED;
            case ENDPOINT_DISCONNECT_REQUESTED -> EventType.ENDPOINT_RELEASED;
            case NODE_REMOVE_REQUESTED -> EventType.NODE_REMOVED;
            default -> throw new IllegalStateException("no handler for " + intent);
        };
    }

    /** The address marks the allocations kept in the transaction (V4), written once. */
    private static void flushMarks(Connection c) throws SQLException {
        try (PreparedStatement flush = c.prepareStatement("select flush_address_marks()")) {
            flush.execute();
        }
    }

    /** Removals only free: a batch of nothing else took no address, so it has no mark to write back. */
    private static boolean mayAllocate(Envelope intent) {
        return !(intent.is(EventType.ENDPOINT_DISCONNECT_REQUESTED) || intent.is(EventType.SANDBOX_REMOVE_REQUESTED)
                || intent.is(EventType.NETWORK_REMOVE_REQUESTED) || intent.is(EventType.NODE_REMOVE_REQUESTED));
    }

    /** Writes the outcomes, and the address marks. */
    private static void recordAll(Connection c, List<UUID> ids, List<String> results, boolean marks) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        if (marks) {
            flushMarks(c);
        }
        try (PreparedStatement update = c.prepareStatement("update processed_intents p set outcome = r.outcome "
                + "from unnest(?::uuid[], ?::text[]) as r(id, outcome) where p.intent_id = r.id")) {
            update.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            update.setArray(2, c.createArrayOf("text", results.toArray()));
            update.executeUpdate();
        }
    }

    private EventType apply(Connection c, EventType type, Envelope intent) throws SQLException {
        switch (type) {
            case NETWORK_CREATE_REQUESTED -> {
                Network network = networks.create(c, intent.data(NetworkCreateRequested.class));
                outcomes.created(c, intent, network);
                return EventType.NETWORK_CREATED;
            }
            case NETWORK_REMOVE_REQUESTED -> {
                Network network = networks.remove(c, intent.data(NetworkRemoveRequested.class).networkId());
                sandboxes.forget(network.id());
                outcomes.removed(c, intent, network);
                return EventType.NETWORK_REMOVED;
            }
            case SANDBOX_CREATE_REQUESTED -> {
                SandboxAllocator.Scheduled scheduled = sandboxes.create(c, intent.data(SandboxCreateRequested.class));
                outcomes.scheduled(c, intent, scheduled.sandbox(), scheduled.endpoints());
                return EventType.SANDBOX_SCHEDULED;
            }
            case SANDBOX_REMOVE_REQUESTED -> {
                SandboxAllocator.Removed removed = sandboxes.remove(c, intent.data(SandboxRemoveRequested.class).sandboxId());
                outcomes.sandboxRemoved(c, intent, removed.sandbox(), removed.endpoints());
                return EventType.SANDBOX_REMOVED;
            }
            case ENDPOINT_CONNECT_REQUESTED -> {
                outcomes.allocated(c, intent, sandboxes.connect(c, intent.data(EndpointConnectRequested.class)));
                return EventType.ENDPOINT_ALLOCATED;
            }
            case ENDPOINT_DISCONNECT_REQUESTED -> {
                outcomes.released(c, intent, sandboxes.disconnect(c, intent.data(EndpointDisconnectRequested.class)));
                return EventType.ENDPOINT_RELEASED;
            }
            case NODE_REMOVE_REQUESTED -> {
                String node = intent.data(NodeRemoveRequested.class).node();
                List<SandboxAllocator.Removed> removed = sandboxes.removeAllOn(c, node);
                nodes.removed(c, node, intent.time());
                outcomes.nodeRemoved(c, intent, node, removed);
                return EventType.NODE_REMOVED;
            }
            default -> throw new IllegalStateException("no handler for " + type);
        }
    }

    private static Target target(EventType type, Envelope intent) {
        String subjectId = intent.subject() == null ? null : intent.subject().id();
        Object data = intent.data();
        return switch (type) {
            case NETWORK_CREATE_REQUESTED -> {
                String id = data instanceof NetworkCreateRequested r ? r.networkId() : subjectId;
                String name = data instanceof NetworkCreateRequested r ? r.name() : id;
                yield new Target("create", name, EventType.NETWORK_REJECTED, Subject.network(id), id);
            }
            case NETWORK_REMOVE_REQUESTED -> {
                String id = data instanceof NetworkRemoveRequested r ? r.networkId() : subjectId;
                yield new Target("remove", id, EventType.NETWORK_REJECTED, Subject.network(id), id);
            }
            case SANDBOX_CREATE_REQUESTED -> {
                String id = data instanceof SandboxCreateRequested r ? r.sandboxId() : subjectId;
                String name = data instanceof SandboxCreateRequested r && r.name() != null ? r.name() : id;
                yield new Target("create", name, EventType.SANDBOX_REJECTED, Subject.sandbox(id), id);
            }
            case SANDBOX_REMOVE_REQUESTED -> {
                String id = data instanceof SandboxRemoveRequested r ? r.sandboxId() : subjectId;
                yield new Target("remove", id, EventType.SANDBOX_REJECTED, Subject.sandbox(id), id);
            }
            case ENDPOINT_CONNECT_REQUESTED -> {
                String id = data instanceof EndpointConnectRequested r ? r.sandboxId() : subjectId;
                Subject subject = data instanceof EndpointConnectRequested r && r.endpointId() != null
                        ? Subject.endpoint(r.endpointId()) : Subject.sandbox(id);
                yield new Target("connect", id, EventType.ENDPOINT_REJECTED, subject, id);
            }
            case ENDPOINT_DISCONNECT_REQUESTED -> {
                String id = data instanceof EndpointDisconnectRequested r ? r.sandboxId() : subjectId;
                yield new Target("disconnect", id, EventType.ENDPOINT_REJECTED, Subject.sandbox(id), id);
            }
            case NODE_REMOVE_REQUESTED -> {
                String node = data instanceof NodeRemoveRequested r ? r.node() : subjectId;
                yield new Target("remove", node, EventType.NODE_REJECTED, Subject.node(node), node);
            }
            default -> throw new IllegalStateException("no handler for " + type);
        };
    }

    /**
     * Takes, in one fixed order, the allocation locks a batch will need (address cursors of its networks,
     * ephemeral-port cursors of its nodes), so batches of several consumers queue instead of deadlocking.
     */
    public void lockAhead(Connection c, List<Envelope> batch) throws SQLException {
        Set<String> networkRefs = new TreeSet<>();
        Set<String> nodes = new TreeSet<>();
        for (Envelope e : batch) {
            if (e.data() instanceof SandboxCreateRequested r) {
                if (r.networks() != null) {
                    r.networks().forEach(n -> networkRefs.add(String.valueOf(n.networkId())));
                }
                if (r.node() != null && r.ports() != null && r.ports().stream().anyMatch(p -> p.hostPort() == 0)) {
                    nodes.add(r.node());
                }
            } else if (e.data() instanceof EndpointConnectRequested r) {
                networkRefs.add(String.valueOf(r.networkId()));
            }
        }
        // one cursor alone cannot close a cycle of waits: allocate_address() takes it when it gets there
        if (networkRefs.size() > 1 || !nodes.isEmpty()) {
            try (PreparedStatement lock = c.prepareStatement("select 1 from address_cursors where network_id in "
                    + "(select id from networks where id = any(?) or name = any(?)) order by network_id for update")) {
                var refs = c.createArrayOf("text", networkRefs.toArray());
                lock.setArray(1, refs);
                lock.setArray(2, refs);
                lock.executeQuery().close();
            }
        }
        if (!nodes.isEmpty()) {
            try (PreparedStatement lock = c.prepareStatement("select 1 from port_cursors where node = any(?) "
                    + "order by node, protocol for update")) {
                lock.setArray(1, c.createArrayOf("text", nodes.toArray()));
                lock.executeQuery().close();
            }
        }
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

}
