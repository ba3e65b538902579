package io.netplane.agent.dataplane;

import java.util.Optional;

/**
 * The mark an agent puts on every link it creates, in the interface alias (IFLA_IFALIAS):
 * {@code netplane:<node>:<kind>:<id>}. Reconciliation deletes only links carrying its own node's mark.
 */
public record OwnershipMark(String node, String kind, String id) {
    static final String PREFIX = "netplane:";
    public static final String NETWORK = "network";
    public static final String ENDPOINT = "endpoint";

    public OwnershipMark {
        if (node.isEmpty() || node.contains(":")) {
            throw new IllegalArgumentException("node name must be non-empty and without ':': " + node);
        }
    }

    public static OwnershipMark network(String node, String networkId) {
        return new OwnershipMark(node, NETWORK, networkId);
    }

    public static OwnershipMark endpoint(String node, String endpointId) {
        return new OwnershipMark(node, ENDPOINT, endpointId);
    }

    /** The mark in an alias, if the alias is one. */
    public static Optional<OwnershipMark> parse(String alias) {
        if (alias == null || !alias.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = alias.substring(PREFIX.length()).split(":", 3);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new OwnershipMark(parts[0], parts[1], parts[2]));
    }

    /** True when {@code alias} is netplane's mark of {@code node}; the check reconciliation relies on. */
    public static boolean isOwnedBy(String alias, String node) {
        return alias != null && alias.startsWith(PREFIX + node + ":");
    }

    public static boolean isNetplane(String alias) {
        return parse(alias).isPresent();
    }

    public String alias() {
        return PREFIX + node + ":" + kind + ":" + id;
    }

    @Override
    public String toString() {
        return alias();
    }
}
