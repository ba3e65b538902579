package io.netplane.api.readmodel;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which nodes a change must be ready on: those that joined or beat within the window, and have not left or
 * been removed since. The window is the agents' heartbeat interval times the heartbeats a node may miss
 * (5 s × 3 = 15 s by default); {@code netplane.api.node-ready-window}, when set, overrides it.
 */
@ApplicationScoped
public class NodeLiveness {
    public static final String READY = "ready";
    public static final String UNREACHABLE = "unreachable";
    public static final String LEFT = "left";
    public static final String REMOVED = "removed";
    private static final long FRESH_MS = 200;

    @ConfigProperty(name = "netplane.api.node-heartbeat-interval", defaultValue = "5s")
    Duration heartbeatInterval;
    @ConfigProperty(name = "netplane.api.node-missed-heartbeats", defaultValue = "3")
    int missedHeartbeats;
    @ConfigProperty(name = "netplane.api.node-ready-window")
    Optional<Duration> readyWindow;

    private volatile Ready ready;

    /** How long a node stays ready after its last event. */
    public Duration window() {
        return readyWindow.orElseGet(() -> heartbeatInterval.multipliedBy(Math.max(1, missedHeartbeats)));
    }

    /**
     * Read at most every {@value #FRESH_MS} ms (every waiting disconnect asks on each record the outcome watcher
     * sees), and again at once after this replica projected a node event ({@link #nodeChanged}); the window it
     * applies is seconds long.
     */
    public Set<String> readyNodes() {
        Ready known = ready;
        long now = System.nanoTime();
        if (known != null && now - known.readAt() < FRESH_MS * 1_000_000) {
            return known.nodes();
        }
        TreeSet<String> names = new TreeSet<>();
        QuarkusTransaction.joiningExisting().run(() -> NodeEntry.<NodeEntry>list("lastSeen > ?1",
                        Instant.now().minus(window())).stream()
                .filter(n -> !n.hasLeft() && !n.isRemoved())
                .forEach(n -> names.add(n.name)));
        Set<String> nodes = Collections.unmodifiableSortedSet(names);
        ready = new Ready(now, nodes);
        return nodes;
    }

    /** A node joined, beat, left or was removed: the next {@link #readyNodes} reads the nodes again. */
    public void nodeChanged() {
        ready = null;
    }

    private record Ready(long readAt, Set<String> nodes) {
    }

    /** The state of the node called {@code name}, if it ever joined. */
    @Transactional
    public Optional<String> state(String name) {
        NodeEntry node = NodeEntry.findById(name);
        return node == null ? Optional.empty() : Optional.of(state(node));
    }

    /** The host name the node reported when it joined, or its node name when it reported none. */
    @Transactional
    public String hostname(String name) {
        NodeEntry node = NodeEntry.findById(name);
        return node == null || node.hostname == null || node.hostname.isBlank() ? name : node.hostname;
    }

    public String state(NodeEntry node) {
        if (node.isRemoved()) {
            return REMOVED;
        }
        if (node.hasLeft()) {
            return LEFT;
        }
        return node.lastSeen.isAfter(Instant.now().minus(window())) ? READY : UNREACHABLE;
    }

    /**
     * Where a new sandbox goes when the caller names no node: the ready node running the fewest live sandboxes
     * (ties by name, so the choice is stable). Empty when no node is ready.
     */
    @Transactional
    public Optional<String> leastBusy(Set<String> ready) {
        if (ready.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> counts = new java.util.HashMap<>();
        List<Object[]> rows = SandboxEntry.getEntityManager().createQuery(
                "select s.node, count(s) from SandboxEntry s where s.removed is null and s.node in ?1 group by s.node",
                Object[].class).setParameter(1, ready).getResultList();
        rows.forEach(r -> counts.put((String) r[0], (Long) r[1]));
        return ready.stream().min(Comparator.<String>comparingLong(n -> counts.getOrDefault(n, 0L))
                .thenComparing(Comparator.naturalOrder()));
    }
}
