package io.netplane.ipam.outbox;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventType;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes outgoing records in the caller's transaction, so an allocation and its events commit or roll back
 * together. {@link OutboxRelay} sends them after the commit.
 *
 * <p>A consumer thread may {@link #defer()} its rows for the batch: they are kept in memory and written in one
 * statement by {@link #flush} just before the commit, which hands them (with their ids) to the relay afterwards. A refused
 * intent drops its own rows with {@link #mark()} / {@link #dropAfter(int)}, as its savepoint rolls back.
 */
@ApplicationScoped
public class Outbox {
    private static final String INSERT =
            "insert into outbox (topic, record_key, event_type, value) values (?, ?, ?, ?)";

    private record Row(String topic, String key, String type, byte[] value) {
    }

    /** A row as committed: what the relay needs to send it without reading it back. */
    public record Committed(long id, String topic, String key, byte[] value) {
    }

    private static final String INSERT_ALL = "insert into outbox (topic, record_key, event_type, value) "
            + "select r.topic, r.record_key, r.event_type, r.value from unnest(?::text[], ?::text[], ?::text[], ?::bytea[]) "
            + "with ordinality as r(topic, record_key, event_type, value, i) order by r.i returning id";

    private final ThreadLocal<List<Row>> deferred = new ThreadLocal<>();

    /** An event on its type's topic. */
    public void add(Connection c, String key, Envelope event) throws SQLException {
        EventType type = EventType.fromWireName(event.type())
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + event.type()));
        insert(c, new Row(type.topic().suffix(), key, event.type(), EventCodec.shared().encode(event)));
    }

    /** A tombstone (null value) on the topic of {@code removed}: the compacted topic forgets the key. */
    public void tombstone(Connection c, EventType removed, String key) throws SQLException {
        insert(c, new Row(removed.topic().suffix(), key, removed.wireName() + ":tombstone", null));
    }

    /** From now on this thread's rows wait for {@link #flush}. */
    public void defer() {
        deferred.set(new ArrayList<>());
    }

    /** How many rows wait; 0 when nothing is deferred. */
    public int mark() {
        List<Row> rows = deferred.get();
        return rows == null ? 0 : rows.size();
    }

    /** Forgets the rows added after {@code mark} (their intent's savepoint was rolled back). */
    public void dropAfter(int mark) {
        List<Row> rows = deferred.get();
        if (rows != null) {
            rows.subList(mark, rows.size()).clear();
        }
    }

    /** Forgets every waiting row and stops deferring (the batch transaction rolled back). */
    public void discard() {
        deferred.remove();
    }

    /**
     * Writes the waiting rows in order, in one statement, and stops deferring.
     * @return the rows with their ids, in order, for {@link OutboxRelay#committed} once the transaction commits
     */
    public List<Committed> flush(Connection c) throws SQLException {
        List<Row> rows = deferred.get();
        deferred.remove();
        if (rows == null || rows.isEmpty()) {
            return List.of();
        }
        long[] ids = new long[rows.size()];
        try (PreparedStatement insert = c.prepareStatement(INSERT_ALL)) {
            insert.setArray(1, c.createArrayOf("text", rows.stream().map(Row::topic).toArray()));
            insert.setArray(2, c.createArrayOf("text", rows.stream().map(Row::key).toArray()));
            insert.setArray(3, c.createArrayOf("text", rows.stream().map(Row::type).toArray()));
            insert.setArray(4, c.createArrayOf("bytea", rows.stream().map(Row::value).toArray(byte[][]::new)));
            try (ResultSet row = insert.executeQuery()) {
                int n = 0;
                while (row.next()) {
                    ids[n++] = row.getLong(1);
                }
                if (n != ids.length) {
                    throw new SQLException("outbox insert returned " + n + " ids for " + ids.length + " rows");
                }
            }
        }
        Arrays.sort(ids); // the sequence was drawn in row order (order by r.i)
        List<Committed> written = new ArrayList<>(rows.size());
        for (int i = 0; i < ids.length; i++) {
            Row r = rows.get(i);
            written.add(new Committed(ids[i], r.topic(), r.key(), r.value()));
        }
        return written;
    }

    private void insert(Connection c, Row r) throws SQLException {
        List<Row> rows = deferred.get();
        if (rows != null) {
            rows.add(r);
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            bind(insert, r);
            insert.executeUpdate();
        }
    }

    private static void bind(PreparedStatement insert, Row r) throws SQLException {
        insert.setString(1, r.topic());
        insert.setString(2, r.key());
        insert.setString(3, r.type());
        insert.setBytes(4, r.value());
    }
}
