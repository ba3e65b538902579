package io.netplane.ipam.replay;

import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.pool.PoolSet;
import io.netplane.ipam.pool.Pools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares ipam's state in two schemas of one database (the one rebuilt from the log, the live one), table by
 * table in SQL, field by field. Allocation state whose stored form may differ while deciding the same (marks,
 * free lists, cursors) is compared by what it decides: the next automatic address of each network, the next
 * ephemeral port of each node and protocol, the next default and overlay subnet cursor.
 */
public final class SchemaComparison {
    /** At most this many differing rows are reported per table. */
    private static final int LIMIT = 1000;

    private record Table(String kind, String name, List<String> keys, List<String> fields) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("network", "networks", List.of("id"), List.of("name", "driver", "scope", "bridge", "internal",
                    "attachable", "enable_ipv6", "options", "labels", "vni", "predefined", "created")),
            new Table("subnet", "subnets", List.of("network_id", "subnet"),
                    List.of("family", "gateway", "ip_range", "auto", "gateway_given")),
            new Table("sandbox", "sandboxes", List.of("id"), List.of("name", "node", "mode", "netns", "hostname",
                    "container_of", "next_ifindex", "created")),
            new Table("endpoint", "endpoints", List.of("id"), List.of("sandbox_id", "network_id", "node", "ifname",
                    "address", "prefix_length", "gateway", "mac", "aliases", "created")),
            new Table("port", "port_bindings", List.of("endpoint_id", "protocol", "host_ip", "host_port"),
                    List.of("node", "container_port", "ephemeral")),
            new Table("node", "nodes", List.of("name"), List.of("underlay", "routed_subnets", "left_at")),
            new Table("intent", "processed_intents", List.of("intent_id"), List.of("intent", "outcome")));

    /** What the rebuilt state holds: the summary of a consistent verify. */
    public record Counts(int networks, int endpoints, int ports) {
    }

    private final Pools pools;
    private final int firstPort;
    private final int lastPort;

    public SchemaComparison(Pools pools, IpamSettings.EphemeralPorts ports) {
        this.pools = pools;
        this.firstPort = ports.first();
        this.lastPort = ports.last();
    }

    public List<Difference> differences(Connection c, String log, String database) throws SQLException {
        List<Difference> found = new ArrayList<>();
        for (Table t : TABLES) {
            tableDifferences(c, t, log, database, found);
        }
        nextAddresses(c, log, database, found);
        nextPorts(c, log, database, found);
        for (PoolSet set : pools.all()) {
            int inLog = cursor(c, log, set);
            int inDatabase = cursor(c, database, set);
            if (inLog != inDatabase) {
                found.add(new Difference("pool " + set.name(), "next-fit cursor", Integer.toString(inLog),
                        Integer.toString(inDatabase)));
            }
        }
        return found;
    }

    public Counts counts(Connection c, String schema) throws SQLException {
        return new Counts(count(c, schema, "networks"), count(c, schema, "endpoints"), count(c, schema, "port_bindings"));
    }

    private static void tableDifferences(Connection c, Table t, String log, String database, List<Difference> found)
            throws SQLException {
        StringBuilder sql = new StringBuilder("select ");
        for (String k : t.keys()) {
            sql.append("coalesce(s.").append(k).append(", d.").append(k).append(")::text, ");
        }
        String k0 = t.keys().get(0);
        sql.append("s.").append(k0).append(" is not null, d.").append(k0).append(" is not null");
        for (String f : t.fields()) {
            sql.append(", s.").append(f).append("::text, d.").append(f).append("::text");
        }
        sql.append(" from ").append(log).append('.').append(t.name()).append(" s full join ").append(database)
                .append('.').append(t.name()).append(" d on ");
        sql.append(String.join(" and ", t.keys().stream().map(k -> "s." + k + " = d." + k).toList()));
        sql.append(" where s.").append(k0).append(" is null or d.").append(k0).append(" is null");
        for (String f : t.fields()) {
            sql.append(" or s.").append(f).append(" is distinct from d.").append(f);
        }
        sql.append(" order by 1 limit ").append(LIMIT);
        try (PreparedStatement select = c.prepareStatement(sql.toString()); ResultSet row = select.executeQuery()) {
            int keys = t.keys().size();
            while (row.next()) {
                List<String> key = new ArrayList<>();
                for (int i = 1; i <= keys; i++) {
                    key.add(row.getString(i));
                }
                String entity = t.kind() + " " + String.join(" ", key);
                boolean inLog = row.getBoolean(keys + 1);
                boolean inDatabase = row.getBoolean(keys + 2);
                if (!inLog || !inDatabase) {
                    found.add(new Difference(entity, "(row)", inLog ? "present" : null, inDatabase ? "present" : null));
                    continue;
                }
                for (int i = 0; i < t.fields().size(); i++) {
                    String a = row.getString(keys + 3 + 2 * i);
                    String b = row.getString(keys + 4 + 2 * i);
                    if (a == null ? b != null : !a.equals(b)) {
                        found.add(new Difference(entity, t.fields().get(i), a, b));
                    }
                }
            }
        }
    }

    /** allocate_address without its side effects: a listed address below the mark, else the first untaken from it. */
    private static String nextAddress(String schema) {
        return "select c.network_id, host('0.0.0.0'::inet + coalesce("
                + "(select min(f.address) from " + schema + ".free_addresses f where f.network_id = c.network_id "
                + "and f.address < c.next_address), "
                + "(select g from generate_series(c.next_address, c.last_address) g where g is distinct from c.gateway "
                + "and not exists (select 1 from " + schema + ".endpoints e where e.network_id = c.network_id "
                + "and e.address = '0.0.0.0'::inet + g) order by g limit 1))) as next from " + schema + ".address_cursors c";
    }

    private static void nextAddresses(Connection c, String log, String database, List<Difference> found)
            throws SQLException {
        String sql = "select coalesce(s.network_id, d.network_id), s.next, d.next, s.network_id is not null, "
                + "d.network_id is not null from (" + nextAddress(log) + ") s full join (" + nextAddress(database)
                + ") d on s.network_id = d.network_id where s.next is distinct from d.next "
                + "or s.network_id is null or d.network_id is null order by 1 limit " + LIMIT;
        try (PreparedStatement select = c.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            while (row.next()) {
                found.add(new Difference("network " + row.getString(1), "next address",
                        row.getBoolean(4) ? String.valueOf(row.getString(2)) : null,
                        row.getBoolean(5) ? String.valueOf(row.getString(3)) : null));
            }
        }
    }

    /** allocate_port without its side effects, for one (node, protocol) of the outer query. */
    private String nextPort(String schema) {
        String mark = "coalesce((select greatest(pc.next_port, " + firstPort + ") from " + schema + ".port_cursors pc "
                + "where pc.node = p.node and pc.protocol = p.protocol), " + firstPort + ")";
        String unbound = "not exists (select 1 from " + schema + ".port_bindings b where b.node = p.node "
                + "and b.protocol = p.protocol and b.host_port = %s)";
        return "coalesce((select min(f.port) from " + schema + ".free_ports f where f.node = p.node "
                + "and f.protocol = p.protocol and f.port between " + firstPort + " and least(" + mark + " - 1, "
                + lastPort + ") and " + unbound.formatted("f.port") + "), (select g from generate_series(" + mark
                + ", " + lastPort + ") g where " + unbound.formatted("g") + " order by g limit 1))";
    }

    private void nextPorts(Connection c, String log, String database, List<Difference> found) throws SQLException {
        String pairs = String.join(" union ", List.of(log, database).stream().flatMap(s -> List.of(
                "select node, protocol from " + s + ".port_bindings",
                "select node, protocol from " + s + ".port_cursors").stream()).toList());
        String sql = "select * from (select p.node, p.protocol, " + nextPort(log) + " as s, " + nextPort(database)
                + " as d from (" + pairs + ") p) x where s is distinct from d order by 1, 2 limit " + LIMIT;
        try (PreparedStatement select = c.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            while (row.next()) {
                found.add(new Difference("node " + row.getString(1) + " " + row.getString(2), "next ephemeral port",
                        row.getString(3), row.getString(4)));
            }
        }
    }

    /** The stored cursor as NextFit reads it: missing or outside the list counts as 0. */
    private static int cursor(Connection c, String schema, PoolSet set) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "select position from " + schema + ".pool_cursors where pool_set = ?")) {
            select.setString(1, set.name());
            try (ResultSet row = select.executeQuery()) {
                int position = row.next() ? row.getInt(1) : 0;
                return position < 0 || position >= set.size() ? 0 : position;
            }
        }
    }

    private static int count(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select count(*) from " + schema + "." + table);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
