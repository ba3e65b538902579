package io.netplane.agent;

import io.netplane.agent.dataplane.OverlayDriver;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.agent.reconcile.DesiredChange;
import io.netplane.events.Envelope;
import io.netplane.events.EventData;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-host on one machine (issue 7): three simulated hosts — network namespaces joined by an underlay bridge
 * (in a fourth, "switch" namespace) with addresses from 198.18.0.0/15, the benchmark range that is never routed —
 * each run by its own agent (in this JVM, its kernel work inside its host's namespace, firewall on there), fed
 * from the real broker. An overlay network with a sandbox on each host: ping and TCP between every pair, full-MTU
 * frames included; a sandbox on another overlay network reaches none of them; removing a remote endpoint removes
 * its FDB and neighbour entries, and a host left without local endpoints loses the network's devices; an
 * endpoint added while a host's agent is away is programmed there when it comes back.
 */
class OverlayMultiHostKafkaTest {
    private static final String KAFKA = TestRequirements.kafka();
    private static final String PREFIX = "nptest-" + IpCommand.hex(4);
    private static final String TAG = IpCommand.hex(3);
    private static final String SWITCH = "npt-ovsw-" + TAG;
    private static final int HOSTS = 3;
    private static final int OCTET = IpCommand.random(1, 250);
    private static final String NET_A = IpCommand.hex(32);
    private static final String NET_B = IpCommand.hex(32);
    private static final List<String> NAMESPACES = new ArrayList<>();
    private static final List<NodeAgent> AGENTS = new ArrayList<>();
    private static final List<AgentSettings> SETTINGS = new ArrayList<>();
    private static final List<Path> STATE_DIRS = new ArrayList<>();
    // sandboxes 1..3 on hosts 1..3 in network A; sandbox 4 on host 3 in network B
    // (sandbox 5 comes on host 2 in network A while host 1's agent is away)
    private static final int[] HOST_OF = {0, 1, 2, 3, 3, 2};

    private static Producer<String, Envelope> producer;
    private static TopicRecorder status;

    private static String host(int i) { return "npt-ovh" + i + "-" + TAG; }

    private static String node(int i) { return "npt-ov" + i + "-" + TAG; }

    private static String underlay(int i) { return "198.18.0." + (10 + i); }

    private static String sandboxNetns(int s) { return "npt-ovs" + s + "-" + TAG; }

    private static String address(int s) {
        return (s == 4 ? "10.208." : "10.207.") + OCTET + "." + (10 + s);
    }

    private static String mac(int s) { return String.format("02:42:0a:cf:%02x:%02x", OCTET, 10 + s); }

    private static final String[] SANDBOX_IDS = {null, IpCommand.hex(32), IpCommand.hex(32), IpCommand.hex(32), IpCommand.hex(32),
            IpCommand.hex(32)};
    private static final String[] ENDPOINT_IDS = {null, IpCommand.hex(32), IpCommand.hex(32), IpCommand.hex(32), IpCommand.hex(32),
            IpCommand.hex(32)};

    private static String sandboxId(int s) { return SANDBOX_IDS[s]; }

    private static String endpointId(int s) { return ENDPOINT_IDS[s]; }

    @BeforeAll
    static void startHosts() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.requireKafka(KAFKA);
        TopicProvisioner.ensure(KAFKA, PREFIX, (short) 1);
        producer = KafkaProducers.envelopes(KAFKA, "test-" + PREFIX);
        status = new TopicRecorder(KAFKA, Topic.STATUS.name(PREFIX));

        NAMESPACES.add(SWITCH);
        Netns.check("ip", "netns", "add", SWITCH);
        Netns.check("ip", "-n", SWITCH, "link", "add", "underlay", "type", "bridge");
        Netns.check("ip", "-n", SWITCH, "link", "set", "underlay", "up");
        for (int i = 1; i <= HOSTS; i++) {
            String host = host(i);
            NAMESPACES.add(host);
            Netns.check("ip", "netns", "add", host);
            Netns.check("ip", "-n", SWITCH, "link", "add", "h" + i, "type", "veth", "peer", "name", "ul0", "netns", host);
            Netns.check("ip", "-n", SWITCH, "link", "set", "h" + i, "master", "underlay", "up");
            Netns.check("ip", "-n", host, "addr", "add", underlay(i) + "/24", "dev", "ul0");
            Netns.check("ip", "-n", host, "link", "set", "ul0", "up");
            Netns.check("ip", "-n", host, "link", "set", "lo", "up");
            Netns.check("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            Optional<String> configured;
            if (i < HOSTS) {
                // hosts 1 and 2 find their underlay address from the default route; host 3 is told it
                Netns.check("ip", "-n", host, "route", "add", "default", "via", "198.18.0.1");
                configured = Optional.empty();
            } else {
                configured = Optional.of(underlay(i));
            }
            Path stateDir = Files.createTempDirectory("netplane-ov-state");
            STATE_DIRS.add(stateDir);
            AgentSettings settings = new AgentSettings(node(i), KAFKA, PREFIX, "npt0" + TAG, Duration.ofSeconds(1),
                    "test", stateDir, "netplane", Optional.of(host), Duration.ofHours(1), configured);
            SETTINGS.add(settings);
            NodeAgent agent = new NodeAgent(settings);
            AGENTS.add(agent);
            agent.start();
        }
        for (NodeAgent agent : AGENTS) {
            await("agent " + agent.node() + " ready").atMost(Duration.ofSeconds(60)).until(agent::isReady);
        }

        publish("network/" + NET_A, desired(EventType.NETWORK_DESIRED, Subject.network(NET_A),
                overlay(NET_A, "10.207." + OCTET, 7000 + OCTET)));
        publish("network/" + NET_B, desired(EventType.NETWORK_DESIRED, Subject.network(NET_B),
                overlay(NET_B, "10.208." + OCTET, 7300 + OCTET)));
        for (int s = 1; s <= 4; s++) {
            addSandbox(s);
        }
        for (int s = 1; s <= 4; s++) {
            awaitEndpointReady(s);
        }
    }

    private static void addSandbox(int s) throws Exception {
        NAMESPACES.add(sandboxNetns(s));
        String node = node(HOST_OF[s]);
        publish("sandbox/" + sandboxId(s), desired(EventType.SANDBOX_DESIRED, Subject.sandbox(sandboxId(s)),
                new Sandbox(sandboxId(s), "s" + s, node, "bridge", sandboxNetns(s), "s" + s, null, List.of(), Instant.now())));
        publish("endpoint/" + endpointId(s), desired(EventType.ENDPOINT_DESIRED, Subject.endpoint(endpointId(s)),
                endpoint(s)));
    }

    private static void awaitEndpointReady(int s) {
        status.await("endpoint.ready " + s, e -> e.is(EventType.ENDPOINT_READY) && e.subject() != null
                && endpointId(s).equals(e.subject().id()));
    }

    private static Network overlay(String id, String prefix, int vni) {
        return new Network(id, "ov-" + id.substring(0, 6), "overlay", "swarm",
                List.of(new SubnetAllocation(Family.ipv4, prefix + ".0/24", prefix + ".1", null, true, false)),
                false, true, false, Map.of(), Map.of(), vni, "np-" + id.substring(0, 12), false, Instant.now());
    }

    private static Endpoint endpoint(int s) {
        String network = s == 4 ? NET_B : NET_A;
        String gateway = address(s).substring(0, address(s).lastIndexOf('.')) + ".1";
        return new Endpoint(endpointId(s), sandboxId(s), network, node(HOST_OF[s]), "eth0",
                List.of(new EndpointAddress(Family.ipv4, address(s), 24, gateway)), mac(s), List.of(), List.of("s" + s),
                Instant.now());
    }

    @AfterAll
    static void stopHosts() throws Exception {
        Netns.stopServers();
        try {
            for (NodeAgent agent : AGENTS) {
                try {
                    agent.close();
                } catch (RuntimeException e) {
                    System.err.println("closing " + agent.node() + ": " + e);
                }
            }
        } finally {
            for (String netns : NAMESPACES) {
                IpCommand.run("netns", "del", netns); // a host's links (bridges, VXLAN, veths) go with it
            }
            if (producer != null) {
                producer.close();
            }
            if (status != null) {
                status.close();
            }
            for (Path dir : STATE_DIRS) {
                try (var files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    private static Envelope desired(EventType type, Subject subject, EventData data) {
        return Envelope.of(type, subject, data, "test").withCorrelationId("corr-" + IpCommand.hex(8));
    }

    private static void publish(String key, Envelope envelope) throws Exception {
        producer.send(new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, envelope)).get(30, TimeUnit.SECONDS);
    }

    private static void tombstone(String key) throws Exception {
        ProducerRecord<String, Envelope> record = new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, null);
        record.headers().add(DesiredChange.CORRELATION_HEADER, "corr-remove".getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private static boolean ping(int from, String address, int size) {
        return Netns.run("ip", "netns", "exec", sandboxNetns(from), "ping", "-c", "1", "-W", "1", "-M", "do",
                "-s", String.valueOf(size), address).exit() == 0;
    }

    private static void awaitPing(int from, int to) {
        await("s" + from + " pings s" + to).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> ping(from, address(to), 56));
    }

    /** The VXLAN device's FDB; its own static entries read "MAC dst UNDERLAY self permanent" (the bridge's learnt ones have no dst). */
    private static String fdb(int host) {
        return Netns.run("bridge", "-n", host(host), "fdb", "show", "dev", OverlayDriver.vxlanName(NET_A)).out();
    }

    private static String neighbours(int host) {
        return Netns.run("ip", "-n", host(host), "neigh", "show", "dev", OverlayDriver.vxlanName(NET_A)).out();
    }

    @Test
    void sandboxesOnThreeHostsReachEachOtherOverVxlanAndNothingElseDoes() throws Exception {
        // the devices and the entries each host holds
        for (int h = 1; h <= HOSTS; h++) {
            String vxlan = Netns.run("ip", "-n", host(h), "-d", "link", "show", OverlayDriver.vxlanName(NET_A)).out();
            assertTrue(vxlan.contains("mtu 1450") && vxlan.contains("vxlan id " + (7000 + OCTET) + " local " + underlay(h))
                    && vxlan.contains("dstport 4789") && vxlan.contains("nolearning")
                    && vxlan.contains("master np-" + NET_A.substring(0, 12)), vxlan);
            assertTrue(vxlan.contains("alias netplane:" + node(h) + ":network:" + NET_A), vxlan);
            for (int s = 1; s <= 3; s++) {
                int peer = s;
                int host = h;
                if (HOST_OF[s] == h) {
                    continue;
                }
                await("host " + h + " knows s" + s).atMost(Duration.ofSeconds(20)).until(() ->
                        fdb(host).contains(mac(peer) + " dst " + underlay(HOST_OF[peer]) + " self permanent")
                                && neighbours(host).contains(address(peer) + " lladdr " + mac(peer) + " PERMANENT"));
            }
            assertFalse(fdb(h).contains(mac(4) + " dst"), "network B's endpoint is not in network A's FDB: " + fdb(h));
        }
        assertTrue(Netns.run("ip", "-n", sandboxNetns(1), "link", "show", "eth0").out().contains("mtu 1450"),
                "the sandbox's interface has the overlay MTU");
        assertNotEquals(0, Netns.run("ip", "-n", host(1), "link", "show", OverlayDriver.vxlanName(NET_B)).exit(),
                "host 1 has no endpoint on network B: no device for it");

        // every pair, by ping (a full 1450-byte frame without fragmenting) and by TCP
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from != to) {
                    awaitPing(from, to);
                    assertTrue(ping(from, address(to), 1450 - 28), "full-MTU ping s" + from + " -> s" + to);
                }
            }
        }
        for (int s = 1; s <= 3; s++) {
            Netns.httpServer(sandboxNetns(s), 8080, "s" + s);
        }
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from != to) {
                    String body = Netns.get(sandboxNetns(from), address(to) + ":8080");
                    assertEquals("s" + to + " " + address(from), body, "TCP s" + from + " -> s" + to);
                }
            }
        }

        // isolation: network B's sandbox (on host 3, beside s3) reaches no sandbox of network A, local or remote
        for (int to = 1; to <= 3; to++) {
            assertFalse(ping(4, address(to), 56), "s4 (network B) reached s" + to + " (network A)");
            assertEquals(null, Netns.get(sandboxNetns(4), address(to) + ":8080"), "TCP s4 -> s" + to);
        }

        // s2's endpoint goes: hosts 1 and 3 forget it; host 2 has no endpoint left on A, so A's devices leave it
        tombstone("endpoint/" + endpointId(2));
        for (int h : new int[] {1, 3}) {
            await("host " + h + " forgets s2").atMost(Duration.ofSeconds(20)).until(() ->
                    !fdb(h).contains(mac(2) + " dst") && !neighbours(h).contains(address(2) + " "));
            assertTrue(fdb(h).contains(mac(h == 1 ? 3 : 1)), "the other peer stays: " + fdb(h));
        }
        await("network A leaves host 2").atMost(Duration.ofSeconds(20)).until(() ->
                Netns.run("ip", "-n", host(2), "link", "show", OverlayDriver.vxlanName(NET_A)).exit() != 0
                        && Netns.run("ip", "-n", host(2), "link", "show", "np-" + NET_A.substring(0, 12)).exit() != 0);
        assertFalse(ping(1, address(2), 56));
        awaitPing(1, 3);

        // host 1's agent goes away; a new endpoint comes on host 2 meanwhile; back, host 1 programs it at its list
        AGENTS.get(0).close();
        addSandbox(5);
        awaitEndpointReady(5);
        assertFalse(fdb(1).contains(mac(5) + " dst"), "nobody programmed host 1 while its agent was away");
        NodeAgent restarted = new NodeAgent(SETTINGS.get(0));
        AGENTS.set(0, restarted);
        restarted.start();
        await("host 1's agent back").atMost(Duration.ofSeconds(60)).until(restarted::isReady);
        assertTrue(fdb(1).contains(mac(5) + " dst " + underlay(2) + " self permanent"), fdb(1));
        assertTrue(neighbours(1).contains(address(5) + " lladdr " + mac(5) + " PERMANENT"), neighbours(1));
        awaitPing(1, 5);
        awaitPing(5, 1);

        // a stale entry added by hand on a device this node marked is removed by the periodic converge
        Netns.check("bridge", "-n", host(1), "fdb", "replace", "02:42:0a:cf:ee:ee", "dev",
                OverlayDriver.vxlanName(NET_A), "dst", "198.18.0.99", "self", "permanent");
        AGENTS.get(0).converge();
        assertFalse(fdb(1).contains("02:42:0a:cf:ee:ee"), fdb(1));
        assertTrue(fdb(1).contains(mac(3)), fdb(1));

        // a VXLAN device deleted by hand comes back, entries included, at the next converge
        Netns.check("ip", "-n", host(3), "link", "del", OverlayDriver.vxlanName(NET_A));
        AGENTS.get(2).converge();
        assertTrue(fdb(3).contains(mac(1) + " dst " + underlay(1) + " self permanent"), fdb(3));
        assertTrue(fdb(3).contains(mac(5) + " dst " + underlay(2) + " self permanent"), fdb(3));
        awaitPing(3, 1);
        awaitPing(3, 5);
    }
}
