package io.netplane.events;

import io.netplane.events.data.Cleared;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.EndpointReleased;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkPruneRequested;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.NetworkRemoved;
import io.netplane.events.data.NodeHeartbeat;
import io.netplane.events.data.NodeJoined;
import io.netplane.events.data.NodeLeft;
import io.netplane.events.data.NodeRemoveRequested;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.data.SandboxRemoveRequested;
import io.netplane.events.data.SandboxRemoved;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every event netplane writes: its wire name, the topic it lives on, its current version and its record.
 *
 * <p>Version rule: readers ignore fields they do not know, so adding a field keeps the version. A change
 * that breaks old readers (a field renamed, removed or re-typed) bumps the version and keeps the old
 * record readable under its old version. A reader given a version newer than it knows reads it with
 * its newest record for that type (the extra fields are dropped).
 */
public enum EventType {
    // intents (api → ipam)
    NETWORK_CREATE_REQUESTED("network.create.requested", Topic.INTENTS, NetworkCreateRequested.class),
    NETWORK_REMOVE_REQUESTED("network.remove.requested", Topic.INTENTS, NetworkRemoveRequested.class),
    NETWORK_PRUNE_REQUESTED("network.prune.requested", Topic.INTENTS, NetworkPruneRequested.class),
    SANDBOX_CREATE_REQUESTED("sandbox.create.requested", Topic.INTENTS, SandboxCreateRequested.class),
    SANDBOX_REMOVE_REQUESTED("sandbox.remove.requested", Topic.INTENTS, SandboxRemoveRequested.class),
    ENDPOINT_CONNECT_REQUESTED("endpoint.connect.requested", Topic.INTENTS, EndpointConnectRequested.class),
    ENDPOINT_DISCONNECT_REQUESTED("endpoint.disconnect.requested", Topic.INTENTS, EndpointDisconnectRequested.class),

    // changes (ipam's facts)
    NETWORK_CREATED("network.created", Topic.CHANGES, Network.class),
    NETWORK_REJECTED("network.rejected", Topic.CHANGES, Rejection.class),
    NETWORK_REMOVED("network.removed", Topic.CHANGES, NetworkRemoved.class),
    SANDBOX_SCHEDULED("sandbox.scheduled", Topic.CHANGES, Sandbox.class),
    SANDBOX_REJECTED("sandbox.rejected", Topic.CHANGES, Rejection.class),
    SANDBOX_REMOVED("sandbox.removed", Topic.CHANGES, SandboxRemoved.class),
    ENDPOINT_ALLOCATED("endpoint.allocated", Topic.CHANGES, Endpoint.class),
    ENDPOINT_REJECTED("endpoint.rejected", Topic.CHANGES, Rejection.class),
    ENDPOINT_RELEASED("endpoint.released", Topic.CHANGES, EndpointReleased.class),

    // desired (compacted; a tombstone — null value — when the object is gone)
    NETWORK_DESIRED("network.desired", Topic.DESIRED, Network.class),
    SANDBOX_DESIRED("sandbox.desired", Topic.DESIRED, Sandbox.class),
    ENDPOINT_DESIRED("endpoint.desired", Topic.DESIRED, Endpoint.class),

    // status (agents)
    NETWORK_READY("network.ready", Topic.STATUS, NetworkReady.class),
    NETWORK_FAILED("network.failed", Topic.STATUS, Failure.class),
    NETWORK_CLEARED("network.cleared", Topic.STATUS, Cleared.class),
    SANDBOX_READY("sandbox.ready", Topic.STATUS, SandboxReady.class),
    SANDBOX_FAILED("sandbox.failed", Topic.STATUS, Failure.class),
    SANDBOX_CLEARED("sandbox.cleared", Topic.STATUS, Cleared.class),
    ENDPOINT_READY("endpoint.ready", Topic.STATUS, EndpointReady.class),
    ENDPOINT_FAILED("endpoint.failed", Topic.STATUS, Failure.class),
    ENDPOINT_CLEARED("endpoint.cleared", Topic.STATUS, Cleared.class),

    // nodes
    NODE_JOINED("node.joined", Topic.NODES, NodeJoined.class),
    NODE_HEARTBEAT("node.heartbeat", Topic.NODES, NodeHeartbeat.class),
    NODE_LEFT("node.left", Topic.NODES, NodeLeft.class),

    // node removal (api → ipam → changes), keyed by the node name; after the types above so their order stays
    NODE_REMOVE_REQUESTED("node.remove.requested", Topic.INTENTS, NodeRemoveRequested.class),
    NODE_REMOVED("node.removed", Topic.CHANGES, NodeRemoved.class),
    NODE_REJECTED("node.rejected", Topic.CHANGES, Rejection.class);

    private static final Map<String, EventType> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventType::wireName, Function.identity()));

    private final String wireName;
    private final Topic topic;
    private final int version;
    private final Class<? extends EventData> dataType;

    EventType(String wireName, Topic topic, Class<? extends EventData> dataType) {
        this(wireName, topic, 1, dataType);
    }

    EventType(String wireName, Topic topic, int version, Class<? extends EventData> dataType) {
        this.wireName = wireName;
        this.topic = topic;
        this.version = version;
        this.dataType = dataType;
    }

    public String wireName() { return wireName; }

    public Topic topic() { return topic; }

    /** The version this code writes. */
    public int version() { return version; }

    public Class<? extends EventData> dataType() { return dataType; }

    public static Optional<EventType> fromWireName(String wireName) {
        return Optional.ofNullable(BY_WIRE_NAME.get(wireName));
    }

    /**
     * The record to read {@code version} of this type with. Only version 1 exists so far; when a type
     * gets a breaking version 2, its version-1 record is returned here for {@code version == 1}.
     */
    public Class<? extends EventData> dataTypeFor(int version) {
        return dataType;
    }

    EventData check(EventData data) {
        if (data != null && !dataType.isInstance(data)) {
            throw new IllegalArgumentException(wireName + " carries " + dataType.getSimpleName() + ", not "
                    + data.getClass().getSimpleName());
        }
        return data;
    }
}
