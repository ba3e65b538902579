package io.netplane.api.projection;

import io.netplane.api.BrokerPeer;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.get;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The projection against what can go wrong around it: PostgreSQL going away while records arrive (it waits it out,
 * skips none, goes on), and another replica having applied records of a partition it holds (it applies none of them
 * again).
 */
@QuarkusTest
@TestProfile(ProjectionRecoveryTest.Profile.class)
class ProjectionRecoveryTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-outage-" + BrokerPeer.suffix());
        }
    }

    private static final Duration SEEN = Duration.ofSeconds(30);

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    String password;
    @ConfigProperty(name = "quarkus.hibernate-orm.database.default-schema")
    String schema;

    /**
     * The outage is this test database refusing connections after every connection to it was terminated — as a
     * restart looks to the pool.
     */
    @Test
    void recordsThatArriveWhileTheDatabaseIsDownAreProjectedOnceItIsBack() throws Exception {
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix)) {
            Network before = network("outage-before", 1);
            peer.publish(BrokerPeer.created(null, before));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + before.name()).statusCode(), is(200));

            Network during = network("outage-during", 2);
            duringOutage(() -> peer.publish(BrokerPeer.created(null, during)));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + during.name()).statusCode(), is(200));

            Network after = network("outage-after", 3);
            peer.publish(BrokerPeer.created(null, after));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + after.name()).statusCode(), is(200));
        }
    }

    /**
     * The read model's offset of a partition moved on without this replica (another one applied the next record):
     * that record is not applied here again, though this replica remembers where it stopped itself.
     */
    @Test
    void aRecordAnotherReplicaAppliedIsNotAppliedAgain() throws Exception {
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix);
             Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            Network first = network("offsets-first", 4);
            peer.publish(BrokerPeer.created(null, first));
            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + first.name()).statusCode(), is(200));
            int partitions = changesPartitions();
            int partition = partitionOf(first.id(), partitions);
            Network appliedElsewhere = network("offsets-elsewhere", 5, partition, partitions);
            Network next = network("offsets-next", 6, partition, partitions);

            execute(c, "update " + schema + ".projection_offsets set last_offset = last_offset + 1 where topic = '"
                    + prefix + ".changes' and partition = " + partition);
            peer.publish(BrokerPeer.created(null, appliedElsewhere));
            peer.publish(BrokerPeer.created(null, next));

            await().atMost(SEEN).until(() -> get("/api/v1/networks/" + next.name()).statusCode(), is(200));
            assertEquals(404, get("/api/v1/networks/" + appliedElsewhere.name()).statusCode(),
                    "its offset says another replica applied it: not applied here again");
        }
    }

    /**
     * The same for the records of a connect and disconnect, which go alone in one statement each outside a
     * transaction (Projection.applyAlone): one that meets the outage is not lost, nor applied twice.
     */
    @Test
    void endpointRecordsThatArriveWhileTheDatabaseIsDownAreProjectedOnceItIsBack() throws Exception {
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix)) {
            String sandboxId = BrokerPeer.randomId();
            Endpoint before = endpoint(sandboxId, 7);
            peer.publish(BrokerPeer.allocated(null, before));
            await().atMost(SEEN).until(() -> endpointRows(before.id()), is(1));

            Endpoint during = endpoint(sandboxId, 8);
            duringOutage(() -> peer.publish(BrokerPeer.allocated(null, during)));
            await().atMost(SEEN).until(() -> endpointRows(during.id()), is(1));
            peer.publish(BrokerPeer.endpointReleased(null, during));
            await().atMost(SEEN).until(() -> released(during.id()), is(true));
        }
    }

    /** As {@link #aRecordAnotherReplicaAppliedIsNotAppliedAgain}, for endpoint records (applied alone when they can). */
    @Test
    void anEndpointRecordAnotherReplicaAppliedIsNotAppliedAgain() throws Exception {
        try (BrokerPeer peer = new BrokerPeer(bootstrap, prefix);
             Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            String sandboxId = BrokerPeer.randomId();
            Endpoint first = endpoint(sandboxId, 9);
            Endpoint second = endpoint(sandboxId, 10);
            peer.publish(BrokerPeer.allocated(null, first));
            peer.publish(BrokerPeer.allocated(null, second)); // alone: the partition's offset is known by now
            await().atMost(SEEN).until(() -> endpointRows(second.id()), is(1));
            int partition = partitionOf(sandboxId, changesPartitions());
            Endpoint appliedElsewhere = endpoint(sandboxId, 11);
            Endpoint next = endpoint(sandboxId, 12);

            execute(c, "update " + schema + ".projection_offsets set last_offset = last_offset + 1 where topic = '"
                    + prefix + ".changes' and partition = " + partition);
            peer.publish(BrokerPeer.allocated(null, appliedElsewhere));
            peer.publish(BrokerPeer.allocated(null, next));

            await().atMost(SEEN).until(() -> endpointRows(next.id()), is(1));
            assertEquals(0, endpointRows(appliedElsewhere.id()), "its offset says another replica applied it: not applied here again");
        }
    }

    /** The test database refuses connections, every connection to it terminated — as a restart looks to the pool. */
    private void duringOutage(Runnable meanwhile) throws SQLException, InterruptedException {
        String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        // the database itself cannot be closed from a connection to it: from the maintenance database
        String maintenance = jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "postgres";
        try (Connection admin = DriverManager.getConnection(maintenance, user, password)) {
            try {
                execute(admin, "alter database " + database + " allow_connections false");
                execute(admin, "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database
                        + "' and pid <> pg_backend_pid()");
                meanwhile.run();
                Thread.sleep(4_000); // longer than a few retries: the record is not skipped, the projection does not stop
            } finally {
                execute(admin, "alter database " + database + " allow_connections true");
            }
        }
    }

    private int endpointRows(String endpointId) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             PreparedStatement s = c.prepareStatement("select count(*) from " + schema + ".endpoints where id = ?")) {
            s.setString(1, endpointId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private boolean released(String endpointId) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             PreparedStatement s = c.prepareStatement("select released is not null from " + schema + ".endpoints where id = ?")) {
            s.setString(1, endpointId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private static Endpoint endpoint(String sandboxId, int octet) {
        return BrokerPeer.endpoint(BrokerPeer.randomId(), sandboxId, BrokerPeer.randomId(), "node-a", "eth0",
                "10.214." + octet + ".2", 24, "10.214." + octet + ".1", List.of(), List.of());
    }

    private int changesPartitions() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return c.partitionsFor(prefix + ".changes").size();
        }
    }

    /** The producers' default partitioner: murmur2 of the key (the subject's id). */
    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A network whose id lands on {@code partition} of changes. */
    private static Network network(String name, int octet, int partition, int partitions) {
        while (true) {
            Network n = network(name, octet);
            if (partitionOf(n.id(), partitions) == partition) {
                return n;
            }
        }
    }

    private static Network network(String name, int octet) {
        return BrokerPeer.network(BrokerPeer.randomId(), name + "-" + BrokerPeer.suffix(), "10.213." + octet + ".0/24",
                "10.213." + octet + ".1", false);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
