package io.netplane.ipam.messaging;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventFormatException;
import io.netplane.ipam.outbox.Outbox;
import io.netplane.ipam.outbox.OutboxRelay;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Kafka consumer whose every poll batch is one database transaction: offsets are committed only after the
 * transaction, so a crash between the two redelivers the batch (and the handlers are idempotent). They are
 * committed at most every {@link #COMMIT_EVERY}, and when a poll finds nothing new, partitions go or the consumer
 * stops: at 8 callers a commit per batch was a hundred coordinator requests a second, and a redelivered batch is
 * found processed. A failed transaction rewinds the batch and tries it again. Several threads (each its own Kafka
 * consumer in the group, so each its own partitions) may run side by side: the database's constraints and row
 * locks decide, as between replicas.
 */
abstract class DatabaseConsumer {
    private static final long COMMIT_EVERY = Duration.ofMillis(500).toNanos();
    private final Logger log = Logger.getLogger(getClass());
    private final AgroalDataSource dataSource;
    private final OutboxRelay relay;
    private final Outbox outbox;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();

    DatabaseConsumer(AgroalDataSource dataSource, OutboxRelay relay, Outbox outbox) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.outbox = outbox;
    }

    /** Applies one event in the batch transaction. */
    abstract void apply(Connection c, Envelope event) throws SQLException;

    /** Applies a batch's events in its transaction: one by one unless a consumer knows better. */
    void applyAll(Connection c, List<Envelope> events) throws SQLException {
        for (Envelope event : events) {
            apply(c, event);
        }
    }

    /** Runs in the batch transaction after its events. */
    void afterBatch(Connection c) throws SQLException {
    }

    synchronized void start(KafkaConsumer<String, byte[]> kafkaConsumer, List<String> topics, String threadName) {
        start(1, i -> kafkaConsumer, topics, threadName);
    }

    /** {@code threads} consumers of one group, thread i polling with {@code consumers.apply(i)}. */
    synchronized void start(int threads, java.util.function.IntFunction<KafkaConsumer<String, byte[]>> consumers,
                            List<String> topics, String threadName) {
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker(consumers.apply(i), threads == 1 ? threadName : threadName + "-" + i);
            workers.add(w);
            w.start(topics);
        }
    }

    /** True once every thread polled and while they live. */
    public boolean running() {
        return !workers.isEmpty() && workers.stream().allMatch(Worker::running);
    }

    public synchronized void stop() {
        workers.forEach(Worker::wakeup);
        workers.forEach(Worker::join);
        workers.clear();
    }

    private final class Worker {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private final BatchTimings timings;
        private volatile boolean running;
        private volatile boolean polling;
        private long nextCommit = System.nanoTime();
        /** A batch was applied since the last commit. */
        private boolean uncommitted;

        Worker(KafkaConsumer<String, byte[]> consumer, String name) {
            this.consumer = consumer;
            this.thread = new Thread(this::run, name);
            this.thread.setDaemon(true);
            this.timings = new BatchTimings(log, name);
        }

        void start(List<String> topics) {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commitNow(); // their next owner starts where this one stopped
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            running = true;
            thread.start();
        }

        boolean running() {
            return running && polling && thread.isAlive();
        }

        void wakeup() {
            running = false;
            consumer.wakeup();
        }

        void join() {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            try {
                while (running) {
                    try {
                        pollOnce();
                    } catch (WakeupException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // e.g. a rebalance in the middle of a rewind: the next poll starts from committed offsets
                        log.warnf(e, "consumer loop: %s; going on in 1 s", e.toString());
                        Thread.sleep(1_000);
                    }
                }
            } catch (WakeupException e) {
                if (running) {
                    log.error("consumer woken up while running", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running = false;
                commitNow();
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private void pollOnce() throws InterruptedException {
            long t0 = System.nanoTime();
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
            polling = true;
            if (records.isEmpty()) {
                if (uncommitted) {
                    commitAsync(); // idle: the group's lag shows zero once nothing is waiting
                }
                return;
            }
            long t1 = System.nanoTime();
            long[] committing = new long[1];
            List<Outbox.Committed> written;
            try {
                written = applyBatch(records, committing);
            } catch (SQLException | RuntimeException e) {
                log.warnf(e, "batch of %d records failed; retrying it in 1 s", records.count());
                rewind(records);
                Thread.sleep(1_000);
                return;
            }
            long t2 = System.nanoTime();
            // first: every user call waits on the outbox, not on the offset commit
            relay.committed(written);
            // Not waited for: the next poll must not queue behind a round trip to the coordinator. A commit that is
            // lost leaves the batch to be redelivered later and then found processed: harmless.
            uncommitted = true;
            if (System.nanoTime() - nextCommit >= 0) {
                commitAsync();
            }
            timings.add(records.count(), t1 - t0, committing[0] - t1, t2 - committing[0], System.nanoTime() - t2);
        }

        /** @return the outbox rows it committed; {@code committing[0]}: when the commit began */
        private List<Outbox.Committed> applyBatch(ConsumerRecords<String, byte[]> records, long[] committing)
                throws SQLException {
            long started = System.nanoTime();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                outbox.defer();
                try {
                    List<Envelope> events = new ArrayList<>(records.count());
                    for (ConsumerRecord<String, byte[]> record : records) {
                        Envelope event = decode(record);
                        if (event != null) {
                            events.add(event);
                        }
                    }
                    long t0 = System.nanoTime();
                    applyAll(c, events);
                    afterBatch(c);
                    long t1 = System.nanoTime();
                    List<Outbox.Committed> written = outbox.flush(c);
                    long[] p = io.netplane.ipam.allocation.IntentHandler.PHASES.get();
                    log.debugf("batch of %d: decode %.1f ms, apply %.1f ms (lock %.1f, claim %.1f, schedule %.1f, "
                            + "outcomes %.1f, record %.1f), outbox %.1f ms (%d rows)", events.size(),
                            (t0 - started) / 1e6, (t1 - t0) / 1e6, p[0] / 1e6, p[1] / 1e6, p[2] / 1e6, p[3] / 1e6,
                            p[4] / 1e6, (System.nanoTime() - t1) / 1e6, written.size());
                    committing[0] = System.nanoTime();
                    c.commit();
                    return written;
                } catch (SQLException | RuntimeException e) {
                    outbox.discard();
                    c.rollback();
                    throw e;
                }
            }
        }

        private void commitAsync() {
            uncommitted = false;
            nextCommit = System.nanoTime() + COMMIT_EVERY;
            consumer.commitAsync((offsets, e) -> {
                if (e != null) {
                    log.warnf("committing offsets failed (%s); the batch will be redelivered", e.toString());
                }
            });
        }

        /** Commits what was consumed so far (a rewound batch is not: its position is back before it). */
        private void commitNow() {
            try {
                consumer.commitSync(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warnf("committing offsets failed (%s); what followed the last commit will be redelivered",
                        e.toString());
            }
        }

        private void rewind(ConsumerRecords<String, byte[]> records) {
            for (TopicPartition partition : records.partitions()) {
                if (!consumer.assignment().contains(partition)) {
                    continue; // revoked meanwhile: its new owner starts from the committed offset
                }
                consumer.seek(partition, records.records(partition).get(0).offset());
            }
        }
    }

    private Envelope decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return EventCodec.shared().decode(record.value());
        } catch (EventFormatException e) {
            log.warnf("skipping %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }
}
