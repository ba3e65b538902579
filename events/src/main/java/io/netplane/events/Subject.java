package io.netplane.events;

/** What an event is about: {@code {kind: "network", id: "<64 hex>"}}. */
public record Subject(String kind, String id) {
    public static Subject network(String id) { return new Subject("network", id); }
    public static Subject sandbox(String id) { return new Subject("sandbox", id); }
    public static Subject endpoint(String id) { return new Subject("endpoint", id); }
    public static Subject node(String name) { return new Subject("node", name); }
}
