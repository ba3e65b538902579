package io.netplane.api.projection;

import io.netplane.api.messaging.IntentPublisher;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.NetworkNodeState;
import io.netplane.api.readmodel.NodeEntry;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.api.readmodel.OperationEntry;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.Rejection;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies one event to the read model and settles the operations it decides. Each record is applied in
 * one transaction together with its partition's offset, so a redelivered record changes nothing.
 */
@ApplicationScoped
public class Projection {
    private static final Logger LOG = Logger.getLogger(Projection.class);

    @Inject
    NetworkCatalog catalog;
    @Inject
    NodeLiveness liveness;
    @Inject
    IntentPublisher intents;
    @Inject
    SandboxProjection sandboxes;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    ReadModelSql sql;
    @Inject
    EndpointProjection endpoints;

    /** Per partition this replica projects: the offset its last committed transaction left in the read model. */
    private final Map<ProjectionOffset.Key, Long> committed = new ConcurrentHashMap<>();

    /** @return false when the record was applied before (a redelivery). */
    @Transactional
    public boolean apply(String topic, int partition, long offset, String key, Envelope event) {
        Claims claims = new Claims();
        boolean fresh = applyClaimed(claims, topic, partition, offset, key, event);
        claims.write();
        return fresh;
    }

    /**
     * A poll's records in one transaction (one commit instead of one per record, so the read model keeps up with
     * 8 callers); if any fails, all roll back and the caller applies them one by one.
     */
    @Transactional
    public void applyAll(List<ConsumerRecord<String, Envelope>> records) {
        Claims claims = new Claims();
        for (ConsumerRecord<String, Envelope> r : records) {
            applyClaimed(claims, r.topic(), r.partition(), r.offset(), r.key(), r.value());
        }
        claims.write();
    }

    private boolean applyClaimed(Claims claims, String topic, int partition, long offset, String key, Envelope event) {
        if (!claims.claim(topic, partition, offset)) {
            return false;
        }
        if (event != null) {
            EventType.fromWireName(event.type()).ifPresent(type -> apply(type, key, event));
        }
        return true;
    }

    /**
     * An endpoint record, alone and outside any transaction (EndpointProjection.applyAlone), when this replica knows
     * where its partition stands.
     *
     * @return false when it was not applied so (not an endpoint record, the partition's offset unknown here or moved
     * on elsewhere, the database failed): {@link #apply} then decides, as for any record
     */
    public boolean applyAlone(String topic, int partition, long offset, String key, Envelope event) {
        EventType type = event == null ? null : EventType.fromWireName(event.type()).orElse(null);
        ProjectionOffset.Key claim = new ProjectionOffset.Key(topic, partition);
        Long from = committed.get(claim);
        if (type == null || !EndpointProjection.handles(type) || from == null || offset <= from) {
            return false;
        }
        String others;
        try {
            others = endpoints.applyAlone(type, key, event, topic, partition, offset, from);
        } catch (SQLException | RuntimeException e) {
            committed.remove(claim); // read again, with the lock, by apply
            LOG.debugf("%s-%d@%d not applied alone (%s): in a transaction", topic, partition, offset, e.getMessage());
            return false;
        }
        committed.put(claim, offset);
        if (others != null) {
            try {
                QuarkusTransaction.requiringNew().run(() -> sandboxes.settleOthers(others));
            } catch (RuntimeException e) { // the record stands; the sweep (settleOpen) settles them
                LOG.warnf("settling the operations of sandbox %s failed: %s", others, e.getMessage());
            }
        }
        return true;
    }

    /** Moves past a record that cannot be applied, so that one bad event does not stop the read model. */
    @Transactional
    public void skip(String topic, int partition, long offset) {
        Claims claims = new Claims();
        claims.claim(topic, partition, offset);
        claims.write();
    }

    /** The partitions this replica no longer projects: their offsets are read from the database again. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> committed.remove(new ProjectionOffset.Key(p.topic(), p.partition())));
    }

    /**
     * The offsets a transaction claimed. A partition this replica committed before is claimed from memory and moved
     * on by one conditional update at the end (if another replica moved it meanwhile, the update finds nothing and
     * the transaction rolls back); any other is read and locked, once, and written once at the end (an offset
     * changed per record was written again before every query of the next record). In plain SQL (ReadModelSql):
     * nothing of it stays in the persistence context while the records' own SQL runs.
     */
    private final class Claims {
        /** The partitions whose row this transaction locked (or made), with the offset the row held then. */
        private final Map<ProjectionOffset.Key, Long> locked = new HashMap<>();
        private final Map<ProjectionOffset.Key, Long> expected = new HashMap<>();
        private final Map<ProjectionOffset.Key, Long> last = new HashMap<>();
        private boolean registered;

