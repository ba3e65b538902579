package io.netplane.api.waiting;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * How a waited-for operation ended: the HTTP status and, for a failure, the message. {@code seen} holds the
 * records that decided it, so the caller can wait until the read model shows them too.
 */
public record Outcome(int status, String message, Map<TopicPartition, Long> seen) {
    public boolean succeeded() {
        return status < 300;
    }
}
