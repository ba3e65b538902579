package io.netplane.ipam.allocation;

import io.netplane.ipam.pool.Ipv4Subnet;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes and the subnets already routed on each (from {@code node.joined} / {@code node.heartbeat}). An
 * older event (a replay of the topic) never overwrites a newer one.
 */
@ApplicationScoped
public class NodeStore {
    private static final Logger LOG = Logger.getLogger(NodeStore.class);

    public void joined(Connection c, String node, String underlay, List<String> routed, Instant time) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("insert into nodes (name, underlay, routed_subnets, joined, "
                + "last_seen, left_at) values (?, ?::inet, ?::cidr[], ?, ?, null) on conflict (name) do update set "
                + "underlay = excluded.underlay, routed_subnets = excluded.routed_subnets, joined = excluded.joined, "
                + "last_seen = excluded.last_seen, left_at = null where nodes.last_seen <= excluded.last_seen")) {
            upsert.setString(1, node);
            upsert.setString(2, underlay == null || underlay.isBlank() ? null : underlay);
            upsert.setArray(3, c.createArrayOf("text", canonical(node, routed).toArray()));
            upsert.setTimestamp(4, Timestamp.from(time));
            upsert.setTimestamp(5, Timestamp.from(time));
            upsert.executeUpdate();
        }
    }

    public void heartbeat(Connection c, String node, List<String> routed, Instant time) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("insert into nodes (name, routed_subnets, joined, last_seen) "
                + "values (?, ?::cidr[], ?, ?) on conflict (name) do update set routed_subnets = excluded.routed_subnets, "
                + "last_seen = excluded.last_seen, left_at = null where nodes.last_seen <= excluded.last_seen")) {
            upsert.setString(1, node);
            upsert.setArray(2, c.createArrayOf("text", canonical(node, routed).toArray()));
            upsert.setTimestamp(3, Timestamp.from(time));
            upsert.setTimestamp(4, Timestamp.from(time));
            upsert.executeUpdate();
        }
    }

    /** A node that left keeps its routes on record: it may come back, and its host still routes them. */
    public void left(Connection c, String node, Instant time) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "update nodes set left_at = ? where name = ? and last_seen <= ?")) {
            update.setTimestamp(1, Timestamp.from(time));
            update.setString(2, node);
            update.setTimestamp(3, Timestamp.from(time));
            update.executeUpdate();
        }
    }

    /**
     * The node was removed for good: it routes nothing any more and its ephemeral-port cursors go. It counts as
     * seen at the removal, so only an event newer than the removal (the agent still runs) brings it back.
     */
    public void removed(Connection c, String node, Instant time) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("update nodes set left_at = ?, routed_subnets = '{}', "
                + "last_seen = greatest(last_seen, ?) where name = ?")) {
            update.setTimestamp(1, Timestamp.from(time));
            update.setTimestamp(2, Timestamp.from(time));
            update.setString(3, node);
            update.executeUpdate();
        }
        for (String table : List.of("free_ports", "port_cursors")) {
            try (PreparedStatement delete = c.prepareStatement("delete from " + table + " where node = ?")) {
                delete.setString(1, node);
                delete.executeUpdate();
            }
        }
    }

    /** IPv4 prefixes without host bits (a route may be reported as 172.17.0.1/16); IPv6 waits for dual-stack. */
    public static List<String> canonical(String node, List<String> routed) {
        List<String> subnets = new ArrayList<>();
        for (String text : routed == null ? List.<String>of() : routed) {
            if (text == null || text.contains(":")) {
                continue;
            }
            try {
                subnets.add(Ipv4Subnet.parse(text.trim()).canonical().toString());
            } catch (IllegalArgumentException e) {
                LOG.warnf("node %s reports a routed subnet that is not a CIDR: %s (ignored)", node, text);
            }
        }
        return subnets;
    }
}
