import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.kafka.EnvelopeSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes a realistic log of at least BENCH_EVENTS records for `deploy/netplane bench replay`: one node joins,
 * BENCH_NETWORKS networks and BENCH_SANDBOXES sandboxes (one in ten with an ephemeral published port) are
 * created, then sandboxes connect to another network and disconnect again, in cycles, until intents + the
 * changes ipam answers them with reach the target. Everything goes through the real ipam-service and
 * api-service (no agent: nothing needs the kernel). Waits until ipam has answered every intent, api's
 * projection has applied every change and the audit index holds every record, so the log and the live
 * schemas agree before the verify is timed.
 * Env: BENCH_KAFKA, BENCH_PREFIX, BENCH_JDBC, BENCH_EVENTS, BENCH_NETWORKS, BENCH_SANDBOXES, BENCH_GROUP.
 */
public class ReplayLog {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String KAFKA = System.getenv("BENCH_KAFKA");
    static final String PREFIX = System.getenv("BENCH_PREFIX");
    static final String JDBC = System.getenv("BENCH_JDBC");
    static final String GROUP = System.getenv("BENCH_GROUP");
    static final int EVENTS = Integer.parseInt(System.getenv().getOrDefault("BENCH_EVENTS", "100000"));
    static final int NETWORKS = Integer.parseInt(System.getenv().getOrDefault("BENCH_NETWORKS", "20"));
    static final int SANDBOXES = Integer.parseInt(System.getenv().getOrDefault("BENCH_SANDBOXES", "2000"));
    static final String NODE = "bench-node";

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        try (KafkaProducer<String, Envelope> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA, ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 262144, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new EnvelopeSerializer());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA))) {
            producer.send(new ProducerRecord<>(Topic.NODES.name(PREFIX), NODE, Envelope.of(EventType.NODE_JOINED,
                    Subject.node(NODE), new NodeJoined(NODE, "192.0.2.10", List.of(), Map.of("netplane", "bench")),
                    "node-agent:" + NODE))).get();
            List<String> networks = new ArrayList<>();
            for (int i = 0; i < NETWORKS; i++) {
                String id = id();
                networks.add(id);
                intent(producer, id, EventType.NETWORK_CREATE_REQUESTED, Subject.network(id), new NetworkCreateRequested(
                        id, "bench-" + i, "bridge", List.of(), false, false, false, Map.of(), Map.of("bench", "replay")));
            }
            producer.flush();
            awaitIntentsAnswered(admin); // the networks exist before any sandbox names them
            List<String> sandboxes = new ArrayList<>();
            int intents = NETWORKS;
            for (int i = 0; i < SANDBOXES; i++) {
                String id = id();
                sandboxes.add(id);
                List<PortBinding> ports = i % 10 == 0 ? List.of(new PortBinding("tcp", null, 0, 80)) : List.of();
                intent(producer, id, EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(id), new SandboxCreateRequested(
                        id, "bench-s" + i, NODE, "bridge", "bench-s" + i, null,
                        List.of(new EndpointRequest(networks.get(i % NETWORKS), id(), null, List.of())), ports));
                intents++;
            }
            // each sandbox create answers with two facts (scheduled, allocated); a cycle is 2 intents + 2 facts
            long written = 1 + 2L * NETWORKS + 3L * SANDBOXES;
            int cycles = 0;
            while (written < EVENTS) {
                int s = cycles % SANDBOXES;
                int round = cycles / SANDBOXES;
                String sandbox = sandboxes.get(s);
                String network = networks.get((s % NETWORKS + 1 + round % (NETWORKS - 1)) % NETWORKS);
                // one key per sandbox: its connect and disconnect stay in order on one partition
                intent(producer, sandbox, EventType.ENDPOINT_CONNECT_REQUESTED, Subject.sandbox(sandbox),
                        new EndpointConnectRequested(sandbox, network, id(), null, List.of()));
                intent(producer, sandbox, EventType.ENDPOINT_DISCONNECT_REQUESTED, Subject.sandbox(sandbox),
                        new EndpointDisconnectRequested(sandbox, network, false));
                intents += 2;
                written += 4;
                cycles++;
            }
            producer.flush();
            System.out.printf("published: 1 node.joined, %d networks, %d sandboxes (%d with a published port), %d "
                    + "connect/disconnect cycles: %d intents in %.1f s%n", NETWORKS, SANDBOXES, (SANDBOXES + 9) / 10,
                    cycles, intents, (System.nanoTime() - t0) / 1e9);
            awaitIntentsAnswered(admin);
            System.out.printf("ipam answered every intent after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Map<TopicPartition, Long> end = endOffsets(admin, List.of(Topic.INTENTS, Topic.CHANGES, Topic.STATUS, Topic.NODES));
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            awaitApiCaughtUp(end, total);
            System.out.printf("api projected and indexed every record after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Map<String, Long> perTopic = new java.util.TreeMap<>();
            end.forEach((p, o) -> perTopic.merge(p.topic().substring(PREFIX.length() + 1), o, Long::sum));
            System.out.println("log: " + perTopic + ", " + total + " records");
            System.out.println("EVENTS " + total);
        }
    }

    static String id() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static void intent(KafkaProducer<String, Envelope> producer, String key, EventType type, Subject subject,
                       io.netplane.events.EventData data) {
        producer.send(new ProducerRecord<>(Topic.INTENTS.name(PREFIX), key, Envelope.of(type, subject, data, "bench")));
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, List<Topic> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (Topic t : topics) {
            for (int p = 0; p < t.partitions(); p++) {
                latest.put(new TopicPartition(t.name(PREFIX), p), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((p, info) -> end.put(p, info.offset()));
        return end;
    }

    /** Until ipam's group committed every intent and its outbox is empty (every answer is on the log). */
    static void awaitIntentsAnswered(Admin admin) throws Exception {
        long deadline = System.nanoTime() + 900_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, Long> end = endOffsets(admin, List.of(Topic.INTENTS));
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                    .forEach((p, o) -> committed.put(p, o == null ? 0 : o.offset()));
            boolean consumed = end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
            if (consumed && count("select count(*) from ipam.outbox") == 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("ipam did not answer every intent within 15 minutes");
    }

    static void awaitApiCaughtUp(Map<TopicPartition, Long> end, long total) throws Exception {
        long deadline = System.nanoTime() + 1_800_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, Long> projected = new HashMap<>();
            try (Connection c = DriverManager.getConnection(JDBC, "netplane", "netplane"); Statement s = c.createStatement();
                 ResultSet row = s.executeQuery("select topic, partition, last_offset from api.projection_offsets")) {
                while (row.next()) {
                    projected.put(row.getString(1) + "/" + row.getInt(2), row.getLong(3));
                }
            }
            boolean projectedAll = end.entrySet().stream()
                    .filter(e -> !e.getKey().topic().endsWith(".intents") && e.getValue() > 0)
                    .allMatch(e -> projected.getOrDefault(e.getKey().topic() + "/" + e.getKey().partition(), -1L) >= e.getValue() - 1);
            if (projectedAll && count("select count(*) from api.audit_events") >= total) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("api-service did not catch up within 30 minutes");
    }

    static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(JDBC, "netplane", "netplane"); Statement s = c.createStatement();
             ResultSet row = s.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
