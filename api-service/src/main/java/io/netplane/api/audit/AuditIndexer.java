package io.netplane.api.audit;

import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.messaging.TopicPartitions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Builds the audit index from the log: one group for all replicas over intents, changes, status and nodes.
 * The group only shares the partitions out; where a partition resumes is the index itself (the offset after
 * its last row), so rows and position never disagree, and emptying the table rebuilds it from the log.
 */
@ApplicationScoped
public class AuditIndexer {
    private static final Logger LOG = Logger.getLogger(AuditIndexer.class);

    @Inject
    KafkaSettings kafka;
    @Inject
    AuditIndex index;

    @ConfigProperty(name = "netplane.api.audit-group", defaultValue = "netplane-api-audit")
    String group;

    private volatile boolean assigned;
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public boolean assigned() {
        return assigned;
    }

    public void start() {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-audit",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // nobody waits on the index: under load, a fetch per 100 ms of records and one insert batch for
                // them, not one per record the others' calls produce (16 % of api's CPU at 8 callers)
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100),
                new StringDeserializer(), new ByteArrayDeserializer());
        for (var topic : AuditTopics.TOPICS) {
            TopicPartitions.await(consumer, kafka.prefix(), topic, Duration.ofSeconds(30));
        }
        running = true;
        thread = new Thread(this::run, "api-audit-index");
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
            consumer.subscribe(AuditTopics.TOPICS.stream().map(kafka::topic).toList(), new ResumeFromIndex());
            boolean reposition = false;
            while (running) {
                try {
                    if (reposition) {
                        // after a failed batch, read on only from where the index stands: no gap, ever
                        resume(consumer.assignment());
                        reposition = false;
                    }
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    if (!records.isEmpty() && !store(records)) {
                        reposition = true;
                        Thread.sleep(1000);
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // PostgreSQL away while a partition was assigned or resumed: try again, never stop indexing
                    LOG.warnf("the audit indexer waits for PostgreSQL: %s", e.getMessage());
                    reposition = true;
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the audit indexer stopped", e);
        } finally {
            assigned = false;
            consumer.close();
        }
    }

    private boolean store(ConsumerRecords<String, byte[]> records) {
        List<LoggedEvent> events = new ArrayList<>();
        List<IndexEntry> entries = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                continue;
            }
            String envelope = new String(r.value(), StandardCharsets.UTF_8);
            try {
                entries.add(IndexEntry.of(envelope));
            } catch (RuntimeException e) {
                LOG.errorf("unreadable record %s-%d@%d left out of the audit index: %s", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
                continue;
            }
            events.add(new LoggedEvent(r.topic(), r.partition(), r.offset(), AuditTopics.rank(kafka.prefix(), r.topic()),
                    r.timestamp(), envelope));
        }
        if (events.isEmpty()) {
            return true;
        }
        try {
            index.insert(events, entries);
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("indexing %d events failed, reading them again: %s", events.size(), e.getMessage());
            return false;
        }
    }

    private void resume(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            long next = index.nextOffset(partition.topic(), partition.partition());
            if (next < 0) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, next);
            }
        }
    }

    private class ResumeFromIndex implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            resume(partitions);
            assigned = true;
            LOG.infof("indexing %d partitions of %s for the audit", partitions.size(), kafka.prefix());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }
    }
}
