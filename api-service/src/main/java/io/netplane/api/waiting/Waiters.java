package io.netplane.api.waiting;

import io.netplane.events.Envelope;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.data.SandboxRemoved;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The calls of this replica that wait, found by correlation id or by one of their keys (network, sandbox, endpoint id). */
@ApplicationScoped
public class Waiters {
    private final Map<String, Waiter> byCorrelation = new ConcurrentHashMap<>();
    private final Map<String, Set<Waiter>> byKey = new ConcurrentHashMap<>();

    /** Register before the intent is published, so no answer can pass unseen. */
    public void register(Waiter waiter) {
        byCorrelation.put(waiter.correlationId(), waiter);
        for (String key : waiter.keys()) {
            byKey.computeIfAbsent(key, id -> ConcurrentHashMap.newKeySet()).add(waiter);
        }
    }

    public void unregister(Waiter waiter) {
        byCorrelation.remove(waiter.correlationId(), waiter);
        for (String key : waiter.keys()) {
            byKey.computeIfPresent(key, (id, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }
    }

    public int size() {
        return byCorrelation.size();
    }

    /** {@code recordKey}: the Kafka key (changes and status of a sandbox are keyed by its id). */
    void offer(TopicPartition partition, long offset, String recordKey, Envelope event) {
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
        for (String key : keys(recordKey, event)) {
            targets.addAll(byKey.getOrDefault(key, Set.of()));
        }
        targets.forEach(w -> w.offer(partition, offset, event));
    }

    private static Set<String> keys(String recordKey, Envelope event) {
        Set<String> keys = new LinkedHashSet<>();
        if (recordKey != null) {
            keys.add(recordKey);
        }
        if (event.subject() != null && event.subject().id() != null) {
            keys.add(event.subject().id());
        }
        Object data = event.data();
        if (data instanceof Network n) {
            keys.add(n.id());
        } else if (data instanceof NetworkReady r) {
            keys.add(r.networkId());
        } else if (data instanceof NetworkRemoved r) {
            keys.add(r.networkId());
        } else if (data instanceof Failure f) {
            keys.add(f.id());
        } else if (data instanceof Cleared c) {
            keys.add(c.id());
        } else if (data instanceof Sandbox s) {
            keys.add(s.id());
        } else if (data instanceof SandboxReady r) {
            keys.add(r.sandboxId());
        } else if (data instanceof SandboxRemoved r) {
            keys.add(r.sandboxId());
        } else if (data instanceof Endpoint e) {
            keys.add(e.id());
            keys.add(e.sandboxId());
        } else if (data instanceof EndpointReady r) {
            keys.add(r.endpointId());
            keys.add(r.sandboxId());
        } else if (data instanceof EndpointReleased r) {
            keys.add(r.endpointId());
            keys.add(r.sandboxId());
        }
        keys.remove(null);
        return keys;
    }
}