        /** @return false when the record at {@code offset} was applied before */
        boolean claim(String topic, int partition, long offset) {
            ProjectionOffset.Key key = new ProjectionOffset.Key(topic, partition);
            Long claimed = last.get(key);
            if (claimed == null) {
                claimed = committed.get(key);
                if (claimed != null) {
                    expected.put(key, claimed);
                } else {
                    claimed = lockOrMake(key, offset);
                    if (claimed == null) { // made now, at this record
                        locked.put(key, offset);
                        last.put(key, offset);
                        remember();
                        return true;
                    }
                    locked.put(key, claimed);
                }
            }
            if (offset <= claimed) {
                last.put(key, claimed);
                return false;
            }
            last.put(key, offset);
            remember();
            return true;
        }

        /**
         * The partition's stored offset, its row locked; null when it had no row and got one at {@code offset} (a
         * replica that makes it at the same moment fails on the key, and applies the batch again).
         */
        private Long lockOrMake(ProjectionOffset.Key key, long offset) {
            return sql.run(c -> {
                try (PreparedStatement select = c.prepareStatement("select last_offset from "
                        + sql.qualified("projection_offsets") + " where topic = ? and partition = ? for update")) {
                    select.setString(1, key.topic);
                    select.setInt(2, key.partition);
                    try (ResultSet row = select.executeQuery()) {
                        if (row.next()) {
                            return row.getLong(1);
                        }
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("insert into " + sql.qualified("projection_offsets")
                        + " (topic, partition, last_offset) values (?, ?, ?)")) {
                    insert.setString(1, key.topic);
                    insert.setInt(2, key.partition);
                    insert.setLong(3, offset);
                    insert.executeUpdate();
                }
                return null;
            });
        }

        void write() {
            last.forEach((key, offset) -> {
                Long held = locked.get(key);
                if (held != null) {
                    if (offset > held) {
                        moveOffset(key, offset, null);
                    }
                } else if (offset > expected.get(key) && moveOffset(key, offset, expected.get(key)) != 1) {
                    // the rollback makes this replica read the offset again (remember)
                    throw new IllegalStateException("the read model's offset of " + key.topic + "-" + key.partition
                            + " moved on elsewhere: applied again from what it holds");
                }
            });
        }

        /** @param from null: the row is locked by this transaction; else the offset it must still hold */
        private int moveOffset(ProjectionOffset.Key key, long offset, Long from) {
            return sql.run(c -> {
                try (PreparedStatement update = c.prepareStatement("update " + sql.qualified("projection_offsets")
                        + " set last_offset = ? where topic = ? and partition = ?"
                        + (from == null ? "" : " and last_offset = ?"))) {
                    update.setLong(1, offset);
                    update.setString(2, key.topic);
                    update.setInt(3, key.partition);
                    if (from != null) {
                        update.setLong(4, from);
                    }
                    return update.executeUpdate();
                }
            });
        }

        /** What this transaction claimed counts as committed once it is; if it rolls back, it is read again. */
        private void remember() {
            if (registered) {
                return;
            }
            registered = true;
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        committed.putAll(last);
                    } else {
                        last.keySet().forEach(committed::remove);
                    }
                }
            });
        }
    }

    private void apply(EventType type, String key, Envelope event) {
        switch (type) {
            case NETWORK_CREATED -> networkCreated(event, event.data(Network.class));
            case NETWORK_REJECTED -> networkRejected(event, event.data(Rejection.class));
            case NETWORK_REMOVED -> networkRemoved(event, event.data(NetworkRemoved.class));
            case NETWORK_READY -> networkReady(event, event.data(NetworkReady.class));
            case NETWORK_FAILED -> networkFailed(event, event.data(Failure.class));
            case NETWORK_CLEARED -> networkCleared(event, event.data(Cleared.class));
            case NODE_JOINED -> nodeJoined(event, event.data(NodeJoined.class));
            case NODE_HEARTBEAT -> nodeHeartbeat(event, event.data(NodeHeartbeat.class));
            case NODE_LEFT -> nodeLeft(event, event.data(NodeLeft.class));
            case NODE_REMOVED -> nodeRemoved(event, event.data(NodeRemoved.class));
            case NODE_REJECTED -> finishNodeRemoval(event, OperationEntry.FAILED, event.data(Rejection.class).status(),
                    event.data(Rejection.class).message());
            default -> sandboxes.apply(type, key, event);
        }
    }

    private void networkCreated(Envelope event, Network n) {
        NetworkEntry row = NetworkEntry.findById(n.id());
        boolean fresh = row == null;
        if (fresh) {
            row = new NetworkEntry();
            row.id = n.id();
        }
        row.name = n.name();
        row.driver = n.driver();
        row.scope = n.scope() == null ? "local" : n.scope();
        row.subnets = JsonColumns.write(n.subnets() == null ? List.of() : n.subnets());
        row.internal = n.internal();
        row.attachable = n.attachable();
        row.enableIpv6 = n.enableIpv6();
        row.options = JsonColumns.write(n.options() == null ? Map.of() : n.options());
        row.labels = JsonColumns.write(n.labels() == null ? Map.of() : n.labels());
        row.vni = n.vni();
        row.bridge = n.bridge();
        row.predefined = n.predefined();
        row.created = n.created() == null ? event.time() : n.created();
        if (fresh) {
            row.persist();
        }
        settleCreates(n.id());
    }

    private void networkRejected(Envelope event, Rejection r) {
        OperationEntry op = event.correlationId() == null ? null : OperationEntry.findById(event.correlationId());
        if (op != null && op.isOpen()) {
            op.finish(OperationEntry.FAILED, r.status(), r.message(), null);
        }
    }

    private void networkRemoved(Envelope event, NetworkRemoved removed) {
        NetworkEntry row = NetworkEntry.findById(removed.networkId());
        if (row != null && row.removed == null) {
            row.removed = event.time();
        }
        // removed while its create still waited for nodes (a remove that raced it): the create cannot finish
        for (OperationEntry op : OperationEntry.open(OperationEntry.CREATE_NETWORK, removed.networkId())) {
            op.finish(OperationEntry.FAILED, 409, "network " + removed.name() + " was removed before it was ready", null);
        }
        settleRemoves(removed.networkId());
    }

    private void networkReady(Envelope event, NetworkReady ready) {
        NetworkNodeState state = NetworkNodeState.forUpdate(ready.networkId(), ready.node());
        state.state = NetworkNodeState.READY;
        state.bridge = ready.bridge();
        state.ifindex = ready.ifindex();
        state.error = null;
        state.updated = event.time();
        state.persist();
        settleCreates(ready.networkId());
    }

    private void networkFailed(Envelope event, Failure failure) {
        NetworkNodeState state = NetworkNodeState.forUpdate(failure.id(), failure.node());
        state.state = NetworkNodeState.FAILED;
        state.error = failure.error();
        state.updated = event.time();
        state.persist();
        for (OperationEntry op : OperationEntry.open(OperationEntry.CREATE_NETWORK, failure.id())) {
            op.finish(OperationEntry.FAILED, 500, failure.node() + ": " + failure.error(), null);
            compensate(op, event);
        }
    }

    private void networkCleared(Envelope event, Cleared cleared) {
        NetworkNodeState state = NetworkNodeState.forUpdate(cleared.id(), cleared.node());
        state.state = NetworkNodeState.CLEARED;
        state.bridge = null;
        state.ifindex = null;
        state.error = null;
        state.updated = event.time();
        state.persist();
        settleRemoves(cleared.id());
    }

    /**
     * Settles open operations again: a node that stopped beating no longer counts, so what waited for it
     * may be done now although no event says so.
     */
    @Transactional
    public void settleOpen() {
        List<OperationEntry> open = OperationEntry.list(OperationEntry.OPEN);
        open.stream().filter(op -> OperationEntry.CREATE_NETWORK.equals(op.kind)).map(op -> op.target).distinct()
                .forEach(this::settleCreates);
        open.stream().filter(op -> OperationEntry.REMOVE_NETWORK.equals(op.kind)).map(op -> op.target).distinct()
                .forEach(this::settleRemoves);
        sandboxes.settleOpen(open);
    }

    /** A create succeeds once the network exists and every ready node reports it ready. */
    private void settleCreates(String networkId) {
        List<OperationEntry> open = OperationEntry.open(OperationEntry.CREATE_NETWORK, networkId);
        NetworkEntry network = NetworkEntry.findById(networkId);
        if (open.isEmpty() || network == null || network.removed != null) {
            return;
        }
        Set<String> readyNodes = liveness.readyNodes();
        var view = catalog.view(network, readyNodes);
        if (view.ready()) {
            String result = JsonColumns.write(view);
            open.forEach(op -> op.finish(OperationEntry.SUCCEEDED, 201, null, result));
        }
    }

    /** A remove succeeds once ipam freed the network and no ready node still holds it. */
    private void settleRemoves(String networkId) {
        List<OperationEntry> open = OperationEntry.open(OperationEntry.REMOVE_NETWORK, networkId);
        NetworkEntry network = NetworkEntry.findById(networkId);
        if (open.isEmpty() || network == null || network.removed == null) {
            return;
        }
        if (catalog.readyOn(networkId, liveness.readyNodes()).isEmpty()) {
            String result = JsonColumns.write(Map.of("id", network.id, "name", network.name));
            open.forEach(op -> op.finish(OperationEntry.SUCCEEDED, 204, null, result));
        }
    }

    /**
     * A node could not build the network: remove it again so nothing stays allocated for a network the
     * caller was told failed. Sent inside the transaction: if the commit fails the record is applied
     * again and the intent repeats, which ipam answers with a harmless 404 rejection.
     */
    private void compensate(OperationEntry op, Envelope failure) {
        LOG.infof("network %s failed on %s: removing it again (operation %s)", op.target, failure.node(), op.id);
        intents.publish(new Envelope(UUID.randomUUID(), EventType.NETWORK_REMOVE_REQUESTED.wireName(),
                EventType.NETWORK_REMOVE_REQUESTED.version(), Instant.now(), op.id, failure.id().toString(),
                op.actor, Subject.network(op.target), null, new NetworkRemoveRequested(op.target)));
    }

    private void nodeJoined(Envelope event, NodeJoined joined) {
        NodeEntry node = node(joined.node(), event.time());
        node.underlayAddress = joined.underlayAddress();
        node.routedSubnets = JsonColumns.write(joined.routedSubnets() == null ? List.of() : joined.routedSubnets());
        node.versions = JsonColumns.write(joined.versions() == null ? Map.of() : joined.versions());
        node.hostname = joined.hostname();
        node.capabilities = joined.capabilities() == null ? null : JsonColumns.write(joined.capabilities());
        node.joined = event.time();
        node.leftAt = null;
    }

    private void nodeHeartbeat(Envelope event, NodeHeartbeat beat) {
        NodeEntry node = node(beat.node(), event.time());
        if (beat.routedSubnets() != null) {
            node.routedSubnets = JsonColumns.write(beat.routedSubnets());
        }
    }

    private void nodeLeft(Envelope event, NodeLeft left) {
        NodeEntry node = node(left.node(), event.time());
        node.leftAt = event.time();
    }

    /** The node leaves the list and the networks' node states; its sandboxes go with their own sandbox.removed. */
    private void nodeRemoved(Envelope event, NodeRemoved removed) {
        NodeEntry node = NodeEntry.findById(removed.node());
        if (node != null && (node.removedAt == null || event.time().isAfter(node.removedAt))) {
            node.removedAt = event.time();
        }
        liveness.nodeChanged();
        // its networks' per-node states go too; an agent that comes back reports them again
        NetworkNodeState.delete("node", removed.node());
        finishNodeRemoval(event, OperationEntry.SUCCEEDED, 204, null);
    }

    private void finishNodeRemoval(Envelope event, String state, int status, String message) {
        OperationEntry op = event.correlationId() == null ? null : OperationEntry.findById(event.correlationId());
        if (op != null && op.isOpen() && OperationEntry.REMOVE_NODE.equals(op.kind)) {
            op.finish(state, status, message, null);
        }
    }

    /** The node's row, created if new, last seen at {@code seen} if later; its liveness is read again. */
    private NodeEntry node(String name, Instant seen) {
        liveness.nodeChanged();
        NodeEntry node = NodeEntry.findById(name);
        if (node == null) {
            node = new NodeEntry();
            node.name = name;
            node.routedSubnets = "[]";
            node.versions = "{}";
            node.lastSeen = seen;
            node.persist();
        } else if (seen.isAfter(node.lastSeen)) {
            node.lastSeen = seen;
        }
        return node;
    }
}
