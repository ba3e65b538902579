package io.netplane.ipam.outbox;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventType;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes outgoing records in the caller's transaction, so an allocation and its events commit or roll back
 * together. {@link OutboxRelay} sends them after the commit.
 */
@ApplicationScoped
public class Outbox {
    private static final String INSERT =
            "insert into outbox (topic, record_key, event_type, value) values (?, ?, ?, ?)";

    /** An event on its type's topic. */
    public void add(Connection c, String key, Envelope event) throws SQLException {
        EventType type = EventType.fromWireName(event.type())
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + event.type()));
        insert(c, type.topic().suffix(), key, event.type(), EventCodec.shared().encode(event));
    }

    /** A tombstone (null value) on the topic of {@code removed}: the compacted topic forgets the key. */
    public void tombstone(Connection c, EventType removed, String key) throws SQLException {
        insert(c, removed.topic().suffix(), key, removed.wireName() + ":tombstone", null);
    }

    private static void insert(Connection c, String topic, String key, String type, byte[] value) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            insert.setString(1, topic);
            insert.setString(2, key);
            insert.setString(3, type);
            insert.setBytes(4, value);
            insert.executeUpdate();
        }
    }
}
