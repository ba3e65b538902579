package io.netplane.api.projection;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the projection has come, so that a synchronous call answers only once the read model shows
 * what it waited for (a GET right after a 201 finds the network). The projection of this replica
 * reports here; partitions another replica projects are read from the database.
 */
@ApplicationScoped
public class ProjectionProgress {
    /** How often a waiter reads the stored offsets, for partitions another replica projects. */
    private static final long STORED_EVERY_MS = 20;
    /** Sandboxes with marks kept before the applied ones are forgotten. */
    private static final int FORGET_ABOVE = 256;

    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    /** The partitions this replica's projection holds: for those, {@link #applied} is the truth, no query needed. */
    private final Set<TopicPartition> projectedHere = ConcurrentHashMap.newKeySet();
    private final Object advanced = new Object();
    /**
     * The records calls of this replica were answered on before the projection had them (the answer needed
     * nothing from the read model): every request waits for these first ({@link #awaitAnswered}).
     */
    private final Map<TopicPartition, Long> answeredAhead = new ConcurrentHashMap<>();
    /** The same marks per sandbox: a connect or disconnect needs only its own sandbox's earlier answers projected. */
    private final Map<String, Map<TopicPartition, Long>> answeredAheadOn = new ConcurrentHashMap<>();

    void assigned(Collection<TopicPartition> partitions) {
        projectedHere.addAll(partitions);
    }

    void revoked(Collection<TopicPartition> partitions) {
        projectedHere.removeAll(partitions);
    }

    void applied(TopicPartition partition, long offset) {
        applied.merge(partition, offset, Math::max);
        synchronized (advanced) {
            advanced.notifyAll();
        }
    }

    /**
     * Woken by this replica's projection as it applies records (no polling: under load, 8 callers that each
     * read the database every few ms cost more than the projection itself); reads the stored offsets, every
     * {@value #STORED_EVERY_MS} ms, only for partitions another replica projects.
     *
     * @return true when every offset is applied, false when the deadline came first.
     */
    public boolean awaitApplied(Map<TopicPartition, Long> offsets, Instant deadline) throws InterruptedException {
        long nextStored = System.nanoTime() + STORED_EVERY_MS * 1_000_000;
        while (true) {
            if (allAppliedHere(offsets)) {
                return true;
            }
            if (System.nanoTime() - nextStored >= 0 && !projectedHere.containsAll(offsets.keySet())) {
                if (offsets.entrySet().stream().allMatch(e -> isStored(e.getKey(), e.getValue()))) {
                    return true;
                }
                nextStored = System.nanoTime() + STORED_EVERY_MS * 1_000_000;
            }
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                return false;
            }
            synchronized (advanced) {
                if (!allAppliedHere(offsets)) { // checked under the lock: a notify cannot slip in between
                    advanced.wait(Math.max(1, Math.min(left, STORED_EVERY_MS)));
                }
            }
        }
    }

    /** A call was answered on {@code seen} without waiting for the projection: later requests wait for it instead. */
    public void answeredAhead(Map<TopicPartition, Long> seen) {
        seen.forEach((partition, offset) -> answeredAhead.merge(partition, offset, Math::max));
    }

    /** As {@link #answeredAhead(Map)}, for a call on one sandbox: also marked for {@link #awaitAnswered(String, Instant)}. */
    public void answeredAhead(String sandboxId, Map<TopicPartition, Long> seen) {
        answeredAhead(seen);
        answeredAheadOn.compute(sandboxId, (id, marks) -> {
            Map<TopicPartition, Long> merged = new HashMap<>(marks == null ? Map.of() : marks);
            seen.forEach((partition, offset) -> merged.merge(partition, offset, Math::max));
            return Map.copyOf(merged);
        });
        if (answeredAheadOn.size() > FORGET_ABOVE) {
            answeredAheadOn.values().removeIf(this::allAppliedHere); // per entry, only if not replaced meanwhile
        }
    }

    /**
     * Read-your-writes for answers given ahead of the projection: returns once the read model shows every record
     * a call of this replica was answered on (at once when it does, the usual case), false at the deadline.
     */
    public boolean awaitAnswered(Instant deadline) throws InterruptedException {
        if (answeredAhead.isEmpty() || allAppliedHere(answeredAhead)) {
            return true;
        }
        return awaitApplied(Map.copyOf(answeredAhead), deadline);
    }

    /**
     * As {@link #awaitAnswered(Instant)}, for a request that reads only what calls on this sandbox changed (a
     * connect or disconnect): under load it need not wait for the projection of every other caller's answer.
     */
    public boolean awaitAnswered(String sandboxId, Instant deadline) throws InterruptedException {
        Map<TopicPartition, Long> marks = answeredAheadOn.get(sandboxId);
        if (marks == null) {
            return true;
        }
        if (allAppliedHere(marks) || awaitApplied(marks, deadline)) {
            answeredAheadOn.remove(sandboxId, marks);
            return true;
        }
        return false;
    }

    private boolean allAppliedHere(Map<TopicPartition, Long> offsets) {
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            Long local = applied.get(e.getKey());
            if (local == null || local < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private boolean isStored(TopicPartition partition, long offset) {
        Long local = applied.get(partition);
        if (local != null && local >= offset) {
            return true;
        }
        Long stored = QuarkusTransaction.requiringNew().call(() -> {
            ProjectionOffset row = ProjectionOffset.findById(new ProjectionOffset.Key(partition.topic(), partition.partition()));
            return row == null ? null : row.lastOffset;
        });
        if (stored != null) {
            applied(partition, stored);
        }
        return stored != null && stored >= offset;
    }
}
