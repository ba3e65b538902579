package io.netplane.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.agent.dataplane.Networks;
import io.netplane.agent.messaging.KafkaProducers;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.Topic;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.Sandbox;
import io.netplane.events.kafka.TopicProvisioner;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault test of issue 4: the real agent runner (a child process, its data plane in a throwaway "host"
 * netns) gets 100 endpoint attaches (a network, 100 sandboxes, 100 endpoints with one published port each)
 * from desired on the real broker, is SIGKILLed after some but not all endpoint.ready, and restarted: then
 * exactly the 100 endpoints exist (veth pairs with the right addresses and MACs, on the bridge, in their
 * netns), no stale veth, exactly 100 port-map elements, exactly the 100 held ports; tombstones clear it all.
 */
class AgentCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ENDPOINTS = 100;
    private static final String KAFKA = TestRequirements.kafka();
    private static final String PREFIX = "nptest-" + IpCommand.hex(4);
    private static final String TAG = IpCommand.hex(3);
    private static final String NODE = "npt-crash-" + TAG;
    private static final String HOST = "npt-ch-" + TAG;
    private static final String TABLE = "npt_crash_" + TAG;
    private static final int OCTET = IpCommand.random(1, 250);
    private static final int PORT_BASE = 20000 + 100 * IpCommand.random(0, 200);
    private static final Path RUNNER = Path.of("target/quarkus-app/quarkus-run.jar");

    private static final String NETWORK_ID = IpCommand.hex(32);
    private static final String BRIDGE = "np-" + NETWORK_ID.substring(0, 12);
    private static final List<Sandbox> SANDBOXES = new ArrayList<>();
    private static final List<Endpoint> ENDPOINT_RECORDS = new ArrayList<>();

    private static Path stateDir;
    private static Path log;
    private static Producer<String, Envelope> producer;
    private static TopicRecorder status;
    private static Process agent;

    @BeforeAll
    static void setUp() throws Exception {
        TestRequirements.requireRoot();
        TestRequirements.requireKafka(KAFKA);
        TestRequirements.require(Files.exists(RUNNER), "no runner jar at " + RUNNER.toAbsolutePath()
                + " (mvn -pl node-agent package)");
        TopicProvisioner.ensure(KAFKA, PREFIX, (short) 1);
        producer = KafkaProducers.envelopes(KAFKA, "test-" + PREFIX);
        status = new TopicRecorder(KAFKA, Topic.STATUS.name(PREFIX));
        Netns.check("ip", "netns", "add", HOST);
        Netns.check("ip", "-n", HOST, "link", "set", "lo", "up");
        stateDir = Files.createTempDirectory("netplane-crash-state");
        log = Path.of("target/agent-crash-" + TAG + ".log");
        for (int i = 0; i < ENDPOINTS; i++) {
            String sandboxId = IpCommand.hex(32);
            SANDBOXES.add(new Sandbox(sandboxId, "c" + i, NODE, "bridge", "npt-" + TAG + "-" + i, "c" + i, null,
                    List.of(), Instant.now()));
            ENDPOINT_RECORDS.add(new Endpoint(IpCommand.hex(32), sandboxId, NETWORK_ID, NODE, "eth0",
                    List.of(new EndpointAddress(Family.ipv4, address(i), 24, "10.207." + OCTET + ".1")),
                    String.format("02:42:0a:cf:%02x:%02x", OCTET, i + 10),
                    List.of(new PortBinding("tcp", "0.0.0.0", PORT_BASE + i, 80)), List.of(), Instant.now()));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (agent != null) {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        for (Sandbox sandbox : SANDBOXES) {
            IpCommand.run("netns", "del", sandbox.netns());
        }
        IpCommand.run("netns", "del", HOST);
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

    private static String address(int i) {
        return "10.207." + OCTET + "." + (i + 10);
    }

    private static Process startAgent() throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dnetplane.node.name=" + NODE,
                "-Dkafka.bootstrap.servers=" + KAFKA,
                "-Dnetplane.topics.prefix=" + PREFIX,
                "-Dnetplane.bridge.default-name=nptc" + TAG,
                "-Dnetplane.agent.state-dir=" + stateDir,
                "-Dnetplane.firewall.enabled=true",
                "-Dnetplane.firewall.table=" + TABLE,
                "-Dnetplane.node.netns=" + HOST,
                "-Dnetplane.reconcile.interval=1h", // only the start's converge repairs the crash
                "-Dquarkus.http.port=0",
                "-jar", RUNNER.toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** One record at a time, acknowledged (a burst into just-made partitions trips the idempotent producer). */
    private static void send(String key, Envelope envelope) {
        try {
            producer.send(new ProducerRecord<>(Topic.DESIRED.name(PREFIX), key, envelope)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publish " + key + ": " + e, e);
        }
    }

    private static long ready() {
        return status.count(e -> e.is(EventType.ENDPOINT_READY));
    }

    @Test
    void sigkillDuringOneHundredAttachesThenRestartConvergesToExactlyTheDesiredEndpoints() throws Exception {
        Network network = Networks.bridge(NETWORK_ID, BRIDGE, "10.207." + OCTET + ".0/24", "10.207." + OCTET + ".1");
        send("network/" + NETWORK_ID, Envelope.of(EventType.NETWORK_DESIRED, Subject.network(NETWORK_ID), network, "test"));
        for (Sandbox sandbox : SANDBOXES) {
            send("sandbox/" + sandbox.id(), Envelope.of(EventType.SANDBOX_DESIRED, Subject.sandbox(sandbox.id()), sandbox, "test"));
        }
        agent = startAgent();
        await("network and sandboxes built").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> status.count(e -> e.is(EventType.SANDBOX_READY)) == ENDPOINTS);

        // the endpoints arrive one by one (as connects do) while the agent builds them; kill it mid-batch
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (Endpoint endpoint : ENDPOINT_RECORDS) {
                send("endpoint/" + endpoint.id(),
                        Envelope.of(EventType.ENDPOINT_DESIRED, Subject.endpoint(endpoint.id()), endpoint, "test"));
            }
        });
        await("some endpoint.ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> ready() >= 10);
        Netns.check("kill", "-KILL", String.valueOf(agent.pid()));
        assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
        publishing.get(60, TimeUnit.SECONDS);
        long builtAtKill = endpointVeths().size();
        System.out.printf("SIGKILL after %d endpoint.ready; %d endpoint veths in the host netns at the kill%n",
                ready(), builtAtKill);
        assertTrue(builtAtKill < ENDPOINTS, "the agent finished all " + ENDPOINTS + " before the kill: " + builtAtKill);

        agent = startAgent();
        await("exactly the desired endpoints after the restart").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(this::assertExactlyDesired);
        assertExactlyDesired(); // and stays so

        for (Endpoint endpoint : ENDPOINT_RECORDS) {
            send("endpoint/" + endpoint.id(), null);
        }
        for (Sandbox sandbox : SANDBOXES) {
            send("sandbox/" + sandbox.id(), null);
        }
        send("network/" + NETWORK_ID, null);
        await("tombstones clear everything").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().untilAsserted(() -> {
                    assertEquals(Map.of(), endpointVeths());
                    assertEquals(0, portElements());
                    assertEquals(Set.of(), listeningPorts());
                    for (Sandbox sandbox : SANDBOXES) {
                        assertTrue(!Files.exists(Path.of("/run/netns", sandbox.netns())), sandbox.netns() + " left");
                    }
                    try (var files = Files.list(stateDir)) {
                        assertEquals(0, files.count(), "namespace records left");
                    }
                    assertTrue(Netns.run("ip", "-n", HOST, "link", "show", BRIDGE).exit() != 0, "bridge left");
                });
    }

    private void assertExactlyDesired() throws Exception {
        Map<String, JsonNode> veths = endpointVeths();
        Set<String> expected = new TreeSet<>();
        for (Endpoint endpoint : ENDPOINT_RECORDS) {
            expected.add("vnp" + endpoint.id().substring(0, 12));
        }
        assertEquals(expected, new TreeSet<>(veths.keySet()), "the veths in the host netns");
        for (int i = 0; i < ENDPOINTS; i++) {
            Endpoint endpoint = ENDPOINT_RECORDS.get(i);
            JsonNode host = veths.get("vnp" + endpoint.id().substring(0, 12));
            assertEquals(BRIDGE, host.path("master").asText(), host + " not on the bridge");
            String netns = SANDBOXES.get(i).netns();
            JsonNode links = JSON.readTree(Netns.run("ip", "-n", netns, "-j", "addr", "show").out());
            assertEquals(2, links.size(), netns + " should hold lo and eth0: " + links);
            JsonNode eth0 = null;
            for (JsonNode link : links) {
                if ("eth0".equals(link.path("ifname").asText())) {
                    eth0 = link;
                }
            }
            assertTrue(eth0 != null, "no eth0 in " + netns);
            assertEquals(endpoint.mac(), eth0.path("address").asText());
            assertEquals(host.path("ifindex").asInt(), eth0.path("link_index").asInt(), "eth0's peer in " + netns);
            assertTrue(eth0.path("flags").toString().contains("\"UP\""), netns + " eth0 down");
            List<String> addresses = new ArrayList<>();
            for (JsonNode info : eth0.path("addr_info")) {
                if (!"inet".equals(info.path("family").asText())) {
                    continue; // the kernel's own IPv6 link-local
                }
                addresses.add(info.path("local").asText() + "/" + info.path("prefixlen").asInt());
            }
            assertEquals(List.of(address(i) + "/24"), addresses, netns);
        }
        assertEquals(ENDPOINTS, portElements(), "port map elements");
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < ENDPOINTS; i++) {
            ports.add(PORT_BASE + i);
        }
        assertEquals(ports, listeningPorts(), "held ports");
    }

    /** Every veth in the host netns (the agent's and any stale one): name → ip -d -j link. */
    private static Map<String, JsonNode> endpointVeths() throws IOException {
        Map<String, JsonNode> veths = new HashMap<>();
        for (JsonNode link : JSON.readTree(Netns.run("ip", "-n", HOST, "-d", "-j", "link", "show", "type", "veth").out())) {
            veths.put(link.path("ifname").asText(), link);
        }
        return veths;
    }

    /** Elements of the port maps of the agent's table, as {@code nft -j list table} prints them. */
    private static int portElements() throws IOException {
        Netns.Result listed = Netns.run("ip", "netns", "exec", HOST, "nft", "-j", "list", "table", "inet", TABLE);
        if (listed.exit() != 0) {
            throw new IllegalStateException("nft list table: " + listed.err());
        }
        int elements = 0;
        for (JsonNode item : JSON.readTree(listed.out()).path("nftables")) {
            JsonNode map = item.path("map");
            if (!map.isMissingNode() && Set.of("ports", "host_ports").contains(map.path("name").asText())) {
                elements += map.path("elem").size();
            }
        }
        return elements;
    }

    /** Listening TCP ports in the host netns (the agent's held ports; nothing else listens there). */
    private static Set<Integer> listeningPorts() {
        Set<Integer> ports = new HashSet<>();
        for (String line : Netns.run("ip", "netns", "exec", HOST, "ss", "-Htln").out().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4) {
                String local = columns[3];
                ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }
}
