package io.netplane.events.kafka;

import io.netplane.events.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Topics of the log read from their beginning on an assigned consumer, for the replays: no group, so the
 * services' groups and their committed offsets are never touched. Each {@link #readToEnd()} returns what was
 * added since the last one, up to the end offsets of that moment, undecoded (each replay decodes what it needs).
 */
public final class TopicLog implements AutoCloseable {
    /** One record as on Kafka, with the topic it belongs to. */
    public record Raw(Topic topic, ConsumerRecord<String, byte[]> record) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Topic> topics = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();

    public TopicLog(String bootstrap, String prefix, List<Topic> wanted, String clientId) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20),
                new StringDeserializer(), new ByteArrayDeserializer());
        for (Topic topic : wanted) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(prefix), Duration.ofSeconds(30));
            for (PartitionInfo p : partitions == null ? List.<PartitionInfo>of() : partitions) {
                topics.put(new TopicPartition(p.topic(), p.partition()), topic);
            }
        }
        consumer.assign(topics.keySet());
        consumer.seekToBeginning(topics.keySet());
        for (TopicPartition p : topics.keySet()) {
            next.put(p, consumer.position(p));
        }
    }

    /** Whether the log grew since the last read. */
    public boolean grew() {
        return consumer.endOffsets(topics.keySet()).entrySet().stream()
                .anyMatch(e -> e.getValue() > next.getOrDefault(e.getKey(), 0L));
    }

    /** The records added since the last call, up to the end offsets of now, in each partition's order. */
    public List<Raw> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(topics.keySet());
        List<Raw> records = new ArrayList<>();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition p = new TopicPartition(r.topic(), r.partition());
                if (r.offset() < end.get(p)) { // past this read's end: the next read returns it
                    records.add(new Raw(topics.get(p), r));
                }
            }
        }
        // a poll may have fetched past the end: start the next read exactly at this one's end
        end.forEach((p, offset) -> {
            consumer.seek(p, offset);
            next.put(p, offset);
        });
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
