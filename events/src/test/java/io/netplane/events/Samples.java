package io.netplane.events;

import io.netplane.events.data.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One fixed example of every event type: the golden files in src/test/resources/golden are these, encoded. */
final class Samples {
    static final String NET = "3f2a9c0e7b1d4a5f8e6c2b9a0d1e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
    static final String SBX = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    static final String EPT = "0fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321";
    static final Instant T = Instant.parse("2026-11-28T04:00:00.123456Z");

    private Samples() {
    }

    static Network network() {
        return new Network(NET, "n1", "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, "172.18.0.0/16", "172.18.0.1", null, true, false)),
                false, false, false, Map.of(), Map.of("team", "a"), null, "np-3f2a9c0e7b1d", false, T);
    }

    static Endpoint endpoint() {
        return new Endpoint(EPT, SBX, NET, "node-1", "eth0",
                List.of(new EndpointAddress(Family.ipv4, "172.18.0.2", 16, "172.18.0.1")), "02:42:ac:12:00:02",
                List.of(new PortBinding("tcp", "0.0.0.0", 18080, 80)), List.of("web"), T);
    }

    static Sandbox sandbox() {
        return new Sandbox(SBX, "c1", "node-1", "bridge", "/run/netns/np-a1b2c3d4e5f6", "a1b2c3d4e5f6", null,
                List.of("192.0.2.53"), T, List.of("example.test"), List.of("ndots:2"));
    }

    static EventData of(EventType type) {
        return switch (type) {
            case NETWORK_CREATE_REQUESTED -> new NetworkCreateRequested(NET, "n1", "bridge",
                    List.of(new IpamConfig("10.1.0.0/24", "10.1.0.128/25", "10.1.0.1", Map.of())),
                    false, true, false, Map.of("com.docker.network.driver.mtu", "1400"), Map.of("team", "a"));
            case NETWORK_REMOVE_REQUESTED -> new NetworkRemoveRequested(NET);
            case NETWORK_PRUNE_REQUESTED -> new NetworkPruneRequested(Map.of("label", List.of("team=a")));
            case SANDBOX_CREATE_REQUESTED -> new SandboxCreateRequested(SBX, "c1", "node-1", "bridge", "c1", null,
                    List.of(new EndpointRequest(NET, EPT, null, List.of("web"))),
                    List.of(new PortBinding("tcp", "0.0.0.0", 0, 80)), List.of("192.0.2.53"), List.of("example.test"),
                    List.of("ndots:2"));
            case SANDBOX_REMOVE_REQUESTED -> new SandboxRemoveRequested(SBX);
            case ENDPOINT_CONNECT_REQUESTED -> new EndpointConnectRequested(SBX, NET, EPT, "10.1.0.77", List.of("db"));
            case ENDPOINT_DISCONNECT_REQUESTED -> new EndpointDisconnectRequested(SBX, NET, true);
            case NETWORK_CREATED, NETWORK_DESIRED -> network();
            case NETWORK_REJECTED -> new Rejection("create", "n1", 403, "Pool overlaps with other one on this address space");
            case NETWORK_REMOVED -> new NetworkRemoved(NET, "n1");
            case SANDBOX_SCHEDULED, SANDBOX_DESIRED -> sandbox();
            case SANDBOX_REJECTED -> new Rejection("create", "c1", 409, "Conflict. The container name \"/c1\" is already in use");
            case SANDBOX_REMOVED -> new SandboxRemoved(SBX, "c1", "node-1");
            case ENDPOINT_ALLOCATED, ENDPOINT_DESIRED -> endpoint();
            case ENDPOINT_REJECTED -> new Rejection("connect", "c1", 403, "Address already in use");
            case ENDPOINT_RELEASED -> new EndpointReleased(EPT, SBX, NET, "node-1");
            case NETWORK_READY -> new NetworkReady(NET, "node-1", "np-3f2a9c0e7b1d", 42);
            case NETWORK_FAILED, SANDBOX_FAILED, ENDPOINT_FAILED ->
                    new Failure(NET, "node-1", "create bridge np-3f2a9c0e7b1d: File exists (EEXIST)");
            case NETWORK_CLEARED, SANDBOX_CLEARED, ENDPOINT_CLEARED -> new Cleared(NET, "node-1");
            case SANDBOX_READY -> new SandboxReady(SBX, "node-1", "/run/netns/np-a1b2c3d4e5f6");
            case ENDPOINT_READY -> new EndpointReady(EPT, SBX, NET, "node-1", "vnp0fedcba98765", "eth0", 7, 8, 8, 7,
                    "02:42:ac:12:00:02", "172.18.0.2/16");
            case NODE_JOINED -> new NodeJoined("node-1", "192.0.2.10", List.of("172.17.0.0/16"),
                    Map.of("netplane", "0.1.0", "kernel", "6.18"), "host-1",
                    List.of("bridge", "overlay", "nftables", "dns"));
            case NODE_HEARTBEAT -> new NodeHeartbeat("node-1", List.of("172.17.0.0/16"), 2, 1, 1);
            case NODE_LEFT -> new NodeLeft("node-1", "shutdown");
            case NODE_REMOVE_REQUESTED -> new NodeRemoveRequested("node-1");
            case NODE_REMOVED -> new NodeRemoved("node-1", List.of(SBX));
            case NODE_REJECTED -> new Rejection("remove", "node-1", 500, "remove node node-1: connection reset");
        };
    }

    static Envelope envelope(EventType type) {
        return new Envelope(UUID.nameUUIDFromBytes(type.wireName().getBytes()), type.wireName(), type.version(), T,
                "corr-1", "9b2e4f1c-0000-4000-8000-000000000001", "alice", new Subject("network", NET),
                type.topic() == Topic.INTENTS ? null : "node-1", of(type));
    }
}
