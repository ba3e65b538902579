package io.netplane.ipam.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoved;
import io.netplane.events.data.SubnetAllocation;
import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.allocation.NodeStore;
import io.netplane.ipam.pool.Ipv4Subnet;
import io.netplane.ipam.pool.PoolSet;
import io.netplane.ipam.pool.Pools;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies the facts on {@code changes} (and the nodes' announcements) to ipam's tables in the schema the
 * connection's search_path names, deterministically, writing no outbox row: nothing is decided again, the
 * facts say what was decided. A batch is folded in memory first (an endpoint allocated and released within it
 * is never written), then written with a few multi-row statements, in the caller's transaction.
 *
 * <p>Idempotent by log position: a record at or below the schema's {@code replay_offsets} is skipped.
 *
 * <p>What the facts do not literally carry is derived so that the next intent is decided exactly as before:
 * the pool cursors move as {@link io.netplane.ipam.pool.NextFit} moved them for each automatic subnet; each
 * sandbox's ethN counter is one past the highest ethN it ever had; the address and ephemeral-port marks and
 * free lists are put in their canonical form by {@link #settle} (allocation hands out the lowest free address or
 * port either way, see there); the {@code ephemeral} flag of a host port comes from the intent that asked for it.
 */
public final class ChangeApplier {
    private static final ObjectMapper JSON = EventCodec.shared().json();
    private static final Object GONE = new Object();

    private final Pools pools;
    private final int firstPort;
    private final int lastPort;
    /** Sandbox-create intents with published ports: which of them asked for an ephemeral host port. */
    private final Map<String, List<Boolean>> ephemeralAsked = new HashMap<>();

    public ChangeApplier(Pools pools, IpamSettings.EphemeralPorts ports) {
        this.pools = pools;
        this.firstPort = ports.first();
        this.lastPort = ports.last();
    }

    /** What a batch comes to: per entity id its last state (a record, or GONE). */
    private static final class Fold {
        final Map<String, Object> networks = new LinkedHashMap<>();
        final Map<String, Object> sandboxes = new LinkedHashMap<>();
        final Map<String, Object> endpoints = new LinkedHashMap<>();
        final Map<String, Integer> nextIfindex = new HashMap<>();
        final Map<String, String[]> intents = new LinkedHashMap<>(); // id → {intent, outcome}
        final Map<String, NodeRow> nodes = new LinkedHashMap<>();
        final Map<String, Integer> cursors = new HashMap<>();
        final Map<String, Long> offsets = new HashMap<>(); // "topic|partition" → last offset
        int applied;
    }

    /** A nodes row as NodeStore keeps it. */
    private static final class NodeRow {
        String underlay;
        List<String> routed = List.of();
        Instant joined;
        Instant lastSeen;
        Instant leftAt;
        boolean known;
    }

    /** @return how many records changed the schema (those applied before are skipped) */
    public int apply(Connection c, List<LoggedRecord> records) throws SQLException {
        Map<String, Long> done = offsets(c);
        Fold fold = new Fold();
        for (LoggedRecord r : records) {
            if (r.topic() == Topic.INTENTS) {
                rememberPortRequest(r.value()); // before any fact: clocks of two services may disagree
            }
        }
        for (LoggedRecord r : records) {
            if (r.topic() == Topic.INTENTS) {
                continue;
            }
            String position = r.topicName() + "|" + r.partition();
            if (r.offset() <= done.getOrDefault(position, -1L)) {
                continue;
            }
            fold.offsets.merge(position, r.offset(), Math::max);
            fold.applied++;
            if (r.topic() == Topic.NODES) {
                node(c, fold, r.value());
            } else {
                change(c, fold, r.value());
            }
        }
        write(c, fold);
        return fold.applied;
    }

    private void rememberPortRequest(Envelope intent) {
        if (intent.data() instanceof SandboxCreateRequested r && r.ports() != null && !r.ports().isEmpty()) {
            ephemeralAsked.put(intent.id().toString(), r.ports().stream().map(p -> p.hostPort() == 0).toList());
        }
    }

    private void change(Connection c, Fold fold, Envelope e) throws SQLException {
        EventType type = EventType.fromWireName(e.type()).orElse(null);
        if (type == null || type.topic() != Topic.CHANGES) {
            return;
        }
        switch (type) {
            case NETWORK_CREATED -> {
                Network n = e.data(Network.class);
                fold.networks.put(n.id(), n);
                if (!n.predefined()) {
                    moveCursor(c, fold, n);
                }
            }
            case NETWORK_REMOVED -> fold.networks.put(e.data(NetworkRemoved.class).networkId(), GONE);
            case SANDBOX_SCHEDULED -> {
                Sandbox s = e.data(Sandbox.class);
                fold.sandboxes.put(s.id(), s);
                fold.nextIfindex.putIfAbsent(s.id(), 0);
            }
            case SANDBOX_REMOVED -> {
                String id = e.data(SandboxRemoved.class).sandboxId();
                fold.sandboxes.put(id, GONE);
                fold.nextIfindex.remove(id);
            }
            case ENDPOINT_ALLOCATED -> {
                Endpoint ep = e.data(Endpoint.class);
                fold.endpoints.put(ep.id(), new Allocated(ep, ephemeral(e, ep)));
                int index = ifindex(ep.ifname());
                if (index >= 0) {
                    fold.nextIfindex.merge(ep.sandboxId(), index + 1, Math::max);
                }
            }
            case ENDPOINT_RELEASED -> fold.endpoints.put(e.data(EndpointReleased.class).endpointId(), GONE);
            case NODE_REMOVED -> {
                NodeRow row = nodeRow(c, fold, e.data(NodeRemoved.class).node());
                if (row.known) {
                    row.leftAt = e.time();
                    row.routed = List.of();
                    row.lastSeen = row.lastSeen == null || e.time().isAfter(row.lastSeen) ? e.time() : row.lastSeen;
                }
            }
            default -> { }
        }
        processed(fold, type, e);
    }

    /** An allocated endpoint and, per published port, whether its host port was ephemeral. */
    private record Allocated(Endpoint endpoint, List<Boolean> ephemeral) {
    }

    private List<Boolean> ephemeral(Envelope e, Endpoint ep) {
        List<PortBinding> ports = ep.ports() == null ? List.of() : ep.ports();
        List<Boolean> asked = e.causationId() == null ? null : ephemeralAsked.get(e.causationId());
        List<Boolean> flags = new ArrayList<>(ports.size());
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(i).hostPort();
            // the intent is gone (a finite retention): a port of the ephemeral range counts as ephemeral
            flags.add(asked != null && i < asked.size() ? asked.get(i) : port >= firstPort && port <= lastPort);
        }
        return flags;
    }

    private static int ifindex(String ifname) {
        if (ifname == null || !ifname.matches("eth\\d{1,6}")) {
            return -1;
        }
        return Integer.parseInt(ifname.substring(3));
    }

    /** The next-fit cursor after this network's automatic subnet, as NextFit.find left it. */
    private void moveCursor(Connection c, Fold fold, Network n) throws SQLException {
        PoolSet set = pools.forDriver(n.driver());
        for (SubnetAllocation s : n.subnets() == null ? List.<SubnetAllocation>of() : n.subnets()) {
            if (!s.auto() || s.subnet() == null || s.subnet().contains(":")) {
                continue;
            }
            int index = set.indexOf(Ipv4Subnet.parse(s.subnet()));
            if (index < 0) {
                continue;
            }
            Integer cursor = fold.cursors.get(set.name());
            if (cursor == null) {
                cursor = storedCursor(c, set.name());
            }
            int start = cursor < 0 || cursor >= set.size() ? 0 : cursor;
            // wrapped past the end of the list, or reached it: libnetwork resets to 0
            fold.cursors.put(set.name(), index < start || index + 1 >= set.size() ? 0 : index + 1);
        }
    }

    private static int storedCursor(Connection c, String poolSet) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select position from pool_cursors where pool_set = ?")) {
            select.setString(1, poolSet);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getInt(1) : 0;
            }
        }
    }

    /** processed_intents as the intent consumer leaves it: the intent's type and its final outcome. */
    private static void processed(Fold fold, EventType type, Envelope e) {
        if (e.causationId() == null) {
            return; // a predefined network: nothing asked for it
        }
        String intent = switch (type) {
            case NETWORK_CREATED -> "network.create.requested";
            case NETWORK_REMOVED -> "network.remove.requested";
            case SANDBOX_SCHEDULED -> "sandbox.create.requested";
            case SANDBOX_REMOVED -> "sandbox.remove.requested";
            case ENDPOINT_ALLOCATED -> "endpoint.connect.requested";
            case ENDPOINT_RELEASED -> "endpoint.disconnect.requested";
            case NODE_REMOVED, NODE_REJECTED -> "node.remove.requested";
            case NETWORK_REJECTED, SANDBOX_REJECTED, ENDPOINT_REJECTED -> rejectedIntent(type, e);
            default -> null;
        };
        if (intent == null) {
            return;
        }
        String[] current = fold.intents.get(e.causationId());
        // one intent may write several facts (a sandbox's remove: its endpoints' releases, then sandbox.removed);
        // its recorded outcome is the last, widest one
        if (current == null || rank(type) >= rank(EventType.fromWireName(current[1]).orElseThrow())) {
            fold.intents.put(e.causationId(), new String[] {intent, type.wireName()});
        }
    }

    private static String rejectedIntent(EventType type, Envelope e) {
        String operation = e.data() instanceof Rejection r && r.operation() != null ? r.operation() : "";
        String kind = type.wireName().substring(0, type.wireName().indexOf('.'));
        return switch (operation) {
            case "connect" -> "endpoint.connect.requested";
            case "disconnect" -> "endpoint.disconnect.requested";
            default -> kind + "." + operation + ".requested";
        };
    }

    private static int rank(EventType type) {
        return switch (type) {
            case NODE_REMOVED, NODE_REJECTED -> 3;
            case SANDBOX_SCHEDULED, SANDBOX_REMOVED, SANDBOX_REJECTED -> 2;
            default -> 1;
        };
    }

    private void node(Connection c, Fold fold, Envelope e) throws SQLException {
        Instant time = e.time();
        if (e.data() instanceof NodeJoined j) {
            NodeRow row = nodeRow(c, fold, j.node());
            if (!row.known || !row.lastSeen.isAfter(time)) {
                row.underlay = j.underlayAddress() == null || j.underlayAddress().isBlank() ? null : j.underlayAddress();
                row.routed = NodeStore.canonical(j.node(), j.routedSubnets());
                row.joined = time;
                row.lastSeen = time;
                row.leftAt = null;
                row.known = true;
            }
        } else if (e.data() instanceof NodeHeartbeat b) {
            NodeRow row = nodeRow(c, fold, b.node());
            if (!row.known) {
                row.joined = time;
            }
            if (!row.known || !row.lastSeen.isAfter(time)) {
                row.routed = NodeStore.canonical(b.node(), b.routedSubnets());
                row.lastSeen = time;
                row.leftAt = null;
                row.known = true;
            }
        } else if (e.data() instanceof NodeLeft l) {
            NodeRow row = nodeRow(c, fold, l.node());
            if (row.known && !row.lastSeen.isAfter(time)) {
                row.leftAt = time;
            }
        }
    }

    private static NodeRow nodeRow(Connection c, Fold fold, String name) throws SQLException {
        NodeRow row = fold.nodes.get(name);
        if (row != null) {
            return row;
        }
        row = new NodeRow();
        try (PreparedStatement select = c.prepareStatement("select host(underlay), routed_subnets::text[], joined, "
                + "last_seen, left_at from nodes where name = ?")) {
            select.setString(1, name);
            try (ResultSet r = select.executeQuery()) {
                if (r.next()) {
                    row.known = true;
                    row.underlay = r.getString(1);
                    row.routed = List.of((String[]) r.getArray(2).getArray());
                    row.joined = r.getTimestamp(3).toInstant();
                    row.lastSeen = r.getTimestamp(4).toInstant();
                    row.leftAt = r.getTimestamp(5) == null ? null : r.getTimestamp(5).toInstant();
                }
            }
        }
        fold.nodes.put(name, row);
        return row;
    }

    // ------------------------------------------------------------------ writing the fold

    private void write(Connection c, Fold f) throws SQLException {
        // what is gone first (children before parents), so names and addresses are free for what comes
        delete(c, "delete from endpoints where id = any(?)", gone(f.endpoints));
        delete(c, "delete from sandboxes where id = any(?)", gone(f.sandboxes));
        delete(c, "delete from networks where id = any(?)", gone(f.networks));
        List<Network> networks = present(f.networks, Network.class);
        delete(c, "delete from endpoints where id = any(?)", ids(present(f.endpoints, Allocated.class), a -> a.endpoint().id()));
        insertNetworks(c, networks);
        insertSandboxes(c, present(f.sandboxes, Sandbox.class));
        insertEndpoints(c, present(f.endpoints, Allocated.class));
        if (!f.nextIfindex.isEmpty()) {
            try (PreparedStatement update = c.prepareStatement("update sandboxes s set next_ifindex = "
                    + "greatest(s.next_ifindex, n.next) from unnest(?::text[], ?::int[]) as n(id, next) where s.id = n.id")) {
                update.setArray(1, c.createArrayOf("text", f.nextIfindex.keySet().toArray()));
                update.setArray(2, c.createArrayOf("int4", f.nextIfindex.values().toArray()));
                update.executeUpdate();
            }
        }
        writeIntents(c, f.intents);
        writeNodes(c, f.nodes);
        for (Map.Entry<String, Integer> cursor : f.cursors.entrySet()) {
            try (PreparedStatement upsert = c.prepareStatement("insert into pool_cursors (pool_set, position) values (?, ?) "
                    + "on conflict (pool_set) do update set position = excluded.position")) {
                upsert.setString(1, cursor.getKey());
                upsert.setInt(2, cursor.getValue());
                upsert.executeUpdate();
            }
        }
        if (!f.offsets.isEmpty()) {
            try (PreparedStatement upsert = c.prepareStatement("insert into replay_offsets (topic, partition, last_offset) "
                    + "select split_part(k, '|', 1), split_part(k, '|', 2)::int, o from unnest(?::text[], ?::bigint[]) "
                    + "as x(k, o) on conflict (topic, partition) do update set last_offset = excluded.last_offset")) {
                upsert.setArray(1, c.createArrayOf("text", f.offsets.keySet().toArray()));
                upsert.setArray(2, c.createArrayOf("int8", f.offsets.values().toArray()));
                upsert.executeUpdate();
            }
        }
    }

    private static List<String> gone(Map<String, Object> states) {
        return states.entrySet().stream().filter(e -> e.getValue() == GONE).map(Map.Entry::getKey).toList();
    }

    private static <T> List<T> present(Map<String, Object> states, Class<T> kind) {
        return states.values().stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static <T> List<String> ids(List<T> items, Function<T, String> id) {
        return items.stream().map(id).toList();
    }

    private static void delete(Connection c, String sql, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = c.prepareStatement(sql)) {
            delete.setArray(1, c.createArrayOf("text", ids.toArray()));
            delete.executeUpdate();
        }
    }

    private void insertNetworks(Connection c, List<Network> networks) throws SQLException {
        if (networks.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("insert into networks (id, name, driver, scope, bridge, "
                + "internal, attachable, enable_ipv6, options, labels, vni, predefined, created) select * from "
                + "unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::bool[], ?::bool[], "
                + "?::jsonb[], ?::jsonb[], ?::int[], ?::bool[], ?::timestamptz[]) on conflict (id) do nothing")) {
            insert.setArray(1, array(c, "text", networks, Network::id));
            insert.setArray(2, array(c, "text", networks, Network::name));
            insert.setArray(3, array(c, "text", networks, Network::driver));
            insert.setArray(4, array(c, "text", networks, Network::scope));
            insert.setArray(5, array(c, "text", networks, Network::bridge));
            insert.setArray(6, array(c, "bool", networks, Network::internal));
            insert.setArray(7, array(c, "bool", networks, Network::attachable));
            insert.setArray(8, array(c, "bool", networks, Network::enableIpv6));
            insert.setArray(9, array(c, "text", networks, n -> json(n.options() == null ? Map.of() : n.options())));
            insert.setArray(10, array(c, "text", networks, n -> json(n.labels() == null ? Map.of() : n.labels())));
            insert.setArray(11, array(c, "int4", networks, Network::vni));
            insert.setArray(12, array(c, "bool", networks, Network::predefined));
            insert.setArray(13, array(c, "text", networks, n -> n.created().toString()));
            insert.executeUpdate();
        }
        List<String[]> subnets = new ArrayList<>();
        for (Network n : networks) {
            for (SubnetAllocation s : n.subnets() == null ? List.<SubnetAllocation>of() : n.subnets()) {
                subnets.add(new String[] {n.id(), s.family().name(), s.subnet(), s.gateway(), s.ipRange(),
                        Boolean.toString(s.auto()), Boolean.toString(s.gatewayGiven())});
            }
        }
        if (!subnets.isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement("insert into subnets (network_id, family, subnet, gateway, "
                    + "ip_range, auto, gateway_given) select * from unnest(?::text[], ?::text[], ?::cidr[], ?::inet[], "
                    + "?::cidr[], ?::bool[], ?::bool[]) on conflict do nothing")) {
                for (int i = 0; i < 7; i++) {
                    int column = i;
                    insert.setArray(i + 1, array(c, "text", subnets, s -> s[column]));
                }
                insert.executeUpdate();
            }
        }
        try (PreparedStatement init = c.prepareStatement("select init_address_cursor(id) from unnest(?::text[]) as n(id)")) {
            init.setArray(1, array(c, "text", networks, Network::id));
            init.executeQuery().close();
        }
    }

    private void insertSandboxes(Connection c, List<Sandbox> sandboxes) throws SQLException {
        if (sandboxes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("insert into sandboxes (id, name, node, mode, netns, hostname, "
                + "container_of, next_ifindex, created) select id, name, node, mode, netns, hostname, container_of, 0, "
                + "created from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::timestamptz[]) as s(id, name, node, mode, netns, hostname, container_of, created) on conflict (id) do nothing")) {
            insert.setArray(1, array(c, "text", sandboxes, Sandbox::id));
            insert.setArray(2, array(c, "text", sandboxes, Sandbox::name));
            insert.setArray(3, array(c, "text", sandboxes, Sandbox::node));
            insert.setArray(4, array(c, "text", sandboxes, Sandbox::mode));
            insert.setArray(5, array(c, "text", sandboxes, Sandbox::netns));
            insert.setArray(6, array(c, "text", sandboxes, Sandbox::hostname));
            insert.setArray(7, array(c, "text", sandboxes, Sandbox::containerOf));
            insert.setArray(8, array(c, "text", sandboxes, s -> s.created().toString()));
            insert.executeUpdate();
        }
    }

    private void insertEndpoints(Connection c, List<Allocated> allocated) throws SQLException {
        if (allocated.isEmpty()) {
            return;
        }
        List<Endpoint> endpoints = allocated.stream().map(Allocated::endpoint).toList();
        try (PreparedStatement insert = c.prepareStatement("insert into endpoints (id, sandbox_id, network_id, node, "
                + "ifname, address, prefix_length, gateway, mac, aliases, created) select * from unnest(?::text[], "
                + "?::text[], ?::text[], ?::text[], ?::text[], ?::inet[], ?::int[], ?::inet[], ?::text[], ?::jsonb[], "
                + "?::timestamptz[])")) {
            insert.setArray(1, array(c, "text", endpoints, Endpoint::id));
            insert.setArray(2, array(c, "text", endpoints, Endpoint::sandboxId));
            insert.setArray(3, array(c, "text", endpoints, Endpoint::networkId));
            insert.setArray(4, array(c, "text", endpoints, Endpoint::node));
            insert.setArray(5, array(c, "text", endpoints, Endpoint::ifname));
            insert.setArray(6, array(c, "text", endpoints, e -> ipv4(e) == null ? null : ipv4(e).address()));
            insert.setArray(7, array(c, "int4", endpoints, e -> ipv4(e) == null ? null : ipv4(e).prefixLength()));
            insert.setArray(8, array(c, "text", endpoints, e -> ipv4(e) == null ? null : ipv4(e).gateway()));
            insert.setArray(9, array(c, "text", endpoints, Endpoint::mac));
            insert.setArray(10, array(c, "text", endpoints, e -> json(e.aliases() == null ? List.of() : e.aliases())));
            insert.setArray(11, array(c, "text", endpoints, e -> e.created().toString()));
            insert.executeUpdate();
        }
        List<Object[]> ports = new ArrayList<>();
        for (Allocated a : allocated) {
            Endpoint e = a.endpoint();
            List<PortBinding> bound = e.ports() == null ? List.of() : e.ports();
            for (int i = 0; i < bound.size(); i++) {
                PortBinding p = bound.get(i);
                ports.add(new Object[] {e.id(), e.node(), p.protocol(), p.hostIp(), p.hostPort(), p.containerPort(),
                        a.ephemeral().get(i)});
            }
        }
        if (!ports.isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement("insert into port_bindings (endpoint_id, node, protocol, "
                    + "host_ip, host_port, container_port, ephemeral) select * from unnest(?::text[], ?::text[], "
                    + "?::text[], ?::inet[], ?::int[], ?::int[], ?::bool[])")) {
                String[] types = {"text", "text", "text", "text", "int4", "int4", "bool"};
                for (int i = 0; i < types.length; i++) {
                    int column = i;
                    insert.setArray(i + 1, array(c, types[i], ports, p -> p[column]));
                }
                insert.executeUpdate();
            }
        }
    }

    private static EndpointAddress ipv4(Endpoint e) {
        return e.addresses() == null || e.addresses().isEmpty() ? null : e.addresses().get(0);
    }

    private static void writeIntents(Connection c, Map<String, String[]> intents) throws SQLException {
        if (intents.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>(intents.size());
        intents.forEach((id, v) -> rows.add(new String[] {id, v[0], v[1]}));
        try (PreparedStatement upsert = c.prepareStatement("insert into processed_intents (intent_id, intent, outcome) "
                + "select * from unnest(?::uuid[], ?::text[], ?::text[]) on conflict (intent_id) do update set "
                + "intent = excluded.intent, outcome = excluded.outcome")) {
            for (int i = 0; i < 3; i++) {
                int column = i;
                upsert.setArray(i + 1, array(c, "text", rows, r -> r[column]));
            }
            upsert.executeUpdate();
        }
    }

    private static void writeNodes(Connection c, Map<String, NodeRow> nodes) throws SQLException {
        for (Map.Entry<String, NodeRow> e : nodes.entrySet()) {
            NodeRow n = e.getValue();
            if (!n.known) {
                continue;
            }
            try (PreparedStatement upsert = c.prepareStatement("insert into nodes (name, underlay, routed_subnets, joined, "
                    + "last_seen, left_at) values (?, ?::inet, ?::cidr[], ?, ?, ?) on conflict (name) do update set "
                    + "underlay = excluded.underlay, routed_subnets = excluded.routed_subnets, joined = excluded.joined, "
                    + "last_seen = excluded.last_seen, left_at = excluded.left_at")) {
                upsert.setString(1, e.getKey());
                upsert.setString(2, n.underlay);
                upsert.setArray(3, c.createArrayOf("text", n.routed.toArray()));
                upsert.setTimestamp(4, java.sql.Timestamp.from(n.joined));
                upsert.setTimestamp(5, java.sql.Timestamp.from(n.lastSeen));
                upsert.setTimestamp(6, n.leftAt == null ? null : java.sql.Timestamp.from(n.leftAt));
                upsert.executeUpdate();
            }
        }
    }

    /**
     * The allocation state the facts imply, in canonical form. allocate_address and allocate_port hand out the
     * lowest free address (port) of the range either way: every free one below the stored mark is listed as free
     * (a release lists it), and above the mark they walk up skipping taken ones. So a mark at the lowest free
     * address and empty free lists decide every next allocation as the live state does; no port cursor means the
     * walk starts at the range's first port, skipping bound ones — the lowest unbound port, as live.
     */
    public void settle(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("delete from free_addresses");
            s.executeUpdate("update address_cursors c set next_address = coalesce((select g from generate_series("
                    + "c.first_address, c.last_address) g where g is distinct from c.gateway and not exists (select 1 "
                    + "from endpoints e where e.network_id = c.network_id and e.address = '0.0.0.0'::inet + g) "
                    + "order by g limit 1), c.last_address + 1)");
            s.executeUpdate("delete from free_ports");
            s.executeUpdate("delete from port_cursors");
        }
    }

    private static Map<String, Long> offsets(Connection c) throws SQLException {
        Map<String, Long> offsets = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select topic, partition, last_offset from replay_offsets")) {
            while (row.next()) {
                offsets.put(row.getString(1) + "|" + row.getInt(2), row.getLong(3));
            }
        }
        return offsets;
    }

    private static <T> Array array(Connection c, String type, List<T> items, Function<T, Object> value)
            throws SQLException {
        Object[] values = new Object[items.size()];
        for (int i = 0; i < values.length; i++) {
            Object v = value.apply(items.get(i));
            values[i] = v == null || "text".equals(type) || v instanceof String ? (v == null ? null : v.toString()) : v;
        }
        return c.createArrayOf(type, values);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
