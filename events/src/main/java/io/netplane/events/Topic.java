package io.netplane.events;

import java.util.Map;

/**
 * The topics of DESIGN.md. The full name is {@code <prefix>.<suffix>}: {@code netplane.intents} for a
 * stack started with {@code up}, another prefix for tests, so they never meet.
 */
public enum Topic {
    INTENTS("intents", 6, Map.of("retention.ms", "-1")),
    CHANGES("changes", 6, Map.of("retention.ms", "-1")),
    DESIRED("desired", 6, Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "0.1",
            "segment.ms", "3600000", "delete.retention.ms", "86400000")),
    STATUS("status", 6, Map.of("retention.ms", "-1")),
    NODES("nodes", 1, Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000)));

    public static final String DEFAULT_PREFIX = "netplane";

    private final String suffix;
    private final int partitions;
    private final Map<String, String> config;

    Topic(String suffix, int partitions, Map<String, String> config) {
        this.suffix = suffix;
        this.partitions = partitions;
        this.config = config;
    }

    public String name(String prefix) {
        return prefix + "." + suffix;
    }

    public String suffix() { return suffix; }

    public int partitions() { return partitions; }

    /** Topic-level configuration: retention, compaction. */
    public Map<String, String> config() { return config; }
}
