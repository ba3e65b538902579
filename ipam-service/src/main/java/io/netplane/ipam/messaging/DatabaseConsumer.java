package io.netplane.ipam.messaging;

import io.agroal.api.AgroalDataSource;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventFormatException;
import io.netplane.ipam.outbox.Outbox;
import io.netplane.ipam.outbox.OutboxRelay;
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
import java.util.List;

/**
 * A Kafka consumer whose every poll batch is one database transaction: offsets are committed only after the
 * transaction, so a crash between the two redelivers the batch (and the handlers are idempotent). A failed
 * transaction rewinds the batch and tries it again.
 */
abstract class DatabaseConsumer {
    private final Logger log = Logger.getLogger(getClass());
    private final AgroalDataSource dataSource;
    private final OutboxRelay relay;
    private final Outbox outbox;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean polling;

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
        consumer = kafkaConsumer;
        consumer.subscribe(topics);
        running = true;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** True once it polled and while its thread lives. */
    public boolean running() {
        Thread t = thread;
        return running && polling && t != null && t.isAlive();
    }

    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void pollOnce() throws InterruptedException {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        polling = true;
        if (records.isEmpty()) {
            return;
        }
        try {
            applyBatch(records);
        } catch (SQLException | RuntimeException e) {
            log.warnf(e, "batch of %d records failed; retrying it in 1 s", records.count());
            rewind(records);
            Thread.sleep(1_000);
            return;
        }
        relay.signal(); // first: every user call waits on the outbox, not on the offset commit
        try {
            consumer.commitSync();
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // redelivered later and then found processed: harmless
            log.warnf("committing offsets failed (%s); the batch will be redelivered", e.toString());
        }
    }

    private void applyBatch(ConsumerRecords<String, byte[]> records) throws SQLException {
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
                applyAll(c, events);
                afterBatch(c);
                outbox.flush(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                outbox.discard();
                c.rollback();
                throw e;
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

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            if (!consumer.assignment().contains(partition)) {
                continue; // revoked meanwhile: its new owner starts from the committed offset
            }
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }
}
