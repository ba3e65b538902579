package io.netplane.api.readmodel;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which nodes a change must be ready on: those that joined or beat within the window (three heartbeats
 * by default), and have not left since.
 */
@ApplicationScoped
public class NodeLiveness {
    public static final String READY = "ready";
    public static final String UNREACHABLE = "unreachable";
    public static final String LEFT = "left";

    @ConfigProperty(name = "netplane.api.node-ready-window", defaultValue = "15s")
    Duration window;

    @Transactional
    public Set<String> readyNodes() {
        Set<String> names = new TreeSet<>();
        NodeEntry.<NodeEntry>list("lastSeen > ?1", Instant.now().minus(window)).stream()
                .filter(n -> !n.hasLeft())
                .forEach(n -> names.add(n.name));
        return names;
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
        if (node.hasLeft()) {
            return LEFT;
        }
        return node.lastSeen.isAfter(Instant.now().minus(window)) ? READY : UNREACHABLE;
    }
}
