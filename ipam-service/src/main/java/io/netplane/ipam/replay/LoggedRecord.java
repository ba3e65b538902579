package io.netplane.ipam.replay;

import io.netplane.events.Envelope;
import io.netplane.events.Topic;

/** One record of the log as a replay reads it: where it lies, when Kafka stamped it, its envelope. */
public record LoggedRecord(Topic topic, String topicName, int partition, long offset, long timestamp, String key,
                           Envelope value) {
}
