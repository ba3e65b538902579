package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoved;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The calls of this replica that wait, found by correlation id or by network id. */
@ApplicationScoped
public class Waiters {
    private final Map<String, Waiter> byCorrelation = new ConcurrentHashMap<>();
    private final Map<String, Set<Waiter>> byNetwork = new ConcurrentHashMap<>();

    /** Register before the intent is published, so no answer can pass unseen. */
    public void register(Waiter waiter) {
        byCorrelation.put(waiter.correlationId(), waiter);
        byNetwork.computeIfAbsent(waiter.networkId(), id -> ConcurrentHashMap.newKeySet()).add(waiter);
    }

    public void unregister(Waiter waiter) {
        byCorrelation.remove(waiter.correlationId(), waiter);
        byNetwork.computeIfPresent(waiter.networkId(), (id, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    public int size() {
        return byCorrelation.size();
    }

    void offer(TopicPartition partition, long offset, Envelope event) {
        if (event == null || byCorrelation.isEmpty()) {
            return;
        }
        Set<Waiter> targets = new LinkedHashSet<>();
        if (event.correlationId() != null) {
            Waiter waiter = byCorrelation.get(event.correlationId());
            if (waiter != null) {
                targets.add(waiter);
            }
        }
        String networkId = networkId(event);
        if (networkId != null) {
            targets.addAll(byNetwork.getOrDefault(networkId, Set.of()));
        }
        targets.forEach(w -> w.offer(partition, offset, event));
    }

    private static String networkId(Envelope event) {
        Object data = event.data();
        if (data instanceof Network n) {
            return n.id();
        } else if (data instanceof NetworkReady r) {
            return r.networkId();
        } else if (data instanceof Failure f) {
            return f.id();
        } else if (data instanceof Cleared c) {
            return c.id();
        } else if (data instanceof NetworkRemoved r) {
            return r.networkId();
        }
        return event.subject() == null ? null : event.subject().id();
    }
}
