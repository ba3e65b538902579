package io.netplane.ipam.replay;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventFormatException;
import io.netplane.events.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads topics of the log from their beginning on an assigned consumer (no group: the services' groups and
 * their committed offsets are never touched). Each {@link #readToEnd()} returns what was added since the last
 * one, up to the end offsets of that moment, in the order the facts were decided (see readToEnd).
 */
public final class LogReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LogReader.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Topic> topics = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();

    public LogReader(String bootstrap, String prefix, List<Topic> wanted) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "netplane-replay",
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

    /** The records added since the last call, up to the end offsets of now, in timestamp order. */
    public List<LoggedRecord> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(topics.keySet());
        List<LoggedRecord> records = new ArrayList<>();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition p = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= end.get(p)) {
                    continue; // past this read's end: the next read returns it
                }
                // of the intents only a sandbox create asking for an ephemeral port matters (ChangeApplier): the
                // others are not decoded at all, half of the log's JSON
                if (topics.get(p) == Topic.INTENTS && !contains(r.value(), EPHEMERAL_ASKED)) {
                    continue;
                }
                Envelope value = decode(r);
                if (value != null) {
                    records.add(new LoggedRecord(topics.get(p), r.topic(), r.partition(), r.offset(), r.timestamp(),
                            r.key(), value));
                }
            }
        }
        // a poll may have fetched past the end: start the next read exactly at this one's end
        end.forEach((p, offset) -> {
            consumer.seek(p, offset);
            next.put(p, offset);
        });
        // the envelope's time first: ipam stamps each fact when it decides it (µs), so facts of one poll batch keep
        // the order they were decided in, which the next-fit cursor depends on; Kafka's timestamp (ms, taken when
        // the relay sent it) often ties within a batch and can invert between replicas
        records.sort(Comparator.comparing((LoggedRecord r) -> r.value().time())
                .thenComparingLong(LoggedRecord::timestamp)
                .thenComparing(r -> r.topic().ordinal())
                .thenComparingInt(LoggedRecord::partition)
                .thenComparingLong(LoggedRecord::offset));
        return records;
    }

    private static final byte[] EPHEMERAL_ASKED = "\"hostPort\":0".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static boolean contains(byte[] value, byte[] part) {
        if (value == null) {
            return false;
        }
        outer:
        for (int i = 0; i <= value.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (value[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Envelope decode(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return EventCodec.shared().decode(r.value());
        } catch (EventFormatException e) {
            LOG.warnf("skipping %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
