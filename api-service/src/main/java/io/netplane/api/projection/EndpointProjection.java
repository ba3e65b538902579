package io.netplane.api.projection;

import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NodeLiveness;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.EndpointReleased;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The records of every connect and disconnect — ipam's allocation and release, the node's ready and cleared — and
 * the connect and disconnect operations they settle, one SQL call each (the V5 functions): the ORM took four to
 * seven round trips per record. Each call answers the sandbox whose operations of other kinds (create, remove) are
 * open, for {@link SandboxProjection} to settle, or null.
 */
@ApplicationScoped
class EndpointProjection {
    @Inject
    ReadModelSql sql;
    @Inject
    DataSource dataSource;
    @Inject
    NodeLiveness liveness;

    static boolean handles(EventType type) {
        return switch (type) {
            case ENDPOINT_ALLOCATED, ENDPOINT_READY, ENDPOINT_RELEASED, ENDPOINT_CLEARED -> true;
            default -> false;
        };
    }

    /** In the projection's transaction. @param key the record's key, the sandbox id */
    String apply(EventType type, String key, Envelope event) {
        Call call = call(type, key, event);
        Object[] readyNodes = readyNodes();
        return sql.run(c -> call.run(c, readyNodes, null));
    }

    /**
     * Alone, in one statement outside any transaction, together with moving its partition's offset from
     * {@code from} (the offset this replica committed last) to {@code offset}: all of it or, if anything fails
     * (another replica moved the offset, the database is away), nothing.
     */
    String applyAlone(EventType type, String key, Envelope event, String topic, int partition, long offset, long from)
            throws SQLException {
        Call call = call(type, key, event);
        Object[] readyNodes = readyNodes();
        try (Connection c = dataSource.getConnection()) {
            return call.run(c, readyNodes, new Advance(topic, partition, offset, from));
        }
    }

    /** Settles the open connects and disconnects of a sandbox, whatever record decided them. */
    String settle(String sandboxId) {
        Object[] readyNodes = readyNodes();
        return sql.run(c -> new Call("settle_endpoint_operations(?, ?)", s -> {
            s.setString(1, sandboxId);
            return 2;
        }).run(c, readyNodes, null));
    }

    /** Before the SQL: when stale, the ready nodes are read through the ORM (which ReadModelSql.run then lets go of). */
    private Object[] readyNodes() {
        return liveness.readyNodes().toArray();
    }

    private Call call(EventType type, String key, Envelope event) {
        return switch (type) {
            case ENDPOINT_ALLOCATED -> {
                Endpoint e = event.data(Endpoint.class);
                yield new Call("project_endpoint_allocated(?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?, ?)", s -> {
                    s.setString(1, e.id());
                    s.setString(2, e.sandboxId());
                    s.setString(3, e.networkId());
                    s.setString(4, e.node());
                    s.setString(5, e.ifname());
                    s.setString(6, JsonColumns.write(e.addresses() == null ? List.of() : e.addresses()));
                    s.setString(7, e.mac());
                    s.setString(8, JsonColumns.write(e.ports() == null ? List.of() : e.ports()));
                    s.setString(9, JsonColumns.write(e.aliases() == null ? List.of() : e.aliases()));
                    s.setObject(10, ReadModelSql.time(e.created() == null ? event.time() : e.created()));
                    return 11;
                });
            }
            case ENDPOINT_READY -> {
                EndpointReady r = event.data(EndpointReady.class);
                yield new Call("project_endpoint_ready(?, ?, ?, ?, ?, ?, ?, ?, ?)", s -> {
                    s.setString(1, r.endpointId());
                    s.setString(2, r.sandboxId());
                    s.setString(3, r.node());
                    s.setString(4, r.hostIfname());
                    s.setString(5, r.ifname());
                    s.setInt(6, r.ifindex());
                    s.setInt(7, r.iflink());
                    s.setObject(8, ReadModelSql.time(event.time()));
                    return 9;
                });
            }
            case ENDPOINT_RELEASED -> {
                EndpointReleased r = event.data(EndpointReleased.class);
                yield new Call("project_endpoint_released(?, ?, ?, ?)", s -> {
                    s.setString(1, r.endpointId());
                    s.setString(2, r.sandboxId());
                    s.setObject(3, ReadModelSql.time(event.time()));
                    return 4;
                });
            }
            case ENDPOINT_CLEARED -> {
                Cleared cleared = event.data(Cleared.class);
                // the key is the sandbox id, for when neither ipam's record nor an earlier report names it
                yield new Call("project_endpoint_cleared(?, ?, ?, ?, ?)", s -> {
                    s.setString(1, cleared.id());
                    s.setString(2, key);
                    s.setString(3, cleared.node());
                    s.setObject(4, ReadModelSql.time(event.time()));
                    return 5;
                });
            }
            default -> throw new IllegalArgumentException("not an endpoint record: " + type.wireName());
        };
    }

    /** Sets a call's own parameters and answers the position of its last one, the ready nodes. */
    private interface Parameters {
        int set(PreparedStatement s) throws SQLException;
    }

    private record Advance(String topic, int partition, long offset, long from) {
    }

    private final class Call {
        private final String function;
        private final Parameters parameters;

        Call(String function, Parameters parameters) {
            this.function = function;
            this.parameters = parameters;
        }

        String run(Connection c, Object[] readyNodes, Advance advance) throws SQLException {
            String select = "select " + sql.qualified(function)
                    + (advance == null ? "" : ", " + sql.qualified("advance_projection_offset(?, ?, ?, ?)"));
            try (PreparedStatement s = c.prepareStatement(select)) {
                int last = parameters.set(s);
                Array ready = c.createArrayOf("text", readyNodes);
                s.setArray(last, ready);
                if (advance != null) {
                    s.setString(last + 1, advance.topic());
                    s.setInt(last + 2, advance.partition());
                    s.setLong(last + 3, advance.offset());
                    s.setLong(last + 4, advance.from());
                }
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getString(1);
                } finally {
                    ready.free();
                }
            }
        }
    }
}
