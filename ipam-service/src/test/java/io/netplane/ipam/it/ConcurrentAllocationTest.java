package io.netplane.ipam.it;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.ipam.allocation.IntentHandler;
import io.netplane.ipam.outbox.Outbox;
import io.netplane.ipam.outbox.OutboxRelay;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netplane.ipam.it.TestBroker.newId;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Four allocators, each with its own connection and batch transactions (what four replicas on different
 * partitions do), through the service's own intent path: 10,000 addresses on two shared /16s, 2,000
 * ephemeral host ports on one node, and a race of four sandboxes for each of 50 explicit ports. Nothing
 * is handed out twice, nothing is lost, and lowest-first still holds.
 */
@ExtendWith(RequiresServices.class)
@QuarkusTest
@TestProfile(OwnTopics.Concurrency.class)
class ConcurrentAllocationTest {
    private static final int ALLOCATORS = 4;
    private static final int SANDBOXES_EACH = 1_250; // × 2 networks × 4 = 10,000 addresses
    private static final int WITH_PORT_EACH = 500;   // × 4 = 2,000 ephemeral ports
    private static final int BATCH = 50;
    private static final String NODE = "node-c";
    private static TestBroker broker;

    @Inject
    IntentHandler handler;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    OutboxRelay relay;
    @Inject
    Outbox outbox;

    @BeforeAll
    static void connect() {
        broker = new TestBroker();
    }

    @AfterAll
    static void disconnect() {
        broker.close();
    }

    private static Envelope sandbox(List<Network> networks, List<PortBinding> ports) {
        String id = newId();
        List<EndpointRequest> eps = networks.stream().map(n -> new EndpointRequest(n.id(), newId(), null, List.of())).toList();
        return Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id),
                new SandboxCreateRequested(id, "cc-" + id.substring(0, 8), NODE, "bridge", null, null, eps, ports), "test");
    }

    /** What the intent consumer does with a poll batch: one transaction, retried on a transient fault. */
    private void run(List<Envelope> batch) throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                outbox.defer();
                try {
                    handler.handleBatch(c, batch);
                    var written = outbox.flush(c);
                    c.commit();
                    relay.committed(written);
                    return;
                } catch (SQLException e) {
                    outbox.discard();
                    c.rollback();
                    if (attempt > 20 || e.getSQLState() == null || !e.getSQLState().startsWith("40")) {
                        throw e;
                    }
                }
            }
            Thread.sleep(10);
        }
    }

    @Test
    void fourAllocatorsNeverHandOutAnythingTwice() throws Exception {
        Network a = broker.create("cc-a", "10.200.0.0/16", null, null).data(Network.class);
        Network b = broker.create("cc-b", "10.201.0.0/16", null, null).data(Network.class);
        Network r = broker.create("cc-race", "10.202.0.0/16", null, null).data(Network.class);
        List<List<Envelope>> work = new ArrayList<>();
        for (int t = 0; t < ALLOCATORS; t++) {
            List<Envelope> mine = new ArrayList<>();
            for (int i = 0; i < SANDBOXES_EACH; i++) {
                mine.add(sandbox(List.of(a, b), i < WITH_PORT_EACH ? List.of(new PortBinding("tcp", "", 0, 80)) : List.of()));
                if (i < 50) { // every allocator asks for the same explicit port 21000 + i: one of four wins
                    mine.add(sandbox(List.of(r), List.of(new PortBinding("tcp", i % 2 == 0 ? "" : "10.9.9.9", 21_000 + i, 80))));
                }
            }
            work.add(mine);
        }
        AtomicInteger scheduled = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(ALLOCATORS);
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (List<Envelope> mine : work) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < mine.size(); i += BATCH) {
                    run(mine.subList(i, Math.min(mine.size(), i + BATCH)));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long millis = (System.nanoTime() - start) / 1_000_000;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            scheduled.set(((Long) row(s, "select count(*) from processed_intents where outcome = 'sandbox.scheduled'").get(0)).intValue());
            rejected.set(((Long) row(s, "select count(*) from processed_intents where outcome = 'sandbox.rejected'").get(0)).intValue());
        }
        System.out.printf("4 allocators: %d sandboxes, %d refused, in %d ms%n", scheduled.get(), rejected.get(), millis);

        assertEquals(ALLOCATORS * SANDBOXES_EACH + 50, scheduled.get());
        assertEquals(150, rejected.get(), "three of four lose each explicit port");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (Network n : List.of(a, b)) {
                // 5,000 distinct addresses each, and exactly the lowest 5,000 after the gateway .0.1
                assertEquals(List.of(5_000L, 5_000L, "10." + n.subnets().get(0).subnet().split("\\.")[1] + ".19.137"),
                        row(s, "select count(*), count(distinct address), host(max(address)) from endpoints where network_id = '"
                                + n.id() + "'"));
            }
            assertEquals(List.of(10_000L, 10_000L), row(s, "select count(*), count(distinct mac) from endpoints where network_id in ('"
                    + a.id() + "', '" + b.id() + "')"));
            assertEquals(List.of(2_000L, 2_000L, 32768, 32768 + 1_999), row(s, "select count(*), count(distinct host_port), "
                    + "min(host_port), max(host_port) from port_bindings where node = '" + NODE + "' and ephemeral"));
            assertEquals(List.of(50L, 50L), row(s, "select count(*), count(distinct host_port) from port_bindings "
                    + "where node = '" + NODE + "' and not ephemeral"));
            assertEquals(List.of(0L), row(s, "select count(*) from free_addresses"));
        }
        // every outcome left through the outbox: one sandbox.scheduled per intent, one endpoint.allocated per address
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                broker.changes(e -> e.is(EventType.ENDPOINT_ALLOCATED)).size() >= 10_050);
        assertEquals(10_050, broker.changes(e -> e.is(EventType.ENDPOINT_ALLOCATED)).stream()
                .map(x -> x.value().id()).distinct().count());
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
