package io.netplane.ipam.it;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.netplane.ipam.it.TestBroker.newId;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real ipam-service processes (the runner jar) share the intents' partitions; one is killed with SIGKILL
 * in the middle of a stream of sandbox creates and removes, then started again. Afterwards every intent has
 * exactly one outcome (distinct event ids: the relay publishes at least once, consumers dedupe by id),
 * and the database holds every address once, none leaked: below each network's mark, every address is an
 * endpoint's, the gateway, or listed free.
 */
@ExtendWith(RequiresServices.class)
class CrashRestartIT {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final int CREATES = 1_200;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "nptest-crash-" + suffix;
    private final String schema = "ipam_crash_" + suffix;
    private final String kafka = System.getProperty("netplane.test.kafka", "127.0.0.1:19092");
    private final String jdbc = System.getProperty("netplane.test.jdbc", "jdbc:postgresql://127.0.0.1:5432/netplane_test");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws SQLException {
        processes.forEach(Process::destroyForcibly);
        try (Connection c = DriverManager.getConnection(jdbc, "netplane", "netplane"); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        }
    }

    private Process start(String instance) throws IOException {
        Path log = Path.of("target", "crash-" + suffix + "-" + instance + "-" + processes.size() + ".log");
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx160m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        env.put("NETPLANE_TOPICS_PREFIX", prefix);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbc);
        env.put("QUARKUS_FLYWAY_SCHEMAS", schema);
        env.put("NETPLANE_IPAM_INTENTS_GROUP", prefix + "-ipam");
        env.put("NETPLANE_IPAM_NODES_GROUP", prefix + "-ipam-nodes");
        env.put("NETPLANE_IPAM_INSTANCE_ID", instance);
        env.put("NETPLANE_BRIDGE_DEFAULT_NAME", "nptest0");
        Process p = pb.start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertTrue(p.isAlive(), () -> "ipam-service " + instance + " exited: " + tail(log));
            return Files.readString(log).contains("ipam-service consuming");
        });
        return p;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Test
    void sigkillInTheMiddleOfAStreamLosesAndDoublesNothing() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is missing: the crash test runs after package");
        Process a = start("a");
        start("b");
        try (TestBroker broker = new TestBroker(kafka, prefix)) {
            Envelope created = broker.outcome(broker.send(TestBroker.createIntent(newId(), "crash-net", "bridge",
                    List.of(new IpamConfig("10.210.0.0/16", null, null, Map.of())), Map.of())));
            Network net = created.data(Network.class);
            List<Envelope> intents = new ArrayList<>();
            Map<String, String> kind = new HashMap<>();
            for (int i = 0; i < CREATES; i++) {
                String id = newId();
                Envelope create = Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id),
                        new SandboxCreateRequested(id, "k" + i, "node-k", "bridge", null, null,
                                List.of(new EndpointRequest(net.id(), newId(), null, List.of())),
                                i % 3 == 0 ? List.of(new PortBinding("tcp", "", 0, 80)) : List.of()), "test");
                intents.add(create);
                kind.put(create.id().toString(), "create");
                if (i % 4 == 0) { // same key: after its create on the same partition
                    Envelope remove = Envelope.of(EventType.SANDBOX_REMOVE_REQUESTED, Subject.sandbox(id),
                            new SandboxRemoveRequested(id), "test");
                    intents.add(remove);
                    kind.put(remove.id().toString(), "remove");
                }
            }
            Thread sender = new Thread(() -> intents.forEach(broker::sendAsync));
            sender.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> broker.changes(e -> e.is(EventType.SANDBOX_SCHEDULED)).size() >= CREATES / 4);
            a.destroyForcibly(); // SIGKILL
            a.waitFor();
            int seenAtKill = broker.changes(e -> e.is(EventType.SANDBOX_SCHEDULED)).size();
            start("a");
            sender.join();
            broker.flush();
            Set<String> ids = kind.keySet();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                    broker.changes(e -> ids.contains(e.causationId())).stream().map(s -> s.value().causationId())
                            .collect(Collectors.toSet()).size() == ids.size());
            Thread.sleep(1_500); // a duplicate would come right behind
            System.out.printf("crash test: %d of %d creates were answered when ipam-service a was killed%n",
                    seenAtKill, CREATES);
            assertTrue(seenAtKill < CREATES, "the kill came in the middle of the stream");

            Map<String, Map<String, Set<String>>> outcomes = new HashMap<>(); // intent → type → distinct event ids
            long raw = 0;
            for (TestBroker.Seen s : broker.changes(e -> ids.contains(e.causationId()))) {
                raw++;
                outcomes.computeIfAbsent(s.value().causationId(), k -> new HashMap<>())
                        .computeIfAbsent(s.value().type(), k -> new java.util.HashSet<>()).add(s.value().id().toString());
            }
            for (Envelope intent : intents) {
                Map<String, Set<String>> o = outcomes.get(intent.id().toString());
                Map<String, Integer> counts = o.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size()));
                Map<String, Integer> expected = kind.get(intent.id().toString()).equals("create")
                        ? Map.of("sandbox.scheduled", 1, "endpoint.allocated", 1)
                        : Map.of("endpoint.released", 1, "sandbox.removed", 1);
                assertEquals(expected, counts, () -> "outcomes of " + intent.type() + " " + intent.id());
            }
            long distinct = outcomes.values().stream().mapToLong(m -> m.values().stream().mapToLong(Set::size).sum()).sum();
            System.out.printf("crash test: %d outcome records, %d distinct events (%d published twice by the relay)%n",
                    raw, distinct, raw - distinct);

            int removes = (int) kind.values().stream().filter("remove"::equals).count();
            try (Connection c = DriverManager.getConnection(jdbc + "?currentSchema=" + schema, "netplane", "netplane");
                 Statement s = c.createStatement()) {
                assertEquals(List.of((long) intents.size() + 1, 0L), row(s, "select count(*), count(*) filter (where outcome = 'pending') from processed_intents"));
                long live = CREATES - removes;
                assertEquals(List.of(live, live), row(s, "select count(*), count(distinct address) from endpoints"));
                // no leak: below the mark every address is an endpoint's, the gateway, or free — each exactly once
                assertEquals(List.of(0L), row(s, "select (c.next_address - c.first_address) - (select count(*) from endpoints e "
                        + "where e.network_id = c.network_id and ip_number(e.address) between c.first_address and c.next_address - 1) "
                        + "- (select count(*) from free_addresses f where f.network_id = c.network_id and f.address < c.next_address) "
                        + "- case when c.gateway between c.first_address and c.next_address - 1 then 1 else 0 end "
                        + "from address_cursors c where c.network_id = '" + net.id() + "'"));
                assertEquals(List.of(0L), row(s, "select count(*) from free_addresses f join endpoints e "
                        + "on e.network_id = f.network_id and ip_number(e.address) = f.address"));
                assertEquals(row(s, "select count(*) from endpoints e join sandboxes x on x.id = e.sandbox_id "
                        + "where x.name ~ '^k[0-9]+$' and (substr(x.name, 2)::int) % 3 = 0").get(0),
                        row(s, "select count(distinct host_port) from port_bindings").get(0));
            }
        }
    }

    private static List<Object> row(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<Object> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getObject(i));
            }
            return values;
        }
    }
}
