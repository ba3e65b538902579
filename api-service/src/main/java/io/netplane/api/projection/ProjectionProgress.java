package io.netplane.api.projection;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the projection has come, so that a synchronous call answers only once the read model shows
 * what it waited for (a GET right after a 201 finds the network). The projection of this replica
 * reports here; partitions another replica projects are read from the database.
 */
@ApplicationScoped
public class ProjectionProgress {
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();

    void applied(TopicPartition partition, long offset) {
        applied.merge(partition, offset, Math::max);
    }

    /** @return true when every offset is applied, false when the deadline came first. */
    public boolean awaitApplied(Map<TopicPartition, Long> offsets, Instant deadline) throws InterruptedException {
        while (true) {
            if (offsets.entrySet().stream().allMatch(e -> isApplied(e.getKey(), e.getValue()))) {
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(3);
        }
    }

    private boolean isApplied(TopicPartition partition, long offset) {
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
