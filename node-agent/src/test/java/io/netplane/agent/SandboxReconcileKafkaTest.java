package io.netplane.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.agent.dataplane.Networks;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.Envelope;
import io.netplane.events.EventData;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.EndpointReady;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxReady;
import io.netplane.events.kafka.TopicProvisioner;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent against the real broker and the real kernel, its data plane inside a throwaway "host" namespace:
 * desired sandbox and endpoint records (the endpoint first: partitions reorder) become a netns and a veth,
 * sandbox.ready and endpoint.ready carry the request's correlation id and the kernel's names and indexes, the
 * published port answers on the host's 127.0.0.1; a veth deleted by hand comes back at the next converge;
 * tombstones clear everything; the list removes this node's stale veth and namespace and nothing else.
 */
class SandboxReconcileKafkaTest {
    private static final String KAFKA = TestRequirements.kafka();
    private static final String PREFIX = "nptest-" + IpCommand.hex(4);
    private static final String NODE = "npt-sb-" + IpCommand.hex(3);
    private static final String TAG = IpCommand.hex(3);
    private static final String HOST = "npt-h-" + TAG;
    private static final int OCTET = IpCommand.random(1, 250);
    private static final String STALE_NETNS = "npt-" + TAG + "-stale";
    private static final String FOREIGN_NETNS = "npt-" + TAG + "-foreign";
    private static final String STALE_VETH = "vnp" + IpCommand.hex(6);
    private static final List<String> NAMESPACES = new ArrayList<>(List.of(HOST, STALE_NETNS, FOREIGN_NETNS));

    private static Path stateDir;
    private static Producer<String, Envelope> producer;
    private static TopicRecorder status;
    private static NodeAgent agent;

    @BeforeAll
    static void startAgent() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.requireKafka(KAFKA);
        TopicProvisioner.ensure(KAFKA, PREFIX, (short) 1);
        producer = KafkaProducers.envelopes(KAFKA, "test-" + PREFIX);
        status = new TopicRecorder(KAFKA, Topic.STATUS.name(PREFIX));
        Netns.check("ip", "netns", "add", HOST);
        Netns.check("ip", "-n", HOST, "link", "set", "lo", "up");

        // left by a previous run of this node: a recorded netns and a marked veth; and another node's netns
        stateDir = Files.createTempDirectory("netplane-agent-state");
        Netns.check("ip", "netns", "add", STALE_NETNS);
        Files.writeString(stateDir.resolve(STALE_NETNS), "node=" + NODE + "\nsandbox=" + "5a".repeat(32) + "\n");
        Netns.check("ip", "netns", "add", FOREIGN_NETNS);
        Files.writeString(stateDir.resolve(FOREIGN_NETNS), "node=" + NODE + "-other\nsandbox=x\n");
        Netns.check("ip", "-n", HOST, "link", "add", STALE_VETH, "type", "veth", "peer", "name", "pv" + TAG);
        Netns.check("ip", "-n", HOST, "link", "set", STALE_VETH, "alias", "netplane:" + NODE + ":endpoint:" + IpCommand.hex(32));

        agent = new NodeAgent(new AgentSettings(NODE, KAFKA, PREFIX, "npt0" + TAG, Duration.ofSeconds(1), "test",
                stateDir, "netplane", Optional.of(HOST), Duration.ofHours(1)));
        agent.start();
        await("agent ready").atMost(Duration.ofSeconds(60)).until(agent::isReady);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        Netns.stopServers();
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            for (String netns : NAMESPACES) {
                IpCommand.run("netns", "del", netns);
            }
            if (producer != null) {
                producer.close();
            }
            if (status != null) {
                status.close();
            }
            if (stateDir != null) {
                try (var files = Files.list(stateDir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.deleteIfExists(stateDir);
            }
        }
    }

    private static Envelope desired(EventType type, Subject subject, EventData data) {
        return Envelope.of(type, subject, data, "test").withCorrelationId("corr-" + IpCommand.hex(8));
    }

