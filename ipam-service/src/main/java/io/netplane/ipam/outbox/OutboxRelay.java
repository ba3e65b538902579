package io.netplane.ipam.outbox;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Topic;
import io.netplane.ipam.IpamSettings;
import io.netplane.ipam.messaging.KafkaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes committed outbox rows and deletes them once the broker acknowledged them.
 *
 * <p>The latency path: a consumer that just committed hands its rows over ({@link #committed}); they are sent
 * from memory, in commit order, inside a transaction that first deletes them ({@link #TAKE}: the row locks
 * keep any other relay off them, and only rows still there are sent) and commits after the acks, without waiting
 * for the WAL flush.
 * The safety net: every poll interval (and on {@link #signal()}), rows nobody handed over — a crash between a
 * commit and its publication, or rows written outside a consumer — are read in id order, sent and deleted;
 * one transaction-scoped advisory lock makes the polls of several replicas take turns, and {@code skip locked}
 * leaves rows being sent from memory alone. A periodic poll takes only rows older than five poll intervals, so
 * it does not overtake a live replica's own rows even when that replica lags behind.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x6e70_6f75_7462_6f78L; // "npoutbox"
    private static final int BATCH = 500;
    private static final int HANDED_OVER_BATCH = 5_000;
    /**
     * Deletes the rows a relay sends (their locks keep any other relay off them) in a transaction that commits without
     * waiting for the WAL flush, both statements in one round trip: about two flushes per connect and disconnect,
     * each a wait on the relay's thread before its next batch. What a crash can take back is the end of the
     * deletes; those rows are then sent again, in id order as always, so every key's last record on the topics stays
     * its latest, and consumers take a repeated record as a redelivered one. Allocations and their outbox rows
     * still commit with the flush.
     */
    private static final String TAKE = "set local synchronous_commit to off; delete from outbox where id = any(?)";

    private final AgroalDataSource dataSource;
    private final KafkaSettings kafka;
    private final Duration pollInterval;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean pollNow = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Outbox.Committed> handedOver = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaProducer<String, byte[]> producer;

    public OutboxRelay(AgroalDataSource dataSource, KafkaSettings kafka, IpamSettings settings) {
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
        handedOver.clear();
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Rows written outside a consumer were committed: poll now. */
    public void signal() {
        pollNow.set(true);
        wake.release();
    }

    /** Called by a consumer thread right after its transaction committed these rows (in order). */
    public void committed(List<Outbox.Committed> rows) {
        if (rows.isEmpty() || !running) {
            return; // not running: the poll finds them after a start
        }
        handedOver.addAll(rows);
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
        handedOver.clear();
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void run() {
        while (running) {
            try {
                boolean woken = wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                while (running && !handedOver.isEmpty()) {
                    publishHandedOver();
                }
                if (!woken || pollNow.getAndSet(false)) {
                    boolean all = woken; // a signal: every row; the periodic poll: only rows older than 5 intervals
                    while (running && publishBatch(all) == BATCH) {
                        // more waiting: go on at once
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                handedOver.clear(); // the periodic poll sends what is left
                LOG.warnf("outbox relay: %s; retrying in %s", e.toString(), pollInterval);
                sleep(pollInterval.toMillis());
            }
        }
    }

    private void publishHandedOver() throws SQLException, InterruptedException, ExecutionException, TimeoutException {
        List<Outbox.Committed> rows = new ArrayList<>();
        Outbox.Committed r;
        while (rows.size() < HANDED_OVER_BATCH && (r = handedOver.poll()) != null) {
            rows.add(r);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long t0 = System.nanoTime();
                Set<Long> mine = new HashSet<>();
                try (PreparedStatement delete = c.prepareStatement(TAKE + " returning id")) {
                    delete.setArray(1, c.createArrayOf("bigint", rows.stream().map(Outbox.Committed::id).toArray()));
                    delete.execute(); // first the SET's count, then the rows
                    delete.getMoreResults();
                    try (ResultSet row = delete.getResultSet()) {
                        while (row.next()) {
                            mine.add(row.getLong(1));
                        }
                    }
                }
                long t1 = System.nanoTime();
                List<Future<RecordMetadata>> sent = new ArrayList<>(mine.size());
                for (Outbox.Committed row : rows) {
                    if (mine.contains(row.id())) { // else a poll sent it already
                        sent.add(producer.send(new ProducerRecord<>(topicName(row.topic()), row.key(), row.value())));
                    }
                }
                awaitAcks(sent);
                long t2 = System.nanoTime();
                c.commit();
                profile(sent.size(), t1 - t0, t2 - t1, System.nanoTime() - t2);
            } catch (SQLException | InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private record Row(long id, String topic, String key, byte[] value) {
    }

    /** @return how many rows it published */
    int publishBatch(boolean all) throws SQLException, InterruptedException, ExecutionException, TimeoutException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, RELAY_LOCK);
                    lock.execute();
                }
                long t0 = System.nanoTime();
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement("select id, topic, record_key, value from outbox "
                        + "where published_at is null" + (all ? "" : " and created < now() - ?::interval")
                        + " order by id limit " + BATCH + " for update skip locked")) {
                    if (!all) {
                        select.setString(1, 5 * pollInterval.toMillis() + " milliseconds");
                    }
                    try (ResultSet row = select.executeQuery()) {
                        while (row.next()) {
                            rows.add(new Row(row.getLong(1), row.getString(2), row.getString(3), row.getBytes(4)));
                        }
                    }
                }
                if (rows.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                long t1 = System.nanoTime();
                List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
                for (Row r : rows) {
                    sent.add(producer.send(new ProducerRecord<>(topicName(r.topic()), r.key(), r.value())));
                }
                awaitAcks(sent);
                long t2 = System.nanoTime();
                try (PreparedStatement delete = c.prepareStatement(TAKE)) {
                    delete.setArray(1, c.createArrayOf("bigint", rows.stream().map(Row::id).toArray()));
                    delete.execute();
                }
                c.commit();
                profile(rows.size(), t1 - t0, t2 - t1, System.nanoTime() - t2);
                return rows.size();
            } catch (SQLException | InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Everything was sent already (linger 0: the producer batches what piles up while it is busy). */
    private static void awaitAcks(List<Future<RecordMetadata>> sent)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (Future<RecordMetadata> ack : sent) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    private long since = System.nanoTime();
    private long published;
    private long database;
    private long sending;
    private long committing;

    /** Where publishing spends its time, logged at most every 10 s while rows flow. */
    private void profile(int rows, long db, long send, long commit) {
        published += rows;
        database += db;
        sending += send;
        committing += commit;
        long now = System.nanoTime();
        if (now - since >= 10_000_000_000L && published > 0) {
            LOG.infof("outbox relay: %d rows (%.0f/s); per row: take %.0f µs, send+ack %.0f µs, delete/commit %.0f µs",
                    published, published / ((now - since) / 1e9), database / 1e3 / published, sending / 1e3 / published,
                    committing / 1e3 / published);
            since = now;
            published = database = sending = committing = 0;
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
