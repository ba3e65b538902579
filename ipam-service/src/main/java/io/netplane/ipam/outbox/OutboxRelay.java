package io.netplane.ipam.outbox;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Topic;
import io.netplane.ipam.messaging.KafkaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import io.netplane.ipam.IpamSettings;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes committed outbox rows in id order. Woken by {@link #signal()} right after each commit (the
 * latency path), and every poll interval (the safety net: a crash between a commit and its publication).
 * A row is marked published only after the broker acknowledged it; one transaction-scoped advisory lock
 * makes the relays of several replicas take turns, so no row goes out twice at the same time nor out of order.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x6e70_6f75_7462_6f78L; // "npoutbox"
    private static final int BATCH = 500;

    private final AgroalDataSource dataSource;
    private final KafkaSettings kafka;
    private final Duration pollInterval;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaProducer<String, byte[]> producer;

    public OutboxRelay(AgroalDataSource dataSource, KafkaSettings kafka,
                       IpamSettings settings) {
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.pollInterval = settings.outbox().pollInterval();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        producer = new KafkaProducer<>(kafka.producer("ipam-outbox"));
        wake.drainPermits(); // signals given while stopped are stale: the first poll finds their rows
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Called by a thread that just committed outbox rows. */
    public void signal() {
        wake.release();
    }

    public boolean running() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    public synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            wake.release();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                while (running && publishBatch() == BATCH) {
                    // more waiting: go on at once
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warnf("outbox relay: %s; retrying in %s", e.toString(), pollInterval);
                sleep(pollInterval.toMillis());
            }
        }
    }

    private record Row(long id, String topic, String key, byte[] value) {
    }

    /** @return how many rows it published */
    int publishBatch() throws SQLException, InterruptedException, ExecutionException, TimeoutException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, RELAY_LOCK);
                    lock.execute();
                }
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement("select id, topic, record_key, value from outbox "
                        + "where published_at is null order by id limit " + BATCH);
                     ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        rows.add(new Row(row.getLong(1), row.getString(2), row.getString(3), row.getBytes(4)));
                    }
                }
                if (rows.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
                for (Row r : rows) {
                    sent.add(producer.send(new ProducerRecord<>(topicName(r.topic()), r.key(), r.value())));
                }
                for (Future<RecordMetadata> ack : sent) {
                    ack.get(30, TimeUnit.SECONDS);
                }
                try (PreparedStatement mark = c.prepareStatement(
                        "update outbox set published_at = now() where id = any(?)")) {
                    mark.setArray(1, c.createArrayOf("bigint", rows.stream().map(Row::id).toArray()));
                    mark.executeUpdate();
                }
                c.commit();
                return rows.size();
            } catch (SQLException | InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private String topicName(String suffix) {
        for (Topic t : Topic.values()) {
            if (t.suffix().equals(suffix)) {
                return kafka.topic(t);
            }
        }
        throw new IllegalStateException("outbox row for unknown topic " + suffix);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
