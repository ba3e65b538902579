package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One synchronous call waiting for its outcome. It is offered every event of its correlation or its
 * network, in whatever order the topics deliver them, and keeps what it has seen until it can decide.
 */
public abstract class Waiter {
    private final String correlationId;
    private final String networkId;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Map<TopicPartition, Long> seen = new HashMap<>();

    protected Waiter(String correlationId, String networkId) {
        this.correlationId = Objects.requireNonNull(correlationId);
        this.networkId = Objects.requireNonNull(networkId);
    }

    public String correlationId() { return correlationId; }

    public String networkId() { return networkId; }

    public CompletableFuture<Outcome> outcome() { return outcome; }

    synchronized void offer(TopicPartition partition, long offset, Envelope event) {
        if (outcome.isDone()) {
            return;
        }
        // recorded first: accept() may complete the outcome, which copies what was seen
        seen.merge(partition, offset, Math::max);
        if (accept(event)) {
            decide();
        }
    }

    /** @return true when the event concerns this call (and was taken into account). */
    protected abstract boolean accept(Envelope event);

    /** Completes the outcome when what has been seen is enough. */
    protected abstract void decide();

    protected boolean correlates(Envelope event) {
        return correlationId.equals(event.correlationId());
    }

    protected void complete(int status, String message) {
        outcome.complete(new Outcome(status, message, Map.copyOf(seen)));
    }
}
