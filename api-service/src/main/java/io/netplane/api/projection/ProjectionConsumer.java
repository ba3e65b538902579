package io.netplane.api.projection;

import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.messaging.TopicPartitions;
import io.netplane.api.waiting.OutcomeWatcher;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.netplane.events.kafka.EnvelopeDeserializer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The read model's consumer: one group shared by all replicas over changes, status and nodes. The
 * offsets live in the read model (committed with each record), so a partition resumes exactly where
 * its projection stopped.
 */
@ApplicationScoped
public class ProjectionConsumer {
    private static final Logger LOG = Logger.getLogger(ProjectionConsumer.class);
    private static final List<Topic> TOPICS = List.of(Topic.CHANGES, Topic.STATUS, Topic.NODES);
    private static final int ATTEMPTS = 3;
    private static final Duration SWEEP = Duration.ofSeconds(5);
    private static final Duration OUTAGE_PAUSE = Duration.ofSeconds(1);

    @Inject
    KafkaSettings kafka;
    @Inject
    Projection projection;
    @Inject
    ProjectionProgress progress;
    @Inject
    OutcomeWatcher outcomes;

    private volatile boolean assigned;
    private volatile boolean running;
    /** The database could not be reached at the last try (said once in the log, not at every try). */
    private boolean outage;
    private KafkaConsumer<String, Envelope> consumer;
    private Thread thread;

    public boolean assigned() {
        return assigned;
    }

