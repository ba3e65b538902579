package io.netplane.api.replay;

import io.netplane.api.audit.AuditTopics;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The audited topics (intents, changes, status, nodes) read from their beginning on an assigned consumer: no
 * group, so the services' consumer groups never see it. Each {@link #readToEnd()} returns what came since the
 * last one, up to the end offsets of that moment, in log-time order across partitions (as the projection saw it).
 */
final class LogRecords implements AutoCloseable {

    /** One record: where it lies, its Kafka timestamp, its key, its value as on Kafka and decoded (null: unreadable, or an intent). */
    record Logged(Topic topic, String topicName, int partition, long offset, long timestamp, String key, String text,
                  Envelope envelope) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Topic> topics = new HashMap<>();

    LogRecords(String bootstrap, String prefix) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-api-replay",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20),
                new StringDeserializer(), new ByteArrayDeserializer());
        for (Topic topic : AuditTopics.TOPICS) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(prefix), Duration.ofSeconds(30));
            for (PartitionInfo p : partitions == null ? List.<PartitionInfo>of() : partitions) {
                topics.put(new TopicPartition(p.topic(), p.partition()), topic);
            }
        }
        consumer.assign(topics.keySet());
        consumer.seekToBeginning(topics.keySet());
    }

    boolean grew() {
        return consumer.endOffsets(topics.keySet()).entrySet().stream()
                .anyMatch(e -> e.getValue() > consumer.position(e.getKey()));
    }

    List<Logged> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(topics.keySet());
        List<Logged> records = new ArrayList<>();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition p = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= end.get(p) || r.value() == null) {
                    continue;
                }
                String text = new String(r.value(), StandardCharsets.UTF_8);
                Envelope envelope = null;
                if (topics.get(p) != Topic.INTENTS) { // the projection reads no intent; the index reads the text
                    try {
                        envelope = EventCodec.shared().decode(r.value());
                    } catch (RuntimeException e) {
                        envelope = null;
                    }
                }
                records.add(new Logged(topics.get(p), r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                        text, envelope));
            }
        }
        end.forEach(consumer::seek);
        records.sort(Comparator.comparingLong(Logged::timestamp).thenComparing(r -> r.topic().ordinal())
                .thenComparingInt(Logged::partition).thenComparingLong(Logged::offset));
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
