package io.netplane.agent.reconcile;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventFormatException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * List, then watch, the compacted {@code desired} topic, as a Kubernetes informer does: at start it reads
 * every partition from the beginning up to the end offsets seen at start (no consumer group: every agent
 * reads all of it, every time), keeps the latest record per key, hands that snapshot over once, then
 * follows the topic and hands over each new record. Its cost is bounded by the live objects, not history.
 */
public final class DesiredInformer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DesiredInformer.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final String topic;
    private final String clientId;
    private final DesiredListener listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Throwable failure;

    public DesiredInformer(String bootstrapServers, String topic, String clientId, DesiredListener listener) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.clientId = clientId;
        this.listener = listener;
        this.thread = new Thread(this::run, "netplane-informer");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    /** Why the informer stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = kafka;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = partitions(kafka);
            kafka.assign(partitions);
            kafka.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = kafka.endOffsets(partitions);
            listener.listed(list(kafka, end));
            while (running) {
                for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL)) {
                    DesiredChange change = decode(record);
                    if (change != null) {
                        listener.changed(change);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            LOG.errorf(e, "the informer of %s stopped", topic);
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> kafka) {
        while (running) {
            List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.warnf("topic %s has no partitions yet; waiting", topic);
            sleep();
        }
        throw new WakeupException();
    }

    private Map<String, DesiredChange> list(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, Long> end) {
        Map<String, DesiredChange> latest = new LinkedHashMap<>();
        while (running && !reached(kafka, end)) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL)) {
                DesiredChange change = decode(record);
                if (change == null) {
                    continue;
                }
                latest.remove(change.key()); // so the map keeps the order of the latest writes
                if (!change.isTombstone()) {
                    latest.put(change.key(), change);
                }
            }
        }
        LOG.infof("listed %d desired records from %s", latest.size(), topic);
        return latest;
    }

    private static boolean reached(KafkaConsumer<String, byte[]> kafka, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> kafka.position(e.getKey()) >= e.getValue());
    }

    private DesiredChange decode(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warnf("skipping a desired record without key at %s-%d@%d", record.topic(), record.partition(), record.offset());
            return null;
        }
        Header header = record.headers().lastHeader(DesiredChange.CORRELATION_HEADER);
        String correlationId = header == null || header.value() == null ? null
                : new String(header.value(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            return new DesiredChange(record.key(), null, correlationId);
        }
        try {
            Envelope envelope = EventCodec.shared().decode(record.value());
            return new DesiredChange(record.key(), envelope, envelope.correlationId());
        } catch (EventFormatException e) {
            LOG.errorf("skipping desired record %s at %s-%d@%d: %s", record.key(), record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> kafka = consumer;
        if (kafka != null) {
            kafka.wakeup();
        }
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
