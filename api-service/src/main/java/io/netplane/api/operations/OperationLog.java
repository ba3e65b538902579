package io.netplane.api.operations;

import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.OperationEntry;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The request's side of the operations table: it opens an operation; the projection settles it. The api's
 * connections commit without waiting for the WAL flush (application.properties): a row the caller is handed the id
 * of, to follow it (an async call's 202, a timeout's 504), is committed with the flush, so a PostgreSQL crash cannot
 * take it back.
 */
@ApplicationScoped
public class OperationLog {
    @Inject
    DataSource dataSource;
    @ConfigProperty(name = "quarkus.hibernate-orm.database.default-schema", defaultValue = "api")
    String schema;

    @Transactional
    public void open(String id, String kind, String target, String targetName, String actor, CallOptions call) {
        open(id, kind, target, targetName, actor, null, null, call);
    }

    /** A sandbox or endpoint operation: on {@code networkId} (connect, disconnect), waiting for {@code endpointIds}. */
    @Transactional
    public void open(String id, String kind, String target, String targetName, String actor, String networkId,
                     List<String> endpointIds, CallOptions call) {
        if (call.async()) {
            flushedAtCommit();
        }
        OperationEntry op = new OperationEntry();
        op.networkId = networkId;
        op.endpoints = endpointIds == null ? null : JsonColumns.write(endpointIds);
        op.id = id;
        op.kind = kind;
        op.target = target;
        op.targetName = targetName;
        op.actor = actor;
        op.state = OperationEntry.PENDING;
        op.created = Instant.now();
        op.updated = op.created;
        op.persist();
    }

    /**
     * {@link #open(String, String, String, String, String, String, List, CallOptions)} for a synchronous call, outside
     * any transaction: one statement that commits by itself, with no BEGIN, COMMIT or persistence context (on every
     * connect's and disconnect's path).
     */
    public void openAlone(String id, String kind, String target, String targetName, String actor, String networkId,
                          List<String> endpointIds) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("insert into " + schema
                + ".operations (id, kind, target, target_name, actor, network_id, endpoints, state, created, updated)"
                + " values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, kind);
            s.setString(3, target);
            s.setString(4, targetName);
            s.setString(5, actor);
            s.setString(6, networkId);
            s.setString(7, endpointIds == null ? null : JsonColumns.write(endpointIds));
            s.setString(8, OperationEntry.PENDING);
            s.setObject(9, now);
            s.setObject(10, now);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record operation " + id + ": " + e.getMessage(), e);
        }
    }

    /** The caller stopped waiting; the outcome, when it comes, replaces this. */
    @Transactional
    public void timedOut(String id) {
        flushedAtCommit(); // and with it the row's insert, which the WAL holds before this
        OperationEntry op = OperationEntry.findById(id);
        if (op != null && OperationEntry.PENDING.equals(op.state)) {
            op.state = OperationEntry.TIMEOUT;
            op.updated = Instant.now();
        }
    }

    @Transactional
    public void notPublished(String id, String message) {
        OperationEntry op = OperationEntry.findById(id);
        if (op != null && op.isOpen()) {
            op.finish(OperationEntry.FAILED, 503, message, null);
        }
    }

    private static void flushedAtCommit() {
        Panache.getEntityManager().createNativeQuery("set local synchronous_commit to on").executeUpdate();
    }

    @Transactional
    public Optional<OperationEntry> find(String id) {
        return OperationEntry.findByIdOptional(id);
    }
}
