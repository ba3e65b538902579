package io.netplane.ipam.replay;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Topic;
import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.messaging.KafkaSettings;
import io.netplane.ipam.pool.Pools;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code replay --verify}: rebuilds ipam's state from the log into a scratch schema and compares it with the live
 * one. {@code replay --restore}: rebuilds the live schema itself (lost with PostgreSQL) from the log. Both run in
 * the service's command mode (see IpamMain), with no consumer, no relay and no HTTP traffic: nothing is published.
 *
 * <p>Output on stdout, one line each: {@code difference: …} per difference, then
 * {@code ipam: networks=N endpoints=M ports=P records=R seconds=S differences=D}. Exit code 0 consistent (or
 * restored), 1 differences, 2 refused or failed.
 */
@ApplicationScoped
public class ReplayCommand {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** Rounds of catching up with a log that moves while verify runs (the relay, heartbeats). */
    private static final int ROUNDS = 6;

    private final AgroalDataSource dataSource;
    private final KafkaSettings kafka;
    private final Flyway flyway;
    private final ChangeApplier applier;
    private final SchemaComparison comparison;
    private final String live;
    private final String scratch;

    public ReplayCommand(AgroalDataSource dataSource, KafkaSettings kafka, Flyway flyway, Pools pools,
                         IpamSettings settings, @ConfigProperty(name = "quarkus.flyway.schemas") String schemas,
                         @ConfigProperty(name = "netplane.replay.scratch-schema") Optional<String> scratch) {
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.flyway = flyway;
        this.applier = new ChangeApplier(pools, settings.ephemeralPorts());
        this.comparison = new SchemaComparison(pools, settings.ephemeralPorts());
        this.live = schema(schemas.split(",")[0].trim());
        this.scratch = schema(scratch.orElse(live + "_replay"));
    }

    private static String schema(String name) {
        if (!SCHEMA.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain schema name: " + name);
        }
        return name;
    }

    public int run(String mode, PrintStream out) {
        try {
            return switch (mode) {
                case "verify" -> verify(out);
                case "restore" -> restore(out);
                default -> {
                    out.println("ipam: unknown replay mode " + mode + " (verify or restore)");
                    yield 2;
                }
            };
        } catch (Exception e) {
            out.println("ipam: replay " + mode + " failed: " + e);
            e.printStackTrace();
            return 2;
        }
    }

    int verify(PrintStream out) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        recreate(scratch);
        long[] phases = new long[4]; // schema, read, apply, compare
        phases[0] = System.nanoTime() - started;
        int records = 0;
        List<Difference> differences = List.of();
        try (LogReader log = reader()) {
            for (int round = 1; round <= ROUNDS; round++) {
                long t0 = System.nanoTime();
                List<LoggedRecord> read = log.readToEnd();
                long t1 = System.nanoTime();
                records += applyAll(read, scratch);
                long t2 = System.nanoTime();
                try (Connection c = dataSource.getConnection()) {
                    differences = comparison.differences(c, scratch, live);
                }
                phases[1] += t1 - t0;
                phases[2] += t2 - t1;
                phases[3] += System.nanoTime() - t2;
                // the live state may be a moment ahead (rows still in the outbox) or behind (a record not yet
                // consumed): a difference counts once it stays while the log stands still
                if (differences.isEmpty() || (round >= 2 && !log.grew() && unpublished() == 0)) {
                    break;
                }
                Thread.sleep(500);
            }
            SchemaComparison.Counts counts;
            try (Connection c = dataSource.getConnection()) {
                counts = comparison.counts(c, scratch);
            }
            differences.forEach(out::println);
            out.printf("ipam: networks=%d endpoints=%d ports=%d records=%d seconds=%.2f (schema %.2f, read %.2f, "
                    + "apply %.2f, compare %.2f) differences=%d%n", counts.networks(), counts.endpoints(), counts.ports(),
                    records, (System.nanoTime() - started) / 1e9, phases[0] / 1e9, phases[1] / 1e9, phases[2] / 1e9,
                    phases[3] / 1e9, differences.size());
        } finally {
            drop(scratch);
        }
        return differences.isEmpty() ? 0 : 1;
    }

    int restore(PrintStream out) throws SQLException {
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select (select count(*) from " + live + ".networks) + (select count(*) from "
                     + live + ".sandboxes) + (select count(*) from " + live + ".processed_intents)")) {
            row.next();
            if (row.getLong(1) > 0) {
                out.println("ipam: schema " + live + " is not empty; --restore rebuilds a lost database only "
                        + "(drop the schema first). Nothing done.");
                return 2;
            }
        }
        int records;
        try (LogReader log = reader()) {
            records = applyAll(log.readToEnd(), live);
        }
        try (Connection c = dataSource.getConnection()) {
            SchemaComparison.Counts counts = comparison.counts(c, live);
            out.printf("ipam: networks=%d endpoints=%d ports=%d records=%d seconds=%.2f restored%n", counts.networks(),
                    counts.endpoints(), counts.ports(), records, (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    private LogReader reader() {
        return new LogReader(kafka.bootstrap(), kafka.prefix(), List.of(Topic.INTENTS, Topic.CHANGES, Topic.NODES));
    }

    /** Applies and settles in one transaction on {@code schema}. */
    private int applyAll(List<LoggedRecord> records, String schema) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set local search_path to " + schema + ", public");
                s.execute("set local synchronous_commit to off");
                int applied = applier.apply(c, records);
                applier.settle(c);
                c.commit();
                return applied;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private long unpublished() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select count(*) from " + live + ".outbox")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** A fresh scratch schema at the live schema's migration level. */
    private void recreate(String schema) throws SQLException {
        drop(schema);
        Flyway.configure().configuration(flyway.getConfiguration()).schemas(schema).defaultSchema(schema)
                .createSchemas(true).load().migrate();
    }

    private void drop(String schema) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        }
    }
}
