package io.netplane.api.waiting;

import io.netplane.api.messaging.KafkaSettings;
import io.netplane.api.messaging.TopicPartitions;
import io.netplane.api.stream.EventFeed;
import io.netplane.events.Envelope;
import io.netplane.events.Topic;
import io.netplane.events.kafka.EnvelopeDeserializer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * This replica's own reader of changes and status: no group, every partition, from the end. Whichever
 * replica projects a partition, the replica holding a waiting call sees its outcome here.
 */
@ApplicationScoped
public class OutcomeWatcher {
    private static final Logger LOG = Logger.getLogger(OutcomeWatcher.class);

    @Inject
    KafkaSettings kafka;
    @Inject
    Waiters waiters;
    @Inject
    EventFeed feed;

    private volatile boolean assigned;
    private volatile boolean running;
    private KafkaConsumer<String, Envelope> consumer;
    private Thread thread;

    public boolean assigned() {
        return assigned;
    }

    /** Returns once every partition is positioned at its end: from then on no answer is missed. */
    public void start() {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-outcomes",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new EnvelopeDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic topic : List.of(Topic.CHANGES, Topic.STATUS)) {
            partitions.addAll(TopicPartitions.await(consumer, kafka.prefix(), topic, Duration.ofSeconds(30)));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30))); // seekToEnd is lazy
        assigned = true;
        running = true;
        thread = new Thread(this::run, "api-outcomes");
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

    private Iterable<ConsumerRecord<String, Envelope>> poll() {
        try {
            return consumer.poll(Duration.ofMillis(500));
        } catch (RecordDeserializationException e) {
            LOG.errorf("unreadable record %s@%d skipped: %s", e.topicPartition(), e.offset(), e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return List.of();
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, Envelope> record : poll()) {
                    try {
                        waiters.offer(new TopicPartition(record.topic(), record.partition()), record.offset(), record.key(),
                                record.value());
                        feed.offer(record.value()); // the live updates (/api/v1/events/stream) of this replica
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "cannot match %s-%d@%d to a waiting call", record.topic(),
                                record.partition(), record.offset());
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (RuntimeException e) {
            LOG.error("the outcome watcher stopped: synchronous calls will time out", e);
        } finally {
            assigned = false;
            consumer.close();
        }
    }
}
