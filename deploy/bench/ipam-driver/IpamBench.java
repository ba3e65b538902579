import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.IpamConfig;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.kafka.EnvelopeSerializer;
import io.netplane.events.kafka.TopicProvisioner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The ipam benchmark's driver: starts real ipam-service processes (the runner jar), publishes
 * sandbox.create.requested intents on the broker and times them until PostgreSQL shows them processed
 * (allocation and outbox rows committed in the intent consumer's batch transaction).
 * Env: BENCH_KAFKA, BENCH_JDBC, BENCH_JAR, BENCH_LOGS.
 */
public class IpamBench {
    static final SecureRandom RANDOM = new SecureRandom();
    static final int PARTITIONS = Topic.INTENTS.partitions();
    static final String KAFKA = System.getenv("BENCH_KAFKA");
    static final String JDBC = System.getenv("BENCH_JDBC");
    static final String JAR = System.getenv("BENCH_JAR");
    static final Path LOGS = Path.of(System.getenv("BENCH_LOGS"));
    static final String RUN = HexFormat.of().formatHex(RANDOM.generateSeed(4));
    static final String PREFIX = "npbench-" + RUN;
    static final String SCHEMA = "ipam_bench";
    static final List<Process> INSTANCES = new ArrayList<>();
    static KafkaProducer<String, Envelope> producer;
    static Connection db;
    static String[] partitionNetworks = new String[PARTITIONS];
    static String fillNetwork;

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> INSTANCES.forEach(Process::destroyForcibly)));
        db = DriverManager.getConnection(JDBC, "netplane", "netplane");
        try (Statement s = db.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
        TopicProvisioner.ensure(KAFKA, PREFIX, (short) 1);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EnvelopeSerializer.class));
        // 4 allocators: by default 1 instance x 4 consumer threads (2 cores: more JVMs mostly fight for them).
        // All run from the start, so every figure is taken on warm JVMs; one allocator = one partition's intents.
        int instances = Integer.parseInt(System.getenv().getOrDefault("BENCH_INSTANCES", "1"));
        int threads = Integer.parseInt(System.getenv().getOrDefault("BENCH_THREADS", "4"));
        for (int i = 0; i < instances; i++) {
            start("i" + (i + 1), threads);
        }
        for (int p = 0; p < PARTITIONS; p++) {
            partitionNetworks[p] = network(p, "bench-p" + p, "10." + (100 + p) + ".0.0/16");
        }
        fillNetwork = network(0, "bench-fill", "10.99.0.0/16");
        awaitProcessed(PARTITIONS + 1, 60);
        Thread.sleep(3_000); // the group settles

        say("%d instance(s) x %d intent consumer thread(s) in one group (the %d partitions are shared out)",
                instances, threads, PARTITIONS);
        say("warm-up: 12,000 allocations over every partition");
        rate(12_000, -1);
        double single = rate(12_000, 0);
        say("1 allocator: %,.0f allocations/s (12,000 sandbox.create.requested on one partition, one address each)", single);

        timePerAllocation(100);
        say("filling bench-fill (10.99.0.0/16) to 60,000 addresses through the service …");
        fill(60_000);
        double at100 = lastAt100;
        double at60k = perAllocation(2_000);
        say("time per allocation: %.0f µs with 100 taken, %.0f µs with 60,000 taken (bursts of 2,000 on one /16)", at100, at60k);
        flatInSql();

        rate(4_000, -1);
        double four = rate(24_000, -1);
        say("%d allocators: %,.0f allocations/s (24,000 intents over %d partitions, a network per partition)",
                instances * threads, four, PARTITIONS);
        say("RESULT allocs_per_s_1=%.0f allocs_per_s_4=%.0f alloc_us_at_100=%.0f alloc_us_at_60000=%.0f",
                single, four, at100, at60k);
        stopAll();
        try (Statement s = db.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
        System.exit(0);
    }

    static double lastAt100;
    static int fillCount;

    static void timePerAllocation(int taken) throws Exception {
        fill(taken);
        lastAt100 = perAllocation(2_000);
    }

    /** Sends on one partition to the fill network until {@code target} addresses are taken there. */
    static void fill(int target) throws Exception {
        int n = target - fillCount;
        long base = processed();
        for (int i = 0; i < n; i++) {
            send(0, fillNetwork);
        }
        producer.flush();
        awaitLast(300);
        expectProcessed(base + n);
        fillCount = target;
    }

    /** µs per allocation for a burst on the fill network (one partition: one instance, in order). */
    static double perAllocation(int burst) throws Exception {
        long base = processed();
        long t0 = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            send(0, fillNetwork);
        }
        producer.flush();
        awaitLast(120);
        double micros = (System.nanoTime() - t0) / 1_000.0 / burst;
        expectProcessed(base + burst);
        fillCount += burst;
        return micros;
    }

    /** The allocation function alone, in a rolled-back transaction: flat as the network fills? */
    static void flatInSql() throws Exception {
        String id = networkId("bench-fill");
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("set search_path = " + SCHEMA);
            long t0 = System.nanoTime();
            s.executeQuery("select allocate_address('" + id + "') from generate_series(1, 2000)").close();
            double full = (System.nanoTime() - t0) / 1_000.0 / 2000;
            say("allocate_address() alone on the filled /16 (in SQL, rolled back): %.1f µs per call", full);
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }

    /** Allocations per second for {@code n} intents spread over every partition. */
    static double rate(int n, int onlyPartition) throws Exception {
        long base = processed();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int p = onlyPartition >= 0 ? onlyPartition : i % PARTITIONS;
            send(p, partitionNetworks[p]);
        }
        producer.flush();
        awaitLast(300);
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        expectProcessed(base + n);
        return rate;
    }

    /** The last intent sent on each partition: a partition is done when its last intent is processed. */
    static final java.util.UUID[] LAST = new java.util.UUID[PARTITIONS];

    static void send(int partition, String networkId) {
        String sandbox = id();
        Envelope e = Envelope.of(EventType.SANDBOX_CREATE_REQUESTED, Subject.sandbox(sandbox),
                new SandboxCreateRequested(sandbox, "b" + sandbox.substring(0, 10), "bench-node", "bridge", null, null,
                        List.of(new EndpointRequest(networkId, id(), null, List.of())), List.of()), "bench");
        producer.send(new ProducerRecord<>(Topic.INTENTS.name(PREFIX), partition, sandbox, e));
        LAST[partition] = e.id();
    }

    static String network(int partition, String name, String subnet) {
        String id = id();
        producer.send(new ProducerRecord<>(Topic.INTENTS.name(PREFIX), partition, id, Envelope.of(
                EventType.NETWORK_CREATE_REQUESTED, Subject.network(id), new NetworkCreateRequested(id, name, "bridge",
                        List.of(new IpamConfig(subnet, null, null, Map.of())), false, false, false, Map.of(), Map.of()),
                "bench")));
        producer.flush();
        return id;
    }

    static String networkId(String name) throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(
                "select id from " + SCHEMA + ".networks where name = '" + name + "'")) {
            r.next();
            return r.getString(1);
        }
    }

    static long processed() throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(
                "select count(*) from " + SCHEMA + ".processed_intents")) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // the schema is not there yet
        }
    }

    /**
     * Waits until the last intent sent on every partition is processed: a partition's intents commit in order,
     * so then all are. Primary-key lookups, so watching costs the database next to nothing (a count(*) of the
     * growing table every 20 ms took a good part of a core from the service being measured).
     */
    static void awaitLast(int seconds) throws Exception {
        List<Object> ids = new ArrayList<>();
        for (java.util.UUID id : LAST) {
            if (id != null) {
                ids.add(id);
            }
        }
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        try (java.sql.PreparedStatement s = db.prepareStatement(
                "select count(*) from " + SCHEMA + ".processed_intents where intent_id = any(?)")) {
            s.setArray(1, db.createArrayOf("uuid", ids.toArray()));
            while (true) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getInt(1) == ids.size()) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("intents not processed in " + seconds + " s; see " + LOGS);
                }
                for (Process p : INSTANCES) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("an ipam-service instance exited; see " + LOGS);
                    }
                }
                Thread.sleep(5);
            }
        }
    }

    /** Every intent sent was processed, exactly once (checked after the clock stopped). */
    static void expectProcessed(long target) throws Exception {
        awaitProcessed(target, 30);
        long n = processed();
        if (n != target) {
            throw new IllegalStateException(n + " intents processed, " + target + " expected");
        }
    }

    static void awaitProcessed(long target, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (processed() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + processed() + " of " + target + " intents processed in "
                        + seconds + " s; see " + LOGS);
            }
            for (Process p : INSTANCES) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("an ipam-service instance exited; see " + LOGS);
                }
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM: a graceful stop, whose consumers leave the group at once. */
    static void stopAll() throws Exception {
        INSTANCES.forEach(Process::destroy);
        for (Process p : INSTANCES) {
            p.waitFor();
        }
        INSTANCES.clear();
    }

    static void start(String name, int threads) throws Exception {
        Path log = LOGS.resolve("ipam-bench-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("NETPLANE_TOPICS_PREFIX", PREFIX);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", JDBC);
        env.put("QUARKUS_FLYWAY_SCHEMAS", SCHEMA);
        env.put("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "4");
        env.put("NETPLANE_IPAM_INTENTS_GROUP", PREFIX + "-ipam");
        env.put("NETPLANE_IPAM_NODES_GROUP", PREFIX + "-ipam-nodes");
        env.put("NETPLANE_IPAM_INTENT_CONSUMERS", String.valueOf(threads));
        // BENCH_SVC_X=v reaches the service as X=v (e.g. BENCH_SVC_QUARKUS_LOG_CATEGORY__IO_NETPLANE__LEVEL=DEBUG)
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("BENCH_SVC_")) {
                env.put(k.substring("BENCH_SVC_".length()), v);
            }
        });
        env.put("NETPLANE_BRIDGE_DEFAULT_NAME", "npbench0");
        Process p = pb.start();
        INSTANCES.add(p);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.readString(log).contains("ipam-service consuming")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("ipam-service " + name + " did not start; see " + log);
            }
            Thread.sleep(100);
        }
    }

    static String id() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
