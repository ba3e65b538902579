package io.netplane.api.replay;

import io.netplane.api.audit.AuditTopics;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.Topic;
import io.netplane.events.kafka.TopicLog;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The audited topics (intents, changes, status, nodes) as api's replay reads them ({@link TopicLog}): each
 * {@link #readToEnd()} returns what came since the last one, in log-time order across partitions (as the
 * projection saw it).
 */
final class LogRecords implements AutoCloseable {

    /** One record: where it lies, its Kafka timestamp, its key, its value as on Kafka and decoded (null: unreadable, or an intent). */
    record Logged(Topic topic, String topicName, int partition, long offset, long timestamp, String key, String text,
                  Envelope envelope) {
    }

    private final TopicLog log;

    LogRecords(String bootstrap, String prefix) {
        log = new TopicLog(bootstrap, prefix, AuditTopics.TOPICS, "netplane-api-replay");
    }

    boolean grew() {
        return log.grew();
    }

    List<Logged> readToEnd() {
        List<Logged> records = new ArrayList<>();
        for (TopicLog.Raw raw : log.readToEnd()) {
            ConsumerRecord<String, byte[]> r = raw.record();
            if (r.value() == null) {
                continue;
            }
            String text = new String(r.value(), StandardCharsets.UTF_8);
            Envelope envelope = null;
            if (raw.topic() != Topic.INTENTS) { // the projection reads no intent; the index reads the text
                try {
                    envelope = EventCodec.shared().decode(r.value());
                } catch (RuntimeException e) {
                    envelope = null;
                }
            }
            records.add(new Logged(raw.topic(), r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                    text, envelope));
        }
        records.sort(Comparator.comparingLong(Logged::timestamp).thenComparing(r -> r.topic().ordinal())
                .thenComparingInt(Logged::partition).thenComparingLong(Logged::offset));
        return records;
    }

    @Override
    public void close() {
        log.close();
    }
}
