package io.netplane.agent;

import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SubnetAllocation;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docker's default-route rule, as the agent applies it from desired records, in the real kernel (its data plane
 * inside a throwaway "host" namespace): a sandbox on "net-b", then connected to "net-a", then to an internal
 * "aaa-int" — the default route leaves by the non-internal network whose name sorts first, moves at every connect
 * and disconnect, never by the internal one; interfaces keep the eth numbers they were given (eth1 disconnected
 * and connected again is eth3). Packets to a host address leave by the chosen network (the server sees that
 * network's source address). A converge puts back a default route changed by hand; an internal-only sandbox has none.
 */
class DefaultRouteKafkaTest {
    private static final String KAFKA = TestRequirements.kafka();
    private static final String PREFIX = "nptest-" + IpCommand.hex(4);
    private static final String NODE = "npt-dr-" + IpCommand.hex(3);
    private static final String TAG = IpCommand.hex(3);
    private static final String HOST = "npt-h-" + TAG;
    private static final int OCTET = IpCommand.random(1, 250);
    private static final String HOST_ADDRESS = "198.51.100." + IpCommand.random(1, 250);
    private static final List<String> NAMESPACES = new ArrayList<>(List.of(HOST));

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
        // an address of the "host" outside every network's subnet: packets to it follow the default route
        Netns.check("ip", "-n", HOST, "addr", "add", HOST_ADDRESS + "/32", "dev", "lo");
        stateDir = Files.createTempDirectory("netplane-agent-state");
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
                IpCommand.run("netns", "del", netns); // the host namespace takes its bridges and veths with it
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

    /** A bridge network on block {@code block} (0–3) of 10.208.OCTET.0/24: a /26 with gateway .1 of the block. */
    private record TestNetwork(Network network, int block) {
        String gateway() { return address(1); }

        String address(int host) { return "10.208." + OCTET + "." + (block * 64 + host); }
    }

    private static TestNetwork network(String name, int block, boolean internal) throws Exception {
        String id = IpCommand.hex(32);
        Network network = new Network(id, name, "bridge", "local",
                List.of(new SubnetAllocation(Family.ipv4, "10.208." + OCTET + "." + block * 64 + "/26",
                        "10.208." + OCTET + "." + (block * 64 + 1), null, false, true)),
                internal, false, false, Map.of(), Map.of(), null, "npt" + block + TAG + IpCommand.hex(2), false, Instant.now());
        publish("network/" + id, Envelope.of(EventType.NETWORK_DESIRED, Subject.network(id), network, "test"));
        status.await("network.ready " + name, e -> e.is(EventType.NETWORK_READY) && e.subject() != null
                && id.equals(e.subject().id()));
        return new TestNetwork(network, block);
    }

    private static Sandbox sandbox(String name) throws Exception {
        String id = IpCommand.hex(32);
        String netns = "npt-" + TAG + "-" + id.substring(0, 6);
        NAMESPACES.add(netns);
        Sandbox sandbox = new Sandbox(id, name, NODE, "bridge", netns, name, null, List.of(), Instant.now());
        publish("sandbox/" + id, Envelope.of(EventType.SANDBOX_DESIRED, Subject.sandbox(id), sandbox, "test"));
        statusOf(EventType.SANDBOX_READY, id);
        return sandbox;
    }

    private static Endpoint connect(Sandbox sandbox, TestNetwork network, String ifname, int host) throws Exception {
        String id = IpCommand.hex(32);
        String address = network.address(host);
        String[] octets = address.split("\\.");
        Endpoint endpoint = new Endpoint(id, sandbox.id(), network.network().id(), NODE, ifname,
                List.of(new EndpointAddress(Family.ipv4, address, 26, network.gateway())),
                String.format("02:42:%02x:%02x:%02x:%02x", Integer.parseInt(octets[0]), Integer.parseInt(octets[1]),
                        Integer.parseInt(octets[2]), Integer.parseInt(octets[3])),
                List.of(), List.of(), Instant.now());
        publish("endpoint/" + id, Envelope.of(EventType.ENDPOINT_DESIRED, Subject.endpoint(id), endpoint, "test"));
        statusOf(EventType.ENDPOINT_READY, id);
        return endpoint;
    }

    private static void disconnect(Endpoint endpoint) throws Exception {
        ProducerRecord<String, Envelope> record = new ProducerRecord<>(Topic.DESIRED.name(PREFIX), "endpoint/" + endpoint.id(), null);
        record.headers().add(DesiredChange.CORRELATION_HEADER, ("corr-" + IpCommand.hex(4)).getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
        statusOf(EventType.ENDPOINT_CLEARED, endpoint.id());
    }

    private static void publish(String key, Envelope envelope) throws Exception {
        producer.send(new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, envelope)).get(30, TimeUnit.SECONDS);
    }

    private static Envelope statusOf(EventType type, String subjectId) {
        return status.await(type.wireName() + " " + subjectId,
                e -> e.is(type) && e.subject() != null && subjectId.equals(e.subject().id()));
    }

    /** The default routes of the sandbox, as {@code ip route} prints them ("default via X dev Y"). */
    private static List<String> defaults(Sandbox sandbox) {
        return Netns.run("ip", "-n", sandbox.netns(), "-4", "route", "show", "default").out().lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String route(TestNetwork network, String ifname) {
        return "default via " + network.gateway() + " dev " + ifname;
    }

    private static List<String> interfaces(Sandbox sandbox) {
        return Netns.run("ip", "-n", sandbox.netns(), "-br", "link").out().lines()
                .map(l -> l.split("[\\s@]+")[0]).filter(n -> !n.equals("lo")).sorted().toList();
    }

    /** The interfaces once they are {@code expected}, or after 5 s: a detached veth goes in the next batched delete. */
    private static List<String> interfacesSoon(Sandbox sandbox, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> now = interfaces(sandbox);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = interfaces(sandbox);
        }
        return now;
    }

    /** The interfaces that are up with an IPv4 address. */
    private static List<String> interfacesInUse(Sandbox sandbox) {
        return Netns.run("ip", "-n", sandbox.netns(), "-br", "-4", "addr", "show", "up").out().lines()
                .map(l -> l.split("[\\s@]+")[0]).filter(n -> !n.equals("lo")).sorted().toList();
    }

    /** The source address the host's server sees for a request from the sandbox: the leaving interface's. */
    private static String sourceSeenByHost(Sandbox sandbox) {
        String answer = Netns.get(sandbox.netns(), HOST_ADDRESS + ":8088");
        assertTrue(answer != null && answer.startsWith("host "), "the host did not answer: " + answer);
        return answer.substring("host ".length());
    }

    @Test
    void theDefaultRouteFollowsTheFirstNonInternalNetworkByNameAtEveryConnectAndDisconnect() throws Exception {
        TestNetwork netB = network("net-b-" + TAG, 0, false);
        TestNetwork netA = network("net-a-" + TAG, 1, false);
        TestNetwork internal = network("aaa-int-" + TAG, 2, true);
        Sandbox sandbox = sandbox("dr-" + TAG);
        Netns.httpServer(HOST, 8088, "host");

        Endpoint onB = connect(sandbox, netB, "eth0", 2);
        assertEquals(List.of(route(netB, "eth0")), defaults(sandbox));
        assertEquals(netB.address(2), sourceSeenByHost(sandbox));

        Endpoint aFirst = connect(sandbox, netA, "eth1", 2); // "net-a" < "net-b": the route moves
        assertEquals(List.of(route(netA, "eth1")), defaults(sandbox));
        assertEquals(netA.address(2), sourceSeenByHost(sandbox));

        Endpoint internalEndpoint = connect(sandbox, internal, "eth2", 2); // sorts first, but internal: no move
        assertEquals(List.of(route(netA, "eth1")), defaults(sandbox));
        assertEquals(List.of("eth0", "eth1", "eth2"), interfaces(sandbox));

        disconnect(aFirst); // back to net-b, even with the internal network still attached
        assertEquals(List.of(route(netB, "eth0")), defaults(sandbox));
        assertEquals(netB.address(2), sourceSeenByHost(sandbox));
        // at once: eth1 carries nothing (down, no address); the device itself goes with the next batched delete
        assertEquals(List.of("eth0", "eth2"), interfacesInUse(sandbox));
        assertEquals(List.of("eth0", "eth2"), interfacesSoon(sandbox, List.of("eth0", "eth2")));

        Endpoint aAgain = connect(sandbox, netA, "eth3", 3); // numbers only grow: eth1 is not reused
        assertEquals(List.of("eth0", "eth2", "eth3"), interfaces(sandbox));
        assertEquals(List.of(route(netA, "eth3")), defaults(sandbox));
        assertEquals(netA.address(3), sourceSeenByHost(sandbox));

        // changed by hand (another gateway, an extra metric): the next converge puts the rule's choice back
        Netns.check("ip", "-n", sandbox.netns(), "route", "replace", "default", "via", netB.gateway(), "dev", "eth0");
        Netns.check("ip", "-n", sandbox.netns(), "route", "add", "default", "via", internal.gateway(), "dev", "eth2",
                "metric", "50");
        agent.converge();
        assertEquals(List.of(route(netA, "eth3")), defaults(sandbox));
        Netns.check("ip", "-n", sandbox.netns(), "route", "del", "default");
        agent.converge();
        assertEquals(List.of(route(netA, "eth3")), defaults(sandbox));

        disconnect(aAgain);
        assertEquals(List.of(route(netB, "eth0")), defaults(sandbox));
        disconnect(onB);
        assertEquals(List.of(), defaults(sandbox), "only the internal network is left: no default route");
        disconnect(internalEndpoint);
        assertEquals(List.of(), interfacesInUse(sandbox));
        assertEquals(List.of(), interfacesSoon(sandbox, List.of()));

        // a sandbox only on an internal network never gets one (Docker 20.10 gave it one; the issue says never)
        Sandbox internalOnly = sandbox("dr-int-" + TAG);
        Endpoint only = connect(internalOnly, internal, "eth0", 3);
        assertEquals(List.of(), defaults(internalOnly));
        agent.converge();
        assertEquals(List.of(), defaults(internalOnly));
        Endpoint second = connect(internalOnly, netB, "eth1", 3); // a normal network after it: it carries the route
        assertEquals(List.of(route(netB, "eth1")), defaults(internalOnly));
        disconnect(second);
        disconnect(only);
    }
}