    private static void publish(String key, Envelope envelope) throws Exception {
        producer.send(new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, envelope)).get(30, TimeUnit.SECONDS);
    }

    private static void tombstone(String key, String correlationId) throws Exception {
        ProducerRecord<String, Envelope> record = new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, null);
        record.headers().add(DesiredChange.CORRELATION_HEADER, correlationId.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private static Envelope statusOf(EventType type, String subjectId) {
        return status.await(type.wireName() + " " + subjectId,
                e -> e.is(type) && e.subject() != null && subjectId.equals(e.subject().id()));
    }

    @Test
    void listRemovesOnlyThisNodesStaleVethAndNamespace() {
        assertFalse(Netns.run("ip", "-n", HOST, "link", "show", STALE_VETH).exit() == 0, "stale veth left");
        assertFalse(Files.exists(Path.of("/run/netns", STALE_NETNS)), "stale netns left");
        assertFalse(Files.exists(stateDir.resolve(STALE_NETNS)));
        assertEquals(new Cleared("5a".repeat(32), NODE), statusOf(EventType.SANDBOX_CLEARED, "5a".repeat(32)).data(Cleared.class));
        assertTrue(Files.exists(Path.of("/run/netns", FOREIGN_NETNS)), "another node's netns was deleted");
    }

    @Test
    void desiredSandboxAndEndpointBecomeANetnsAndAVethThenTombstonesClearThem() throws Exception {
        String networkId = IpCommand.hex(32);
        String sandboxId = IpCommand.hex(32);
        String endpointId = IpCommand.hex(32);
        String bridge = "np-" + networkId.substring(0, 12);
        String netns = "npt-" + TAG + "-" + sandboxId.substring(0, 6);
        NAMESPACES.add(netns);
        String subnet = "10.206." + OCTET + ".0/24";
        String gateway = "10.206." + OCTET + ".1";
        String address = "10.206." + OCTET + ".2";
        int hostPort = 18180 + IpCommand.random(0, 50);

        Endpoint endpoint = new Endpoint(endpointId, sandboxId, networkId, NODE, "eth0",
                List.of(new EndpointAddress(Family.ipv4, address, 24, gateway)), "02:42:0a:ce:" + String.format("%02x", OCTET) + ":02",
                List.of(new PortBinding("tcp", "0.0.0.0", hostPort, 80)), List.of("web"), Instant.now());
        Envelope endpointDesired = desired(EventType.ENDPOINT_DESIRED, Subject.endpoint(endpointId), endpoint);
        publish("endpoint/" + endpointId, endpointDesired); // before its sandbox and network: it waits for them
        Sandbox sandbox = new Sandbox(sandboxId, "web-1", NODE, "bridge", netns, "web-1", null, List.of(), Instant.now());
        Envelope sandboxDesired = desired(EventType.SANDBOX_DESIRED, Subject.sandbox(sandboxId), sandbox);
        publish("sandbox/" + sandboxId, sandboxDesired);
        Network network = Networks.bridge(networkId, bridge, subnet, gateway);
        publish("network/" + networkId, desired(EventType.NETWORK_DESIRED, Subject.network(networkId), network));

        Envelope sandboxReady = statusOf(EventType.SANDBOX_READY, sandboxId);
        assertEquals(sandboxDesired.correlationId(), sandboxReady.correlationId());
        assertEquals(new SandboxReady(sandboxId, NODE, netns), sandboxReady.data(SandboxReady.class));
        Envelope endpointReady = statusOf(EventType.ENDPOINT_READY, endpointId);
        assertEquals(endpointDesired.correlationId(), endpointReady.correlationId());
        assertEquals(endpointDesired.id().toString(), endpointReady.causationId());
        EndpointReady ready = endpointReady.data(EndpointReady.class);
        String host = "vnp" + endpointId.substring(0, 12);
        JsonNode hostLink = new ObjectMapper().readTree(Netns.run("ip", "-n", HOST, "-j", "link", "show", host).out()).get(0);
        JsonNode peer = new ObjectMapper().readTree(Netns.run("ip", "-n", netns, "-j", "link", "show", "eth0").out()).get(0);
        assertEquals(new EndpointReady(endpointId, sandboxId, networkId, NODE, host, "eth0", peer.path("ifindex").asInt(),
                hostLink.path("ifindex").asInt(), hostLink.path("ifindex").asInt(), peer.path("ifindex").asInt(),
                endpoint.mac(), address + "/24"), ready);
        assertEquals(bridge, hostLink.path("master").asText());
        assertTrue(Files.exists(stateDir.resolve(netns)));

        Netns.httpServer(netns, 80, "web-1");
        assertTrue(Netns.get(HOST, "127.0.0.1:" + hostPort).startsWith("web-1 "));

        // deleted by hand: the next converge rebuilds it (same names, new indexes)
        Netns.check("ip", "-n", HOST, "link", "del", host);
        agent.converge();
        assertEquals(0, Netns.run("ip", "-n", HOST, "link", "show", host).exit(), "the veth was not rebuilt");
        assertTrue(Netns.run("ip", "-n", netns, "addr", "show", "eth0").out().contains(address + "/24"));
        assertTrue(Netns.get(HOST, "127.0.0.1:" + hostPort).startsWith("web-1 "));

        tombstone("endpoint/" + endpointId, "corr-disconnect");
        Envelope endpointCleared = statusOf(EventType.ENDPOINT_CLEARED, endpointId);
        assertEquals("corr-disconnect", endpointCleared.correlationId());
        assertEquals(new Cleared(endpointId, NODE), endpointCleared.data(Cleared.class));
        // cleared = no traffic, port free; the veth's delete runs a little later on the kernel thread, batched
        await("veth deleted").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> Netns.run("ip", "-n", HOST, "link", "show", host).exit() != 0);
        assertFalse(Netns.run("ip", "netns", "exec", HOST, "nft", "list", "map", "inet", "netplane", "ports").out()
                .contains(String.valueOf(hostPort)));

        tombstone("sandbox/" + sandboxId, "corr-remove");
        assertEquals("corr-remove", statusOf(EventType.SANDBOX_CLEARED, sandboxId).correlationId());
        assertFalse(Files.exists(Path.of("/run/netns", netns)), "netns left");
        assertFalse(Files.exists(stateDir.resolve(netns)), "record left");
    }

    @Test
    void anotherNodesSandboxIsNotBuilt() throws Exception {
        String sandboxId = IpCommand.hex(32);
        String netns = "npt-" + TAG + "-" + sandboxId.substring(0, 6);
        NAMESPACES.add(netns);
        publish("sandbox/" + sandboxId, desired(EventType.SANDBOX_DESIRED, Subject.sandbox(sandboxId),
                new Sandbox(sandboxId, "elsewhere", NODE + "-other", "bridge", netns, "x", null, List.of(), Instant.now())));
        String marker = IpCommand.hex(32);
        String markerNetns = "npt-" + TAG + "-" + marker.substring(0, 6);
        NAMESPACES.add(markerNetns);
        publish("sandbox/" + marker, desired(EventType.SANDBOX_DESIRED, Subject.sandbox(marker),
                new Sandbox(marker, "mine", NODE, "bridge", markerNetns, "x", null, List.of(), Instant.now())));
        statusOf(EventType.SANDBOX_READY, marker); // records are handled in order: the other node's came first
        assertFalse(Files.exists(Path.of("/run/netns", netns)));
        assertTrue(status.find(e -> e.subject() != null && sandboxId.equals(e.subject().id())).isEmpty());
    }

    @Test
    void hostAndContainerModesShareNamespacesAndTheirRemovalLeavesThem() throws Exception {
        // container mode: the sharer's record first (partitions reorder); it waits for the namespace it shares
        String ownerId = IpCommand.hex(32);
        String sharerId = IpCommand.hex(32);
        String netns = "npt-" + TAG + "-" + ownerId.substring(0, 6);
        NAMESPACES.add(netns);
        publish("sandbox/" + sharerId, desired(EventType.SANDBOX_DESIRED, Subject.sandbox(sharerId),
                new Sandbox(sharerId, "cm1", NODE, "container", netns, "web1", ownerId, List.of(), Instant.now())));
        publish("sandbox/" + ownerId, desired(EventType.SANDBOX_DESIRED, Subject.sandbox(ownerId),
                new Sandbox(ownerId, "web1", NODE, "bridge", netns, "web1", null, List.of(), Instant.now())));
        assertEquals(new SandboxReady(ownerId, NODE, netns), statusOf(EventType.SANDBOX_READY, ownerId).data(SandboxReady.class));
        assertEquals(new SandboxReady(sharerId, NODE, netns), statusOf(EventType.SANDBOX_READY, sharerId).data(SandboxReady.class));
        assertTrue(status.find(e -> e.is(EventType.SANDBOX_FAILED) && e.subject() != null
                && sharerId.equals(e.subject().id())).isEmpty(), "the sharer failed before its owner was built");
        tombstone("sandbox/" + sharerId, "corr-rm-sharer");
        statusOf(EventType.SANDBOX_CLEARED, sharerId);
        agent.converge();
        assertTrue(Files.exists(Path.of("/run/netns", netns)), "the sharer's removal deleted its owner's namespace");

        // host mode: ipam gives no netns; the agent names the host's namespace np-<12 hex>
        String hostId = IpCommand.hex(32);
        String hostName = "np-" + hostId.substring(0, 12);
        NAMESPACES.add(hostName);
        String before = Netns.run("ip", "-n", HOST, "-br", "link").out();
        publish("sandbox/" + hostId, desired(EventType.SANDBOX_DESIRED, Subject.sandbox(hostId),
                new Sandbox(hostId, "h1", NODE, "host", null, "h1", null, List.of(), Instant.now())));
        assertEquals(new SandboxReady(hostId, NODE, hostName), statusOf(EventType.SANDBOX_READY, hostId).data(SandboxReady.class));
        assertEquals(before, Netns.run("ip", "netns", "exec", hostName, "ip", "-br", "link").out());
        agent.converge(); // a desired host-mode name is not stale
        assertTrue(Files.exists(Path.of("/run/netns", hostName)));
        tombstone("sandbox/" + hostId, "corr-rm-host");
        statusOf(EventType.SANDBOX_CLEARED, hostId);
        assertFalse(Files.exists(Path.of("/run/netns", hostName)));
        assertEquals(before, Netns.run("ip", "-n", HOST, "-br", "link").out(), "the host's interfaces were touched");

        tombstone("sandbox/" + ownerId, "corr-rm-owner");
        statusOf(EventType.SANDBOX_CLEARED, ownerId);
        assertFalse(Files.exists(Path.of("/run/netns", netns)));
    }
}
