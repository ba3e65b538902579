package io.netplane.ipam.it;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.pool.Pools;
import io.netplane.ipam.replay.ChangeApplier;
import io.netplane.ipam.replay.Difference;
import io.netplane.ipam.replay.LogReader;
import io.netplane.ipam.replay.LoggedRecord;
import io.netplane.ipam.replay.ReplayCommand;
import io.netplane.ipam.replay.SchemaComparison;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.netplane.ipam.it.TestBroker.createIntent;
import static io.netplane.ipam.it.TestBroker.newId;
import static io.netplane.ipam.it.TestBroker.removeIntent;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay (issue 8) against a session of real intents: the state rebuilt from the log equals the live one, a
 * difference planted by hand is reported with both values, applying the log twice changes nothing, a restore
 * into an empty schema decides the next allocations as the live state does, and the intent consumer fed every
 * intent a second time changes nothing and publishes nothing.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(ReplayTest.Profile.class)
class ReplayTest {
    public static final class Profile extends OwnTopics { }

    private static final String NODE = "node-r";
    private static TestBroker broker;
    private static final List<Envelope> sent = new ArrayList<>();

    @Inject
    ReplayCommand replay;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Flyway flyway;
    @Inject
    Pools pools;
    @Inject
    IpamSettings settings;
    @ConfigProperty(name = "quarkus.flyway.schemas")
    String live;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "netplane.ipam.intents-group")
    String intentsGroup;

    @BeforeAll
    static void session() {
        broker = new TestBroker();
        broker.announce(NODE, List.of("10.99.0.0/16"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !broker.changes(e -> e.is(EventType.NETWORK_CREATED)
                && e.data(Network.class).name().equals("bridge")).isEmpty());
        Network a = network(createIntent(newId(), "ra", "bridge", List.of(), Map.of()));
        Network b = network(createIntent(newId(), "rb", "bridge",
                List.of(new IpamConfig("10.77.0.0/24", "10.77.0.128/25", null, Map.of())), Map.of()));
        network(createIntent(newId(), "ro", "overlay", List.of(), Map.of()));
        Network gone = network(createIntent(newId(), "rgone", "bridge", List.of(), Map.of()));
        send(createIntent(newId(), "ra", "bridge", List.of(), Map.of())); // refused: the name is taken
        send(removeIntent(gone.id()));
        List<String> sandboxes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = newId();
            List<PortBinding> ports = i == 0 ? List.of(new PortBinding("tcp", null, 0, 80),
                    new PortBinding("tcp", "127.0.0.1", 8080, 8080), new PortBinding("udp", null, 0, 53))
                    : i == 2 ? List.of(new PortBinding("tcp", null, 0, 81)) : List.of();
            String a40 = a.subnets().get(0).subnet().replaceFirst("\\.0/\\d+$", ".40");
            send(Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id), new SandboxCreateRequested(id,
                    "rs" + i, NODE, "bridge", "rs" + i, null,
                    List.of(new EndpointRequest(a.id(), newId(), i == 3 ? a40 : null, List.of("x" + i))), ports),
                    "test"));
            sandboxes.add(id);
        }
        // connect and disconnect: eth1, eth2 on one sandbox; freed addresses in the middle of a network
        connect(sandboxes.get(1), b.id(), null);
        disconnect(sandboxes.get(1), b.id());
        connect(sandboxes.get(1), b.id(), "10.77.0.200");
        connect(sandboxes.get(2), b.id(), null);
        send(Envelope.of(EventType.SANDBOX_REMOVE_REQUESTED, Subject.sandbox(sandboxes.get(4)),
                new SandboxRemoveRequested(sandboxes.get(4)), "test"));
        send(Envelope.of(EventType.SANDBOX_REMOVE_REQUESTED, Subject.sandbox(sandboxes.get(0)),
                new SandboxRemoveRequested(sandboxes.get(0)), "test")); // its ephemeral ports are free again
        disconnect(sandboxes.get(5), a.id());
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    private static Envelope send(Envelope intent) {
        sent.add(intent);
        broker.outcome(broker.send(intent));
        return intent;
    }

    private static Network network(Envelope intent) {
        return send(intent) == null ? null : broker.outcome(intent).data(Network.class);
    }

    private static void connect(String sandbox, String network, String ip) {
        send(Envelope.of(EventType.ENDPOINT_CONNECT_REQUESTED, Subject.sandbox(sandbox),
                new EndpointConnectRequested(sandbox, network, newId(), ip, List.of()), "test"));
    }

    private static void disconnect(String sandbox, String network) {
        send(Envelope.of(EventType.ENDPOINT_DISCONNECT_REQUESTED, Subject.sandbox(sandbox),
                new EndpointDisconnectRequested(sandbox, network, false), "test"));
    }

    private String verify(int expectedExit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = replay.run("verify", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, out);
        return out;
    }

    @Test
    void verifyIsCleanAfterARealisticSession() throws Exception {
        String clean = verify(0);
        assertTrue(clean.contains("differences=0"), clean);
        assertTrue(clean.contains("ports=1 "), clean); // rs0's three went with it, rs2's is left
    }

    @Test
    void plantedDifferencesAreReportedWithBothValues() throws Exception {
        String endpoint;
        String address;
        String mac;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select id, host(address), mac from endpoints where address is not null "
                     + "order by id limit 1")) {
            row.next();
            endpoint = row.getString(1);
            address = row.getString(2);
            mac = row.getString(3);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update endpoints set address = '10.255.255.1', mac = 'planted' where id = '" + endpoint + "'");
            s.executeUpdate("update pool_cursors set position = position + 3 where pool_set = 'default'");
        }
        try {
            String out = verify(1);
            assertTrue(out.contains("difference: endpoint " + endpoint + " address: log=" + address + "/32 database=10.255.255.1/32"), out);
            assertTrue(out.contains("difference: endpoint " + endpoint + " mac: log="), out);
            assertTrue(out.contains("difference: pool default next-fit cursor"), out);
        } finally {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("update endpoints set address = '" + address + "', mac = '" + mac + "' where id = '"
                        + endpoint + "'");
                s.executeUpdate("update pool_cursors set position = position - 3 where pool_set = 'default'");
            }
        }
        verify(0);
    }

    @Test
    void theLogAppliedTwiceChangesNothingAndARestoreDecidesTheNextAllocationsAsLive() throws Exception {
        String restored = live + "_restored";
        ChangeApplier applier = new ChangeApplier(pools, settings.ephemeralPorts());
        SchemaComparison comparison = new SchemaComparison(pools, settings.ephemeralPorts());
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + restored + " cascade");
        }
        Flyway.configure().configuration(flyway.getConfiguration()).schemas(restored).defaultSchema(restored)
                .createSchemas(true).load().migrate();
        try (LogReader log = new LogReader(bootstrap, prefix, List.of(Topic.INTENTS, Topic.CHANGES, Topic.NODES))) {
            List<LoggedRecord> records = log.readToEnd();
            assertTrue(apply(applier, records, restored) > 20);
            String first = dump(restored);
            assertEquals(0, apply(applier, records, restored), "every record was applied before");
            assertEquals(first, dump(restored));
        }
        try (Connection c = dataSource.getConnection()) {
            List<Difference> differences = comparison.differences(c, restored, live);
            assertEquals(List.of(), differences);
            assertEquals(List.of(), comparison.differences(c, live, restored));
        }
        // the next automatic address of every network and the next ephemeral port, as the functions decide them
        for (String schema : List.of(live, restored)) {
            assertEquals(allocations(live), allocations(schema), schema);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema " + restored + " cascade");
        }
    }

    private int apply(ChangeApplier applier, List<LoggedRecord> records, String schema) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set local search_path to " + schema + ", public");
                int n = applier.apply(c, records);
                applier.settle(c);
                c.commit();
                return n;
            }
        }
    }

    /** Three allocations per network and two ephemeral ports, made in a transaction that is rolled back. */
    private String allocations(String schema) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set local search_path to " + schema + ", public");
                StringBuilder out = new StringBuilder();
                try (ResultSet row = s.executeQuery("select n.name, host(allocate_address(n.id)), host(allocate_address(n.id)), "
                        + "host(allocate_address(n.id)) from networks n join address_cursors a on a.network_id = n.id order by n.name")) {
                    while (row.next()) {
                        out.append(row.getString(1)).append(' ').append(row.getString(2)).append(' ')
                                .append(row.getString(3)).append(' ').append(row.getString(4)).append('\n');
                    }
                }
                try (ResultSet row = s.executeQuery("select allocate_port('" + NODE + "', 'tcp', 32768, 60999), "
                        + "allocate_port('" + NODE + "', 'udp', 32768, 60999)")) {
                    row.next();
                    out.append("ports ").append(row.getInt(1)).append(' ').append(row.getInt(2));
                }
                return out.toString();
            } finally {
                c.rollback();
            }
        }
    }

    private String dump(String schema) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("networks", "subnets", "address_cursors", "free_addresses", "sandboxes",
                    "endpoints", "port_bindings", "port_cursors", "free_ports", "pool_cursors", "nodes",
                    "processed_intents", "outbox")) {
                try (ResultSet row = s.executeQuery("select t::text from " + schema + "." + table + " t order by 1")) {
                    while (row.next()) {
                        out.append(table).append(' ').append(row.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    @Test
    void everyIntentFedAgainChangesNothingAndPublishesNothing() throws Exception {
        String before = dump(live);
        int changes = broker.changes(e -> true).size();
        for (Envelope intent : sent) {
            broker.sendAsync(intent);
        }
        broker.flush();
        awaitConsumed();
        assertEquals(before, dump(live));
        assertEquals(changes, broker.changes(e -> true).size());
        verify(0);
    }

    /** Until ipam's group has committed every intent on the topic. */
    private void awaitConsumed() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<TopicPartition, Long> committed = admin.listConsumerGroupOffsets(intentsGroup)
                        .partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                for (int p = 0; p < Topic.INTENTS.partitions(); p++) {
                    latest.put(new TopicPartition(Topic.INTENTS.name(prefix), p), OffsetSpec.latest());
                }
                return admin.listOffsets(latest).all().get().entrySet().stream()
                        .allMatch(e -> e.getValue().offset() == committed.getOrDefault(e.getKey(), 0L));
            });
        }
    }
}
