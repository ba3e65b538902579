package io.netplane.api.audit;

import java.util.Comparator;

/**
 * One record of the log as the audit answers it: where it is (topic, partition, offset), when Kafka stamped
 * it, and its value as on Kafka (the envelope JSON, untouched).
 */
public record LoggedEvent(String topic, int partition, long offset, int rank, long logTime, String envelope) {

    /** The order of every audit answer: log time, then intents before changes before status before nodes. */
    public static final Comparator<LoggedEvent> ORDER = Comparator.comparingLong(LoggedEvent::logTime)
            .thenComparingInt(LoggedEvent::rank).thenComparingInt(LoggedEvent::partition)
            .thenComparingLong(LoggedEvent::offset);
}
