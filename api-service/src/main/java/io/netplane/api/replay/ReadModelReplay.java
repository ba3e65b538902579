package io.netplane.api.replay;

import io.netplane.api.audit.AuditIndex;
import io.netplane.api.audit.AuditTopics;
import io.netplane.api.audit.IndexEntry;
import io.netplane.api.audit.LoggedEvent;
import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.projection.Projection;
import io.netplane.events.Topic;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * api-service's part of {@code replay}: its own projection (and audit indexer) fed the whole log, into a scratch
 * schema to compare with the live read model ({@code verify}), or into the live schema lost with PostgreSQL
 * ({@code restore}). The schema the projection writes is the persistence unit's default schema, so the command
 * (ApiMain) is started with {@code quarkus.hibernate-orm.database.default-schema} set to the scratch schema for
 * verify; {@code quarkus.flyway.schemas} names the live one either way. Operations (the calls' own records) are
 * not facts of the log and are neither rebuilt nor compared.
 *
 * <p>Output on stdout: {@code difference: …} lines, then {@code api: networks=N endpoints=M ports=P records=R
 * seconds=S differences=D}. Exit code 0, 1 (differences), 2 (refused or failed).
 */
@ApplicationScoped
public class ReadModelReplay {
    private static final Logger LOG = Logger.getLogger(ReadModelReplay.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int BATCH = 1000;
    /** Records between two flushes of the persistence context: each query auto-flushes, checking every entity held. */
    private static final int FLUSH = 50;
    /** Threads projecting at once (each its own partitions); the audit index has one more. */
    @ConfigProperty(name = "netplane.replay.lanes", defaultValue = "2")
    int laneCount;
    private static final int ROUNDS = 6;
    private static final int LIMIT = 1000;

    private record Table(String kind, String name, List<String> keys, List<String> fields) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("network", "networks", List.of("id"), List.of("name", "driver", "scope", "subnets", "internal",
                    "attachable", "enable_ipv6", "options", "labels", "vni", "bridge", "predefined", "created", "removed")),
            new Table("network-node", "network_nodes", List.of("network_id", "node"),
                    List.of("state", "bridge", "ifindex", "error", "updated")),
            new Table("node", "nodes", List.of("name"), List.of("underlay_address", "routed_subnets", "versions",
                    "joined", "last_seen", "left_at", "removed_at", "hostname", "capabilities")),
            new Table("sandbox", "sandboxes", List.of("id"), List.of("name", "node", "mode", "netns", "hostname",
                    "container_of", "dns", "created", "removed")),
            new Table("endpoint", "endpoints", List.of("id"), List.of("sandbox_id", "network_id", "node", "ifname",
                    "addresses", "mac", "ports", "aliases", "created", "released")),
            new Table("sandbox-status", "sandbox_status", List.of("sandbox_id"),
                    List.of("node", "state", "netns", "error", "updated")),
            new Table("endpoint-status", "endpoint_status", List.of("endpoint_id"), List.of("sandbox_id", "node",
                    "state", "host_ifname", "ifname", "ifindex", "iflink", "error", "updated")),
            new Table("audit-event", "audit_events", List.of("topic", "partition", "log_offset"),
                    List.of("event_id", "type", "log_time", "envelope")));

    @Inject
    DataSource dataSource;
    @Inject
    Flyway flyway;
    @Inject
    Projection projection;
    @Inject
    AuditIndex audit;
    @Inject
    KafkaSettings kafka;
    @Inject
    jakarta.persistence.EntityManager entityManager;
    @ConfigProperty(name = "quarkus.flyway.schemas", defaultValue = "api")
    String live;
    @ConfigProperty(name = "quarkus.hibernate-orm.database.default-schema", defaultValue = "api")
    String target;

    public int run(String mode, PrintStream out) {
        try {
            check(live);
            check(target);
            return switch (mode) {
                case "verify" -> verify(out);
                case "restore" -> restore(out);
                default -> {
                    out.println("api: unknown replay mode " + mode + " (verify or restore)");
                    yield 2;
                }
            };
        } catch (Exception e) {
            out.println("api: replay " + mode + " failed: " + e);
            LOG.error("replay failed", e);
            return 2;
        }
    }

    private static void check(String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a plain schema name: " + schema);
        }
    }

    int verify(PrintStream out) throws SQLException, InterruptedException {
        if (target.equals(live)) {
            out.println("api: verify projects into a scratch schema: start it with "
                    + "quarkus.hibernate-orm.database.default-schema other than " + live);
            return 2;
        }
        long started = System.nanoTime();
        execute("drop schema if exists " + target + " cascade");
        Flyway.configure().configuration(flyway.getConfiguration()).schemas(target).defaultSchema(target)
                .createSchemas(true).load().migrate();
        long[] phases = new long[4]; // schema, read, project + index, compare
        phases[0] = System.nanoTime() - started;
        int records = 0;
        List<String> differences = List.of();
        try (LogRecords log = new LogRecords(kafka.bootstrapServers(), kafka.prefix())) {
            for (int round = 1; round <= ROUNDS; round++) {
                long t0 = System.nanoTime();
                List<LogRecords.Logged> read = log.readToEnd();
                long t1 = System.nanoTime();
                records += feed(read);
                long t2 = System.nanoTime();
                differences = differences(target, live);
                phases[1] += t1 - t0;
                phases[2] += t2 - t1;
                phases[3] += System.nanoTime() - t2;
                // the live read model may lag a moment (a record not yet projected): a difference counts once it
                // stays while the log stands still
                if (differences.isEmpty() || (round >= 2 && !log.grew())) {
                    break;
                }
                Thread.sleep(500);
            }
            differences.forEach(out::println);
            out.printf("api: %s records=%d seconds=%.2f (schema %.2f, read %.2f, project %.2f, index %.2f in parallel, compare %.2f) "
                    + "differences=%d%n", counts(target), records, (System.nanoTime() - started) / 1e9, phases[0] / 1e9,
                    phases[1] / 1e9, projectNanos / 1e9, indexNanos / 1e9, phases[3] / 1e9, differences.size());
        } finally {
            execute("drop schema if exists " + target + " cascade");
        }
        return differences.isEmpty() ? 0 : 1;
    }

    int restore(PrintStream out) throws SQLException {
        if (!target.equals(live)) {
            out.println("api: restore writes the live schema " + live + ", not " + target);
            return 2;
        }
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select (select count(*) from " + live + ".networks) + (select count(*) from "
                     + live + ".projection_offsets)")) {
            row.next();
            if (row.getLong(1) > 0) {
                out.println("api: schema " + live + " is not empty; --restore rebuilds a lost database only "
                        + "(drop the schema first). Nothing done.");
                return 2;
            }
        }
        int records;
        try (LogRecords log = new LogRecords(kafka.bootstrapServers(), kafka.prefix())) {
            records = feed(log.readToEnd());
        }
        out.printf("api: %s records=%d seconds=%.2f restored%n", counts(live), records,
                (System.nanoTime() - started) / 1e9);
        return 0;
    }

    /** The projection (changes, status, nodes) and the audit index (all four topics), in batches. */
    private long projectNanos;
    private long indexNanos;

    private int feed(List<LogRecords.Logged> records) throws SQLException {
        long started = System.nanoTime();
        // Lanes by partition number: changes and status are both keyed by the sandbox (or network) id, so one
        // entity's facts and statuses share a partition number and stay in order in one lane; entities of
        // different lanes share no row the projection writes. The audit index is one more lane.
        Map<Integer, List<LogRecords.Logged>> lanes = new TreeMap<>();
        for (LogRecords.Logged r : records) {
            if (r.topic() != Topic.INTENTS && r.envelope() != null) {
                lanes.computeIfAbsent(r.partition() % laneCount, k -> new ArrayList<>()).add(r);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(laneCount + 1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<LogRecords.Logged> lane : lanes.values()) {
                running.add(pool.submit(() -> projectLane(lane)));
            }
            Future<Long> indexed = pool.submit(() -> index(records));
            for (Future<?> f : running) {
                f.get();
            }
            projectNanos += System.nanoTime() - started;
            indexNanos += indexed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return records.size();
    }

    private void projectLane(List<LogRecords.Logged> lane) {
        for (int from = 0; from < lane.size(); from += BATCH) {
            List<LogRecords.Logged> batch = lane.subList(from, Math.min(lane.size(), from + BATCH));
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    for (int i = 0; i < batch.size(); i++) {
                        project(batch.get(i));
                        if (i % FLUSH == FLUSH - 1) {
                            entityManager.flush();
                            entityManager.clear();
                        }
                    }
                });
            } catch (RuntimeException e) {
                // one record the projection refuses (or a lock conflict): one by one, stepping over a refused one
                LOG.warnf("a batch of %d records failed (%s); applying them one by one", batch.size(), e.getMessage());
                for (LogRecords.Logged r : batch) {
                    try {
                        project(r);
                    } catch (RuntimeException one) {
                        LOG.errorf("cannot project %s-%d@%d: skipped (%s)", r.topicName(), r.partition(), r.offset(),
                                one.getMessage());
                        projection.skip(r.topicName(), r.partition(), r.offset());
                    }
                }
            }
        }
    }

    /** @return nanoseconds spent */
    private long index(List<LogRecords.Logged> records) throws SQLException {
        long started = System.nanoTime();
        List<LoggedEvent> events = new ArrayList<>();
        List<IndexEntry> entries = new ArrayList<>();
        for (LogRecords.Logged r : records) {
            IndexEntry entry;
            try {
                entry = IndexEntry.of(r.text());
            } catch (RuntimeException e) {
                continue; // left out of the index by its indexer too
            }
            events.add(new LoggedEvent(r.topicName(), r.partition(), r.offset(),
                    AuditTopics.rank(kafka.prefix(), r.topicName()), r.timestamp(), r.text()));
            entries.add(entry);
            if (events.size() == 5000) {
                audit.insert(events, entries);
                events.clear();
                entries.clear();
            }
        }
        if (!events.isEmpty()) {
            audit.insert(events, entries);
        }
        return System.nanoTime() - started;
    }

    private void project(LogRecords.Logged r) {
        projection.apply(r.topicName(), r.partition(), r.offset(), r.key(), r.envelope());
    }

    private String counts(String schema) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select (select count(*) from " + schema + ".networks where removed is null), "
                     + "(select count(*) from " + schema + ".endpoints where released is null), (select coalesce(sum("
                     + "jsonb_array_length(ports)), 0) from " + schema + ".endpoints where released is null)")) {
            row.next();
            return "networks=" + row.getLong(1) + " endpoints=" + row.getLong(2) + " ports=" + row.getLong(3);
        }
    }

    /** Field by field, in SQL: {@code difference: <entity> <field>: log=<value> database=<value>}. */
    List<String> differences(String log, String database) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (Table t : TABLES) {
                compare(c, t, log, database, found);
            }
        }
        return found;
    }

    private static void compare(Connection c, Table t, String log, String database, List<String> found)
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
                .append('.').append(t.name()).append(" d on ")
                .append(String.join(" and ", t.keys().stream().map(k -> "s." + k + " = d." + k).toList()))
                .append(" where s.").append(k0).append(" is null or d.").append(k0).append(" is null");
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
                    found.add(line(entity, "(row)", inLog ? "present" : null, inDatabase ? "present" : null));
                    continue;
                }
                for (int i = 0; i < t.fields().size(); i++) {
                    String a = row.getString(keys + 3 + 2 * i);
                    String b = row.getString(keys + 4 + 2 * i);
                    if (a == null ? b != null : !a.equals(b)) {
                        found.add(line(entity, t.fields().get(i), a, b));
                    }
                }
            }
        }
    }

    private static String line(String entity, String field, String log, String database) {
        return "difference: " + entity + " " + field + ": log=" + (log == null ? "(none)" : log) + " database="
                + (database == null ? "(none)" : database);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
