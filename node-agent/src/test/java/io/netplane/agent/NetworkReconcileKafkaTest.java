package io.netplane.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.agent.dataplane.Networks;
import io.netplane.agent.kernel.Uname;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Keys;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Cleared;
import io.netplane.events.data.Failure;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkReady;
import io.netplane.events.data.NodeJoined;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent against the real broker and the real kernel: list at start (build what is desired, delete
 * what this node marked and is no longer desired, leave other nodes' and unmarked links alone), then watch
 * (a desired record becomes a bridge and network.ready with the caller's correlation id; a tombstone removes
 * it and says network.cleared; an unmarked link in the way gives network.failed and stays untouched).
 */
class NetworkReconcileKafkaTest {
    private static final String KAFKA = TestRequirements.kafka();
    private static final String PREFIX = "nptest-" + IpCommand.hex(4);
    private static final String NODE = "npt-node-" + IpCommand.hex(3);
    private static final String DEFAULT_BRIDGE = "npt" + IpCommand.hex(4);
    private static final List<String> LINKS = new ArrayList<>(List.of(DEFAULT_BRIDGE));

    private static final String STALE_ID = IpCommand.hex(32);
    private static final String STALE_LINK = link();
    private static final String OTHER_NODE_LINK = link();
    private static final String OTHER_NODE_MARK = "netplane:" + NODE + "-other:network:" + IpCommand.hex(32);
    private static final String TOMBSTONED_ID = IpCommand.hex(32);
    private static final String TOMBSTONED_LINK = link();
    private static final String PREDEFINED_ID = IpCommand.hex(32);
    private static final int PREDEFINED_OCTET = IpCommand.random(1, 250);

    private static Producer<String, Envelope> producer;
    private static TopicRecorder status;
    private static TopicRecorder nodes;
    private static NodeAgent agent;
    private static Envelope predefinedDesired;

    private static String link() {
        String name = "npt" + IpCommand.hex(4);
        LINKS.add(name);
        return name;
    }

    @BeforeAll
    static void startAgent() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.requireKafka(KAFKA);
        TopicProvisioner.ensure(KAFKA, PREFIX, (short) 1);
        producer = KafkaProducers.envelopes(KAFKA, "test-" + PREFIX);
        status = new TopicRecorder(KAFKA, Topic.STATUS.name(PREFIX));
        nodes = new TopicRecorder(KAFKA, Topic.NODES.name(PREFIX));

        // what a previous run of this node left behind, and what belongs to someone else
        IpCommand.check("link", "add", STALE_LINK, "type", "bridge");
        IpCommand.check("link", "set", STALE_LINK, "alias", "netplane:" + NODE + ":network:" + STALE_ID);
        IpCommand.check("link", "add", OTHER_NODE_LINK, "type", "bridge");
        IpCommand.check("link", "set", OTHER_NODE_LINK, "alias", OTHER_NODE_MARK);

        // desired, then removed, before the agent starts: the list keeps only the latest record per key
        IpCommand.check("link", "add", TOMBSTONED_LINK, "type", "bridge");
        IpCommand.check("link", "set", TOMBSTONED_LINK, "alias", "netplane:" + NODE + ":network:" + TOMBSTONED_ID);
        publish(TOMBSTONED_ID, desired(Networks.bridge(TOMBSTONED_ID, TOMBSTONED_LINK, "10.216.1.0/24", "10.216.1.1")));
        publishTombstone(TOMBSTONED_ID, "corr-gone");

        // desired before the agent starts: found by the list, not the watch
        Network predefined = Networks.predefinedBridge(PREDEFINED_ID);
        predefined = new Network(predefined.id(), predefined.name(), predefined.driver(), predefined.scope(),
                Networks.bridge(PREDEFINED_ID, "unused", "10.215." + PREDEFINED_OCTET + ".0/24",
                        "10.215." + PREDEFINED_OCTET + ".1").subnets(),
                false, false, false, predefined.options(), predefined.labels(), null, "np0", true, predefined.created());
        predefinedDesired = desired(predefined);
        publish(predefined.id(), predefinedDesired);

        agent = new NodeAgent(new AgentSettings(NODE, KAFKA, PREFIX, DEFAULT_BRIDGE, Duration.ofSeconds(1), "test"));
        agent.start();
        await("agent ready").atMost(Duration.ofSeconds(60)).until(agent::isReady);
    }

    @AfterAll
    static void stopAgent() throws Exception {
        try {
            if (agent != null) {
                agent.close();
                nodes.await("node.left", e -> e.is(EventType.NODE_LEFT) && NODE.equals(e.node()));
            }
        } finally {
            LINKS.forEach(IpCommand::deleteQuietly);
            if (producer != null) {
                producer.close();
            }
            if (status != null) {
                status.close();
            }
            if (nodes != null) {
                nodes.close();
            }
        }
    }

    private static Envelope desired(Network network) {
        return Envelope.of(EventType.NETWORK_DESIRED, Subject.network(network.id()), network, "test")
                .withCorrelationId("corr-" + IpCommand.hex(8));
    }

    private static void publish(String networkId, Envelope envelope) throws Exception {
        producer.send(new ProducerRecord<>(Topic.DESIRED.name(PREFIX), Keys.desiredNetwork(networkId), envelope))
                .get(30, TimeUnit.SECONDS);
    }

    private static void publishTombstone(String networkId, String correlationId) throws Exception {
        ProducerRecord<String, Envelope> tombstone = new ProducerRecord<>(Topic.DESIRED.name(PREFIX),
                Keys.desiredNetwork(networkId), null);
        tombstone.headers().add(DesiredChange.CORRELATION_HEADER, correlationId.getBytes(StandardCharsets.UTF_8));
        producer.send(tombstone).get(30, TimeUnit.SECONDS);
    }

    private static Envelope statusOf(EventType type, String networkId) {
        return status.await(type.wireName() + " " + networkId,
                e -> e.is(type) && e.subject() != null && networkId.equals(e.subject().id()));
    }

    @Test
    void joinedWithTheHostsFacts() throws Exception {
        Envelope joined = nodes.await("node.joined", e -> e.is(EventType.NODE_JOINED) && NODE.equals(e.node()));
        NodeJoined data = joined.data(NodeJoined.class);
        assertEquals(NODE, data.node());
        assertEquals(Uname.read().release(), data.versions().get("kernel"));
        assertEquals("test", data.versions().get("netplane"));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), data.hostname());
        // this agent builds bridges, has no embedded DNS switched on
        assertTrue(data.capabilities().contains("bridge"), data.capabilities().toString());
        assertFalse(data.capabilities().contains("dns"), data.capabilities().toString());
        assertTrue(data.routedSubnets().stream().noneMatch(s -> s.equals("0.0.0.0/0")), data.routedSubnets().toString());
        assertFalse(data.routedSubnets().contains("10.215." + PREDEFINED_OCTET + ".0/24"));
        nodes.await("node.heartbeat", e -> e.is(EventType.NODE_HEARTBEAT) && NODE.equals(e.node()));
    }

    @Test
    void listDeletesOnlyThisNodesStaleLinks() {
        assertTrue(IpCommand.link(STALE_LINK).isEmpty(), "the stale link of this node is gone");
        Envelope cleared = statusOf(EventType.NETWORK_CLEARED, STALE_ID);
        assertEquals(new Cleared(STALE_ID, NODE), cleared.data(Cleared.class));
        assertTrue(IpCommand.link(TOMBSTONED_LINK).isEmpty(), "a network tombstoned before start is not built");
        statusOf(EventType.NETWORK_CLEARED, TOMBSTONED_ID);
        assertTrue(status.find(e -> e.is(EventType.NETWORK_READY) && TOMBSTONED_ID.equals(e.subject().id())).isEmpty());
        JsonNode other = IpCommand.link(OTHER_NODE_LINK).orElseThrow(() -> new AssertionError("another node's link was deleted"));
        assertEquals(OTHER_NODE_MARK, other.path("ifalias").asText());
    }

    @Test
    void listBuildsThePredefinedBridgeUnderTheDefaultName() {
        Envelope ready = statusOf(EventType.NETWORK_READY, PREDEFINED_ID);
        assertEquals(predefinedDesired.correlationId(), ready.correlationId());
        assertEquals(DEFAULT_BRIDGE, ready.data(NetworkReady.class).bridge());
        assertEquals("netplane:" + NODE + ":network:" + PREDEFINED_ID,
                IpCommand.link(DEFAULT_BRIDGE).orElseThrow().path("ifalias").asText());
        assertTrue(IpCommand.hasAddress(DEFAULT_BRIDGE, "10.215." + PREDEFINED_OCTET + ".1", 24));
    }

    @Test
    void desiredNetworkBecomesABridgeAndItsTombstoneRemovesIt() throws Exception {
        String id = IpCommand.hex(32);
        String bridge = "np-" + id.substring(0, 12);
        LINKS.add(bridge);
        int octet = IpCommand.random(1, 250);
        Envelope desired = desired(Networks.bridge(id, bridge, "10.214." + octet + ".0/24", "10.214." + octet + ".1"));
        publish(id, desired);

        Envelope ready = statusOf(EventType.NETWORK_READY, id);
        assertEquals(desired.correlationId(), ready.correlationId());
        assertEquals(desired.id().toString(), ready.causationId());
        assertEquals(NODE, ready.node());
        NetworkReady data = ready.data(NetworkReady.class);
        JsonNode link = IpCommand.link(bridge).orElseThrow();
        assertEquals(new NetworkReady(id, NODE, bridge, link.path("ifindex").asInt()), data);
        assertEquals("netplane:" + NODE + ":network:" + id, link.path("ifalias").asText());
        assertEquals("bridge", link.path("linkinfo").path("info_kind").asText());
        assertTrue(link.path("flags").toString().contains("\"UP\""));
        assertTrue(IpCommand.hasAddress(bridge, "10.214." + octet + ".1", 24));

        publishTombstone(id, "corr-remove-" + id);
        Envelope cleared = statusOf(EventType.NETWORK_CLEARED, id);
        assertEquals("corr-remove-" + id, cleared.correlationId());
        assertEquals(new Cleared(id, NODE), cleared.data(Cleared.class));
        assertTrue(IpCommand.link(bridge).isEmpty());
    }

    @Test
    void anUnmarkedLinkInTheWayFailsAndStaysUntouched() throws Exception {
        String id = IpCommand.hex(32);
        String bridge = "np-" + id.substring(0, 12);
        LINKS.add(bridge);
        IpCommand.check("link", "add", bridge, "type", "bridge");
        Envelope desired = desired(Networks.bridge(id, bridge, "10.214.250.0/24", "10.214.250.1"));
        publish(id, desired);

        Envelope failed = statusOf(EventType.NETWORK_FAILED, id);
        assertEquals(desired.correlationId(), failed.correlationId());
        Failure failure = failed.data(Failure.class);
        assertEquals(NODE, failure.node());
        assertEquals("network " + id + ": bridge " + bridge + " already exists and is not netplane's (no mark netplane:"
                + NODE + ":network:" + id + "); netplane leaves it untouched", failure.error());
        JsonNode link = IpCommand.link(bridge).orElseThrow();
        assertTrue(link.path("ifalias").isMissingNode() || link.path("ifalias").asText().isEmpty());
        assertEquals(0, IpCommand.addresses(bridge).size() - ipv6LinkLocals(bridge));
        assertFalse(link.path("flags").toString().contains("\"UP\""));
    }

    @Test
    void hostNullAndOverlayNetworks() throws Exception {
        String host = IpCommand.hex(32);
        String overlay = IpCommand.hex(32);
        publish(overlay, desired(Networks.withDriver(overlay, "overlay")));
        publish(host, desired(Networks.withDriver(host, "host")));
        assertEquals(new NetworkReady(host, NODE, null, 0), statusOf(EventType.NETWORK_READY, host).data(NetworkReady.class));
        // an overlay network is built on a node only when an endpoint there joins it (OverlayMultiHostKafkaTest)
        Thread.sleep(1000);
        assertTrue(status.find(e -> e.subject() != null && overlay.equals(e.subject().id())).isEmpty(),
                "no status for an overlay network without a local endpoint");
        assertTrue(IpCommand.link("vx-" + overlay.substring(0, 12)).isEmpty(), "no VXLAN device");
    }

    private static int ipv6LinkLocals(String name) {
        int count = 0;
        for (JsonNode info : IpCommand.addresses(name)) {
            count += "inet6".equals(info.path("family").asText()) ? 1 : 0;
        }
        return count;
    }
}
