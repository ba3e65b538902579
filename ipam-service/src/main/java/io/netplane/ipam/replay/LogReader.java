package io.netplane.ipam.replay;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventFormatException;
import io.netplane.events.Topic;
import io.netplane.events.kafka.TopicLog;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * ipam's reading of the log ({@link TopicLog}): each {@link #readToEnd()} returns what was added since the last
 * one, decoded, in the order the facts were decided (see readToEnd).
 */
public final class LogReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LogReader.class);

    private final TopicLog log;

    public LogReader(String bootstrap, String prefix, List<Topic> wanted) {
        log = new TopicLog(bootstrap, prefix, wanted, "netplane-replay");
    }

    /** Whether the log grew since the last read. */
    public boolean grew() {
        return log.grew();
    }

    /** The records added since the last call, up to the end offsets of now, in timestamp order. */
    public List<LoggedRecord> readToEnd() {
        List<LoggedRecord> records = new ArrayList<>();
        for (TopicLog.Raw raw : log.readToEnd()) {
            ConsumerRecord<String, byte[]> r = raw.record();
            // of the intents only a sandbox create asking for an ephemeral port matters (ChangeApplier): the
            // others are not decoded at all, half of the log's JSON
            if (raw.topic() == Topic.INTENTS && !contains(r.value(), EPHEMERAL_ASKED)) {
                continue;
            }
            Envelope value = decode(r);
            if (value != null) {
                records.add(new LoggedRecord(raw.topic(), r.topic(), r.partition(), r.offset(), r.timestamp(),
                        r.key(), value));
            }
        }
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
        log.close();
    }
}
