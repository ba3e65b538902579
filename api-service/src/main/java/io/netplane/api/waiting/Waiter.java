package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One synchronous call waiting for its outcome. It is offered every event of its correlation or of one
 * of its keys (the network id; the sandbox id and endpoint ids), in whatever order the topics deliver
 * them, and keeps what it has seen until it can decide.
 */
public abstract class Waiter {
    private final String correlationId;
    private final Set<String> keys;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Map<TopicPartition, Long> seen = new HashMap<>();

    protected Waiter(String correlationId, Set<String> keys) {
        this.correlationId = Objects.requireNonNull(correlationId);
        this.keys = Set.copyOf(keys);
    }

    public String correlationId() { return correlationId; }

    /** The ids whose events concern this call, whatever their correlation. */
    public Set<String> keys() { return keys; }

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