    public void start() {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, kafka.projectionGroup(),
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-projection",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new EnvelopeDeserializer());
        for (Topic topic : TOPICS) {
            TopicPartitions.await(consumer, kafka.prefix(), topic, Duration.ofSeconds(30));
        }
        running = true;
        thread = new Thread(this::run, "api-projection");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            consumer.subscribe(TOPICS.stream().map(kafka::topic).toList(), new ResumeFromReadModel());
            Instant nextSweep = Instant.now().plus(SWEEP);
            while (running) {
                try {
                    applyInOrder(poll());
                } catch (WakeupException | InterruptedException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // what was polled and not applied is read again from where the read model stands
                    LOG.errorf(e, "the read-model projection failed; resuming from the read model's offsets in %s",
                            OUTAGE_PAUSE);
                    pause();
                    rewindToReadModel(consumer.assignment());
                }
                if (Instant.now().isAfter(nextSweep)) {
                    sweep();
                    nextSweep = Instant.now().plus(SWEEP);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // stop() was called
        } catch (RuntimeException e) {
            LOG.error("the read-model projection stopped", e);
        } finally {
            assigned = false;
            outcomes.projectedElsewhere(consumer.assignment()); // no longer read here: the watcher reads them again
            consumer.close();
        }
    }

    private void sweep() {
        try {
            projection.settleOpen();
        } catch (RuntimeException e) {
            LOG.warnf("settling open operations failed: %s", e.getMessage());
        }
    }

    /**
     * An endpoint record alone, in one statement (Projection.applyAlone); the records between them together, in one
     * transaction; one by one when that rolls back or a record cannot go alone.
     */
    private void applyInOrder(List<ConsumerRecord<String, Envelope>> records) throws InterruptedException {
        List<ConsumerRecord<String, Envelope>> together = new ArrayList<>();
        for (ConsumerRecord<String, Envelope> record : records) {
            if (!alone(record)) {
                together.add(record);
                continue;
            }
            applyTogetherOrEach(together);
            together.clear();
            if (projection.applyAlone(record.topic(), record.partition(), record.offset(), record.key(), record.value())) {
                progress.applied(new TopicPartition(record.topic(), record.partition()), record.offset());
                outage = false;
            } else {
                applyWithRetries(record);
            }
        }
        applyTogetherOrEach(together);
    }

    private static boolean alone(ConsumerRecord<String, Envelope> record) {
        return record.value() != null && EventType.fromWireName(record.value().type())
                .filter(EndpointProjection::handles).isPresent();
    }

    private void applyTogetherOrEach(List<ConsumerRecord<String, Envelope>> records) throws InterruptedException {
        if (records.size() <= 1 || !applyTogether(records)) {
            for (ConsumerRecord<String, Envelope> record : records) {
                applyWithRetries(record);
            }
        }
    }

    /** @return false when the batch rolled back: its records are then applied one by one. */
    private boolean applyTogether(List<ConsumerRecord<String, Envelope>> records) {
        try {
            projection.applyAll(records);
            for (ConsumerRecord<String, Envelope> record : records) {
                progress.applied(new TopicPartition(record.topic(), record.partition()), record.offset());
            }
            outage = false;
            return true;
        } catch (RuntimeException e) {
            LOG.debugf("a batch of %d records rolled back (%s): one by one", records.size(), e.getMessage());
            return false;
        }
    }

    private List<ConsumerRecord<String, Envelope>> poll() {
        try {
            List<ConsumerRecord<String, Envelope>> records = new ArrayList<>();
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            // the waiting calls first: they need the record, not the read model's transaction
            for (ConsumerRecord<String, Envelope> r : records) {
                if (outcomes.serves(r.topic())) {
                    outcomes.offer(new TopicPartition(r.topic(), r.partition()), r.offset(), r.key(), r.value());
                }
            }
            return records;
        } catch (RecordDeserializationException e) {
            TopicPartition partition = e.topicPartition();
            LOG.errorf("unreadable record %s@%d skipped: %s", partition, e.offset(), e.getMessage());
            projection.skip(partition.topic(), partition.partition(), e.offset());
            consumer.seek(partition, e.offset() + 1);
            return List.of();
        }
    }

    /**
     * A record that fails {@value #ATTEMPTS} times is skipped, so that one bad event does not stop the read model;
     * while the database cannot be reached, the record waits (it is not at fault) however long that takes.
     */
    private void applyWithRetries(ConsumerRecord<String, Envelope> record) throws InterruptedException {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        for (int attempt = 1; ; ) {
            try {
                projection.apply(record.topic(), record.partition(), record.offset(), record.key(), record.value());
                progress.applied(partition, record.offset());
                outage = false;
                return;
            } catch (RuntimeException e) {
                if (DatabaseOutage.causes(e)) {
                    waitOut(e);
                    continue;
                }
                if (attempt++ >= ATTEMPTS) {
                    LOG.errorf(e, "cannot project %s-%d@%d (%s): skipped", record.topic(), record.partition(),
                            record.offset(), record.value() == null ? "tombstone" : record.value().type());
                    skip(partition, record.offset());
                    return;
                }
                LOG.warnf("projecting %s-%d@%d failed (attempt %d): %s", record.topic(), record.partition(),
                        record.offset(), attempt - 1, e.getMessage());
            }
        }
    }

    private void skip(TopicPartition partition, long offset) throws InterruptedException {
        while (true) {
            try {
                projection.skip(partition.topic(), partition.partition(), offset);
                progress.applied(partition, offset);
                outage = false;
                return;
            } catch (RuntimeException e) {
                if (!DatabaseOutage.causes(e)) {
                    throw e;
                }
                waitOut(e);
            }
        }
    }

    /** Said once per outage, then a pause before the next try. */
    private void waitOut(RuntimeException e) throws InterruptedException {
        if (!outage) {
            LOG.warnf("the read-model projection waits for PostgreSQL (trying again every %s): %s", OUTAGE_PAUSE,
                    e.getMessage());
            outage = true;
        }
        pause();
    }

    private void pause() throws InterruptedException {
        Thread.sleep(OUTAGE_PAUSE.toMillis());
        if (!running) {
            throw new InterruptedException("stopping");
        }
    }

    /** The offset the read model holds for each partition (null: none yet), waiting out an outage. */
    private Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) throws InterruptedException {
        while (true) {
            try {
                Map<TopicPartition, Long> stored = new HashMap<>();
                QuarkusTransaction.requiringNew().run(() -> {
                    for (TopicPartition partition : partitions) {
                        ProjectionOffset row = ProjectionOffset.findById(
                                new ProjectionOffset.Key(partition.topic(), partition.partition()));
                        stored.put(partition, row == null ? null : row.lastOffset);
                    }
                });
                outage = false;
                return stored;
            } catch (RuntimeException e) {
                if (!DatabaseOutage.causes(e)) {
                    throw e;
                }
                waitOut(e);
            }
        }
    }

    /**
     * Positions each partition on the record after the last one the read model applied, or earlier: where this
     * replica's offering of records to waiting calls stopped, if that is earlier (another replica projected further).
     */
    private void rewindToReadModel(Collection<TopicPartition> partitions) throws InterruptedException {
        storedOffsets(partitions).forEach((partition, last) -> {
            Long offered = outcomes.offeredUpTo(partition);
            if (last == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offered == null ? last + 1 : Math.min(last + 1, offered));
                progress.applied(partition, last);
            }
        });
    }

    /** Seeks each assigned partition to the record after the last one the read model applied. */
    private class ResumeFromReadModel implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            try {
                rewindToReadModel(partitions);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException(); // stopping
            }
            progress.assigned(partitions);
            outcomes.projectedHere(partitions);
            assigned = true;
            LOG.infof("projecting %d partitions of %s", partitions.size(), kafka.prefix());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            progress.revoked(partitions);
            projection.forget(partitions);
            outcomes.projectedElsewhere(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            progress.revoked(partitions);
            projection.forget(partitions);
            outcomes.projectedElsewhere(partitions);
        }
    }
}
