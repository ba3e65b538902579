package io.netplane.ipam.allocation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.events.EventCodec;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.pool.Ipv4Subnet;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for networks, their subnets and the pool cursors; every method runs in the caller's transaction. */
@ApplicationScoped
public class NetworkStore {
    private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final String NETWORK_COLUMNS = "id, name, driver, scope, bridge, internal, attachable, "
            + "enable_ipv6, options::text, labels::text, vni, predefined, created";

    private static final long VNI_LOCK = 0x6e70_766e_6900_0000L; // "npvni"

    private final ObjectMapper json = EventCodec.shared().json();

    public Optional<Network> find(Connection c, String id) throws SQLException {
        return findWhere(c, "id = ?", id);
    }

    public Optional<Network> findByName(Connection c, String name) throws SQLException {
        return findWhere(c, "name = ?", name);
    }

    private Optional<Network> findWhere(Connection c, String condition, String value) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "select " + NETWORK_COLUMNS + " from networks where " + condition)) {
            select.setString(1, value);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(network(c, row)) : Optional.empty();
            }
        }
    }

    public List<Network> all(Connection c) throws SQLException {
        List<Network> all = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("select " + NETWORK_COLUMNS + " from networks order by created, name");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                all.add(network(c, row));
            }
        }
        return all;
    }

    private Network network(Connection c, ResultSet row) throws SQLException {
        String id = row.getString(1);
        int vni = row.getInt(11);
        Integer vniOrNull = row.wasNull() ? null : vni;
        return new Network(id, row.getString(2), row.getString(3), row.getString(4), subnets(c, id),
                row.getBoolean(6), row.getBoolean(7), row.getBoolean(8), map(row.getString(9)),
                map(row.getString(10)), vniOrNull, row.getString(5), row.getBoolean(12),
                row.getTimestamp(13).toInstant());
    }

    private List<SubnetAllocation> subnets(Connection c, String networkId) throws SQLException {
        List<SubnetAllocation> subnets = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("select family, subnet::text, host(gateway), "
                + "ip_range::text, auto, gateway_given from subnets where network_id = ? order by family, subnet")) {
            select.setString(1, networkId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    subnets.add(new SubnetAllocation(Family.valueOf(row.getString(1)), row.getString(2),
                            row.getString(3), row.getString(4), row.getBoolean(5), row.getBoolean(6)));
                }
            }
        }
        return subnets;
    }

    /** Inserts the network and its subnets; the exclusion constraint refuses an overlap (SQLState 23P01). */
    public void insert(Connection c, Network n) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into networks (id, name, driver, scope, bridge, "
                + "internal, attachable, enable_ipv6, options, labels, vni, predefined, created) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)")) {
            insert.setString(1, n.id());
            insert.setString(2, n.name());
            insert.setString(3, n.driver());
            insert.setString(4, n.scope());
            insert.setString(5, n.bridge());
            insert.setBoolean(6, n.internal());
            insert.setBoolean(7, n.attachable());
            insert.setBoolean(8, n.enableIpv6());
            insert.setString(9, text(n.options()));
            insert.setString(10, text(n.labels()));
            insert.setObject(11, n.vni());
            insert.setBoolean(12, n.predefined());
            insert.setTimestamp(13, Timestamp.from(n.created()));
            insert.executeUpdate();
        }
        for (SubnetAllocation s : n.subnets()) {
            try (PreparedStatement insert = c.prepareStatement("insert into subnets (network_id, family, subnet, "
                    + "gateway, ip_range, auto, gateway_given) values (?, ?, ?::cidr, ?::inet, ?::cidr, ?, ?)")) {
                insert.setString(1, n.id());
                insert.setString(2, s.family().name());
                insert.setString(3, s.subnet());
                insert.setString(4, s.gateway());
                insert.setString(5, s.ipRange());
                insert.setBoolean(6, s.auto());
                insert.setBoolean(7, s.gatewayGiven());
                insert.executeUpdate();
            }
        }
        try (PreparedStatement init = c.prepareStatement("select init_address_cursor(?)")) {
            init.setString(1, n.id());
            init.execute();
        }
    }

    public void delete(Connection c, String id) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("delete from networks where id = ?")) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    public boolean hasEndpoints(Connection c, String networkId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select 1 from endpoints where network_id = ? limit 1")) {
            select.setString(1, networkId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * The lowest VNI from 4096 no network holds (Docker swarm starts there). The transaction-scoped advisory
     * lock makes replicas take turns; networks_vni_key is the guarantee.
     */
    public int nextVni(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, VNI_LOCK);
            lock.execute();
        }
        try (PreparedStatement select = c.prepareStatement("select case when not exists (select 1 from networks "
                + "where vni = 4096) then 4096 else (select min(n.vni) + 1 from networks n where n.vni >= 4096 "
                + "and not exists (select 1 from networks m where m.vni = n.vni + 1)) end");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    public boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select 1 from networks where name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Every IPv4 subnet of every network. */
    public List<Ipv4Subnet> ipv4Subnets(Connection c) throws SQLException {
        return subnetList(c, "select subnet::text from subnets where family = 'ipv4'");
    }

    /** Every IPv4 subnet any known node reports as routed on its host. */
    public List<Ipv4Subnet> routedSubnets(Connection c) throws SQLException {
        return subnetList(c, "select distinct r::text from nodes, unnest(routed_subnets) r where family(r) = 4");
    }

    private static List<Ipv4Subnet> subnetList(Connection c, String sql) throws SQLException {
        List<Ipv4Subnet> subnets = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            while (row.next()) {
                subnets.add(Ipv4Subnet.parse(row.getString(1)));
            }
        }
        return subnets;
    }

    /**
     * The cursor of {@code poolSet}, locked until the transaction ends: automatic allocations of every replica
     * take turns here, so each sees the subnets the one before it committed.
     */
    public int lockCursor(Connection c, String poolSet) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "insert into pool_cursors (pool_set, position) values (?, 0) on conflict do nothing")) {
            insert.setString(1, poolSet);
            insert.executeUpdate();
        }
        try (PreparedStatement select = c.prepareStatement(
                "select position from pool_cursors where pool_set = ? for update")) {
            select.setString(1, poolSet);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    public int cursor(Connection c, String poolSet) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select position from pool_cursors where pool_set = ?")) {
            select.setString(1, poolSet);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : 0;
            }
        }
    }

    public void saveCursor(Connection c, String poolSet, int position) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("update pool_cursors set position = ? where pool_set = ?")) {
            update.setInt(1, position);
            update.setString(2, poolSet);
            update.executeUpdate();
        }
    }

    public int nodeCount(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select count(*) from nodes");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    /** Node names that route {@code subnet} (or a part of it). */
    public List<String> nodesRouting(Connection c, Ipv4Subnet subnet) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(
                "select name from nodes where exists (select 1 from unnest(routed_subnets) r where r && ?::cidr) order by name")) {
            select.setString(1, subnet.toString());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    names.add(row.getString(1));
                }
            }
        }
        return names;
    }

    private String text(Map<String, String> map) {
        try {
            return json.writeValueAsString(map == null ? Map.of() : map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Map<String, String> map(String text) {
        try {
            return json.readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("options/labels column is not a JSON object of strings: " + text, e);
        }
    }
}
