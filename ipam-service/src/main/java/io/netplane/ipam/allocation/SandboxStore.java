package io.netplane.ipam.allocation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.events.EventCodec;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for sandboxes, endpoints and their host ports; every method runs in the caller's transaction. */
@ApplicationScoped
public class SandboxStore {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    /** What releasing an endpoint needs to know. */
    public record EndpointRef(String id, String sandboxId, String networkId, String node, String address) {
    }

    private final ObjectMapper json = EventCodec.shared().json();

    /** False when the id or the name is taken already (sandboxes_pkey, sandboxes_name_key decide). */
    public boolean insertIfNew(Connection c, Sandbox s, int nextIfindex) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into sandboxes (id, name, node, mode, netns, "
                + "hostname, container_of, next_ifindex, created) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
            insert.setString(1, s.id());
            insert.setString(2, s.name());
            insert.setString(3, s.node());
            insert.setString(4, s.mode());
            insert.setString(5, s.netns());
            insert.setString(6, s.hostname());
            insert.setString(7, s.containerOf());
            insert.setInt(8, nextIfindex);
            insert.setTimestamp(9, Timestamp.from(s.created()));
            return insert.executeUpdate() == 1;
        }
    }

    public Optional<String> idByName(Connection c, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select id from sandboxes where name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** Many sandboxes in one statement; a taken id or name fails it as a whole. */
    public void insertAll(Connection c, List<Sandbox> sandboxes, List<Integer> nextIfindex) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into sandboxes (id, name, node, mode, netns, "
                + "hostname, container_of, next_ifindex, created) select s.*, ?::timestamptz from unnest(?::text[], "
                + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[]) as s")) {
            insert.setTimestamp(1, Timestamp.from(sandboxes.get(0).created()));
            insert.setArray(2, c.createArrayOf("text", sandboxes.stream().map(Sandbox::id).toArray()));
            insert.setArray(3, c.createArrayOf("text", sandboxes.stream().map(Sandbox::name).toArray()));
            insert.setArray(4, c.createArrayOf("text", sandboxes.stream().map(Sandbox::node).toArray()));
            insert.setArray(5, c.createArrayOf("text", sandboxes.stream().map(Sandbox::mode).toArray()));
            insert.setArray(6, c.createArrayOf("text", sandboxes.stream().map(Sandbox::netns).toArray()));
            insert.setArray(7, c.createArrayOf("text", sandboxes.stream().map(Sandbox::hostname).toArray()));
            insert.setArray(8, c.createArrayOf("text", sandboxes.stream().map(Sandbox::containerOf).toArray()));
            insert.setArray(9, c.createArrayOf("int4", nextIfindex.toArray()));
            insert.executeUpdate();
        }
    }

    /** The lowest free address of each network listed, in list order (null: the network is full); one statement. */
    public List<String> allocateAll(Connection c, List<String> networkIds) throws SQLException {
        List<String> addresses = new ArrayList<>(networkIds.size());
        if (networkIds.isEmpty()) {
            return addresses;
        }
        try (PreparedStatement allocate = c.prepareStatement("select host(allocate_address(n.id::char(64))) "
                + "from unnest(?::text[]) with ordinality as n(id, i) order by n.i")) {
            allocate.setArray(1, c.createArrayOf("text", networkIds.toArray()));
            try (ResultSet row = allocate.executeQuery()) {
                while (row.next()) {
                    addresses.add(row.getString(1));
                }
            }
        }
        return addresses;
    }

    /** Many endpoints in one statement; the constraints refuse as for one. */
    public void insertAll(Connection c, List<Endpoint> endpoints) throws SQLException {
        if (endpoints.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("insert into endpoints (id, sandbox_id, network_id, node, "
                + "ifname, address, prefix_length, gateway, mac, aliases, created) select e.id, e.sandbox_id, "
                + "e.network_id, e.node, e.ifname, e.address, e.prefix_length, e.gateway, e.mac, e.aliases, ?::timestamptz "
                + "from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::inet[], ?::int[], ?::inet[], "
                + "?::text[], ?::jsonb[]) as e(id, sandbox_id, network_id, node, ifname, address, prefix_length, gateway, "
                + "mac, aliases)")) {
            insert.setTimestamp(1, Timestamp.from(endpoints.get(0).created()));
            insert.setArray(2, c.createArrayOf("text", endpoints.stream().map(Endpoint::id).toArray()));
            insert.setArray(3, c.createArrayOf("text", endpoints.stream().map(Endpoint::sandboxId).toArray()));
            insert.setArray(4, c.createArrayOf("text", endpoints.stream().map(Endpoint::networkId).toArray()));
            insert.setArray(5, c.createArrayOf("text", endpoints.stream().map(Endpoint::node).toArray()));
            insert.setArray(6, c.createArrayOf("text", endpoints.stream().map(Endpoint::ifname).toArray()));
            insert.setArray(7, c.createArrayOf("text", endpoints.stream().map(e -> first(e).map(EndpointAddress::address).orElse(null)).toArray()));
            insert.setArray(8, c.createArrayOf("int4", endpoints.stream().map(e -> first(e).map(EndpointAddress::prefixLength).orElse(null)).toArray()));
            insert.setArray(9, c.createArrayOf("text", endpoints.stream().map(e -> first(e).map(EndpointAddress::gateway).orElse(null)).toArray()));
            insert.setArray(10, c.createArrayOf("text", endpoints.stream().map(Endpoint::mac).toArray()));
            insert.setArray(11, c.createArrayOf("text", endpoints.stream().map(e -> text(e.aliases())).toArray()));
            insert.executeUpdate();
        }
    }

    private static Optional<EndpointAddress> first(Endpoint e) {
        return e.addresses().isEmpty() ? Optional.empty() : Optional.of(e.addresses().get(0));
    }

    public Optional<Sandbox> find(Connection c, String id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select id, name, node, mode, netns, hostname, "
                + "container_of, created from sandboxes where id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Sandbox(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), row.getString(6), row.getString(7), List.of(),
                        row.getTimestamp(8).toInstant()));
            }
        }
    }

    /** The next ethN index of the sandbox (the counter only grows). */
    public int takeIfindex(Connection c, String sandboxId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "update sandboxes set next_ifindex = next_ifindex + 1 where id = ? returning next_ifindex - 1")) {
            update.setString(1, sandboxId);
            try (ResultSet row = update.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** Where {@link #connect} put an endpoint: its sandbox's node, its ethN, address and MAC. */
    public record Connected(String node, String ifname, String address, String mac) {
    }

    /**
     * A connect of the sandbox to the network with the lowest free address, in one round trip (V10
     * {@code connect_endpoint}); empty, and nothing changed, when the sandbox is missing or not in bridge mode,
     * is connected there already, or the network has no free address.
     */
    public Optional<Connected> connect(Connection c, String sandboxId, String networkId, String endpointId,
                                       int prefixLength, String gateway, List<String> aliases, java.time.Instant created)
            throws SQLException {
        try (PreparedStatement call = c.prepareStatement("select endpoint_node, endpoint_ifname, endpoint_address, "
                + "endpoint_mac from connect_endpoint(?, ?, ?, ?, ?::inet, ?::jsonb, ?)")) {
            call.setString(1, sandboxId);
            call.setString(2, networkId);
            call.setString(3, endpointId);
            call.setInt(4, prefixLength);
            call.setString(5, gateway);
            call.setString(6, text(aliases));
            call.setTimestamp(7, Timestamp.from(created));
            try (ResultSet row = call.executeQuery()) {
                return row.next() ? Optional.of(new Connected(row.getString(1), row.getString(2), row.getString(3),
                        row.getString(4))) : Optional.empty();
            }
        }
    }

    /** Refusals come from the constraints: endpoints_address_key, (sandbox, network), the primary key. */
    public void insert(Connection c, Endpoint e) throws SQLException {
        EndpointAddress a = e.addresses().isEmpty() ? null : e.addresses().get(0);
        try (PreparedStatement insert = c.prepareStatement("insert into endpoints (id, sandbox_id, network_id, node, "
                + "ifname, address, prefix_length, gateway, mac, aliases, created) "
                + "values (?, ?, ?, ?, ?, ?::inet, ?, ?::inet, ?, ?::jsonb, ?)")) {
            insert.setString(1, e.id());
            insert.setString(2, e.sandboxId());
            insert.setString(3, e.networkId());
            insert.setString(4, e.node());
            insert.setString(5, e.ifname());
            insert.setString(6, a == null ? null : a.address());
            insert.setObject(7, a == null ? null : a.prefixLength());
            insert.setString(8, a == null ? null : a.gateway());
            insert.setString(9, e.mac());
            insert.setString(10, text(e.aliases()));
            insert.setTimestamp(11, Timestamp.from(e.created()));
            insert.executeUpdate();
        }
    }

    /** A bound host port; port_bindings_no_conflict refuses a taken one (SQLState 23P01). */
    public void insertPort(Connection c, String endpointId, String node, PortBinding p, boolean ephemeral)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into port_bindings (endpoint_id, node, protocol, "
                + "host_ip, host_port, container_port, ephemeral) values (?, ?, ?, ?::inet, ?, ?, ?)")) {
            insert.setString(1, endpointId);
            insert.setString(2, node);
            insert.setString(3, p.protocol());
            insert.setString(4, p.hostIp());
            insert.setInt(5, p.hostPort());
            insert.setInt(6, p.containerPort());
            insert.setBoolean(7, ephemeral);
            insert.executeUpdate();
        }
    }

    public List<EndpointRef> endpointsOf(Connection c, String sandboxId) throws SQLException {
        return refs(c, "sandbox_id = ? order by ifname", sandboxId, null);
    }

    public Optional<EndpointRef> endpoint(Connection c, String sandboxId, String networkId) throws SQLException {
        return refs(c, "sandbox_id = ? and network_id = ?", sandboxId, networkId).stream().findFirst();
    }

    private List<EndpointRef> refs(Connection c, String condition, String first, String second) throws SQLException {
        List<EndpointRef> refs = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("select id, sandbox_id, network_id, node, host(address) "
                + "from endpoints where " + condition)) {
            select.setString(1, first);
            if (second != null) {
                select.setString(2, second);
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    refs.add(new EndpointRef(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5)));
                }
            }
        }
        return refs;
    }

    /**
     * The sandbox's endpoint on the network, deleted as {@link #delete} does, in one round trip (V9
     * {@code disconnect_endpoint}); empty, and nothing changed, when the sandbox has none there.
     */
    public Optional<EndpointRef> disconnect(Connection c, String sandboxId, String networkId) throws SQLException {
        try (PreparedStatement call = c.prepareStatement(
                "select endpoint_id, endpoint_node, endpoint_address from disconnect_endpoint(?, ?)")) {
            call.setString(1, sandboxId);
            call.setString(2, networkId);
            try (ResultSet row = call.executeQuery()) {
                return row.next() ? Optional.of(new EndpointRef(row.getString(1), sandboxId, networkId, row.getString(2),
                        row.getString(3))) : Optional.empty();
            }
        }
    }

    /** Deletes the endpoint and its host ports, and lists its address and ports as free again. */
    public void delete(Connection c, EndpointRef e) throws SQLException {
        try (PreparedStatement ports = c.prepareStatement("select release_ports(?)")) {
            ports.setString(1, e.id());
            ports.execute();
        }
        try (PreparedStatement delete = c.prepareStatement("delete from endpoints where id = ?")) {
            delete.setString(1, e.id());
            delete.executeUpdate();
        }
        if (e.address() != null) {
            try (PreparedStatement release = c.prepareStatement("select release_address(?, ?::inet)")) {
                release.setString(1, e.networkId());
                release.setString(2, e.address());
                release.execute();
            }
        }
    }

    /** The ids of the sandboxes scheduled on {@code node}, owners before the sandboxes sharing their netns. */
    public List<String> sandboxIdsOn(Connection c, String node) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(
                "select id from sandboxes where node = ? order by mode = 'container', id for update")) {
            select.setString(1, node);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ids.add(row.getString(1));
                }
            }
        }
        return ids;
    }

    public void deleteSandbox(Connection c, String id) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("delete from sandboxes where id = ?")) {
            delete.setString(1, id);
            delete.executeUpdate();
        }
    }

    private String text(List<String> list) {
        try {
            return json.writeValueAsString(list == null ? List.of() : list);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    List<String> strings(String text) {
        try {
            return json.readValue(text, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("aliases column is not a JSON array of strings: " + text, e);
        }
    }
}
