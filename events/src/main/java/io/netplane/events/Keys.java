package io.netplane.events;

/**
 * Record keys. Intents, changes and status are keyed by the network or sandbox id (node removal: by the node
 * name); desired by kind/id.
 */
public final class Keys {
    private Keys() {
    }

    public static String desiredNetwork(String networkId) { return "network/" + networkId; }

    public static String desiredSandbox(String sandboxId) { return "sandbox/" + sandboxId; }

    public static String desiredEndpoint(String endpointId) { return "endpoint/" + endpointId; }

    /** The kind part of a desired key ({@code network}, {@code sandbox}, {@code endpoint}). */
    public static String desiredKind(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }

    /** The id part of a desired key. */
    public static String desiredId(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }
}
