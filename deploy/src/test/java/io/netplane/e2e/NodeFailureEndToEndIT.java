package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that fails and comes back (issue 7), through the real stack: two simulated hosts run by real agents
 * (heartbeat 1 s; api-service: 3 missed heartbeats, so a 3 s window), an overlay network with a sandbox on each.
 * SIGKILL host 2's agent: the API says host 2 is unreachable within the window and refuses a sandbox there (503),
 * while a new sandbox on host 1 joins the network. Host 2's agent started again (same state folder): ready,
 * its sandbox untouched (same veth ifindexes, still reachable), and the endpoint added while it was away
 * programmed on its VXLAN device (FDB and neighbour entry) and reachable from host 2's sandbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeFailureEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final int HOSTS = 2;
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final int MISSED_HEARTBEATS = 3;
    private static final Duration WINDOW = HEARTBEAT.multipliedBy(MISSED_HEARTBEATS);
    /** The projection's lag and this test's polling on top of the window. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2f-" + suffix;
    private final String underlaySwitch = "npe2f-sw-" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final Map<String, JsonNode> sandboxes = new LinkedHashMap<>();
    private Stack stack;
    private Api api;

    private String host(int i) { return "npe2f-h" + i + "-" + suffix; }

    private String hostNode(int i) { return node + "-h" + i; }

    private static String underlay(int i) { return SimulatedUnderlay.address(i); }

    @BeforeAll
    void startStackAndHosts() throws Exception {
        Map<String, String> timing = Map.of(
                "NETPLANE_NODE_HEARTBEAT_INTERVAL", HEARTBEAT.toSeconds() + "s",          // the agents
                "NETPLANE_API_NODE_HEARTBEAT_INTERVAL", HEARTBEAT.toSeconds() + "s",      // api-service
                "NETPLANE_API_NODE_MISSED_HEARTBEATS", Integer.toString(MISSED_HEARTBEATS));
        Stack.start(new Stack.Settings(node, "npe2f-" + suffix, "npf" + suffix, "npe2f_" + suffix), timing,
                started -> stack = started);
        SimulatedUnderlay.startHosts(stack, underlaySwitch, HOSTS, this::host, this::hostNode, namespaces);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        for (int i = 1; i <= HOSTS; i++) {
            awaitState(i, "ready", Duration.ofSeconds(60));
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        servers.forEach(Process::destroyForcibly);
        try {
            if (api != null) {
                for (String name : sandboxes.keySet()) {
                    api.send("DELETE", "/sandboxes/" + name, null);
                }
            }
        } finally {
            try {
                if (stack != null) {
                    stack.close();
                }
            } finally {
                List<String> all = new ArrayList<>();
                for (JsonNode sandbox : sandboxes.values()) {
                    all.add(sandbox.path("netns").asText());
                }
                for (int i = 1; i <= HOSTS; i++) {
                    all.addAll(Stack.recordedNamespaces(hostNode(i)));
                }
                all.addAll(namespaces); // the hosts last: their bridges, VXLAN devices and veths go with them
                Kernel.deleteNamespaces(all);
            }
        }
    }


    private JsonNode nodeView(int i) throws Exception {
        return api.get("/nodes/" + hostNode(i)).expect(200);
    }

    /** Polls GET /api/v1/nodes until host i is in {@code state}; how long it took. */
    private Duration awaitState(int i, String state, Duration timeout) throws Exception {
        long start = System.nanoTime();
        until(timeout, hostNode(i) + " " + state + " in GET /api/v1/nodes", () -> {
            for (JsonNode n : api.get("/nodes").body()) {
                if (hostNode(i).equals(n.path("name").asText()) && state.equals(n.path("state").asText())) {
                    return true;
                }
            }
            return null;
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private Api.Response create(String name, String network, int host) throws Exception {
        return api.send("POST", "/sandboxes", Map.of("name", name, "network", network, "node", hostNode(host)));
    }

    private JsonNode sandbox(String name, String network, int host) throws Exception {
        JsonNode created = create(name, network, host).expect(201);
        sandboxes.put(name, created);
        assertEquals(hostNode(host), created.path("node").asText(), created.toString());
        return created;
    }

    private static JsonNode endpoint(JsonNode sandbox, String network) {
        return sandbox.path("networks").path(network);
    }

    private static String hostIfname(JsonNode sandbox, String network) {
        return "vnp" + endpoint(sandbox, network).path("endpointId").asText().substring(0, 12);
    }

    private static int ifindex(String netns, String link) throws Exception {
        JsonNode found = Kernel.linkIn(netns, link);
        assertTrue(found != null, link + " in " + netns);
        return found.path("ifindex").asInt();
    }

    private String vxlanDevice(int i) throws Exception {
        Kernel.Output links = Kernel.execIn(host(i), "ip", "-o", "link", "show", "type", "vxlan");
        List<String> names = links.text().lines().map(l -> l.split(":\\s+")[1].split("@")[0]).toList();
        assertEquals(1, names.size(), "one overlay network on " + host(i) + ": " + links.text());
        return names.get(0);
    }

    private String curl(String netns, String address) throws Exception {
        return until(Duration.ofSeconds(20), "TCP from " + netns + " to " + address, () -> {
            Kernel.Output out = Kernel.execIn(netns, "curl", "-s", "--noproxy", "*", "-m", "2", "http://" + address + ":8080/");
            return out.status() == 0 && !out.text().isBlank() ? out.text() : null;
        });
    }

    @Test
    void aKilledAgentTurnsUnreachableAndComesBackWithItsEndpointsAndWhatChangedMeanwhile() throws Exception {
        // what each agent reported when it joined
        String release = Kernel.execIn(host(1), "uname", "-r").text().strip();
        for (int i = 1; i <= HOSTS; i++) {
            JsonNode n = nodeView(i);
            assertEquals(underlay(i), n.path("underlayAddress").asText(), n.toString());
            assertEquals(release, n.path("versions").path("kernel").asText(), n.toString());
            assertFalse(n.path("versions").path("netplane").asText().isBlank(), n.toString());
            List<String> capabilities = new ArrayList<>();
            n.path("capabilities").forEach(c -> capabilities.add(c.asText()));
            assertTrue(capabilities.containsAll(List.of("bridge", "overlay", "nftables", "dns")), n.toString());
        }

        String ov = "ovf-" + suffix;
        api.send("POST", "/networks", Map.of("name", ov, "driver", "overlay")).expect(201);
        JsonNode a = sandbox("a-" + suffix, ov, 1);
        JsonNode b = sandbox("b-" + suffix, ov, 2);
        String aNetns = a.path("netns").asText();
        String bNetns = b.path("netns").asText();
        servers.add(Kernel.startIn(bNetns, "python3", "-c", OverlayEndToEndIT.HTTP_SERVER, "8080", "b"));
        String bAddress = endpoint(b, ov).path("ipAddress").asText();
        assertTrue(curl(aNetns, bAddress).startsWith("b "));
        int bHostIfindex = ifindex(host(2), hostIfname(b, ov));
        int bEth0Ifindex = ifindex(bNetns, "eth0");
        String vxlan = vxlanDevice(2);
        int vxlanIfindex = ifindex(host(2), vxlan);

        // host 2's agent dies: no node.left, only missing heartbeats
        stack.killSimulatedAgent(hostNode(2));
        Duration noticed = awaitState(2, "unreachable", WINDOW.plus(SLACK).plusSeconds(10));
        System.out.println("RESULT unreachable_after_ms=" + noticed.toMillis() + " window_ms=" + WINDOW.toMillis());
        assertTrue(noticed.compareTo(WINDOW.plus(SLACK)) <= 0,
                "unreachable after " + noticed.toMillis() + " ms, the window is " + WINDOW.toMillis() + " ms");
        assertEquals("unreachable", nodeView(2).path("state").asText());
        assertEquals("ready", nodeView(1).path("state").asText());

        Api.Response refused = create("refused-" + suffix, ov, 2);
        assertEquals(503, refused.status(), refused.toString());
        assertTrue(refused.body().path("message").asText().startsWith("node " + hostNode(2) + " is unreachable"),
                refused.toString());
        assertEquals(404, api.get("/sandboxes/refused-" + suffix).status(), "nothing was scheduled");

        // the network changes while host 2 is away
        JsonNode c = sandbox("c-" + suffix, ov, 1);
        String cNetns = c.path("netns").asText();
        servers.add(Kernel.startIn(cNetns, "python3", "-c", OverlayEndToEndIT.HTTP_SERVER, "8080", "c"));
        String cAddress = endpoint(c, ov).path("ipAddress").asText();
        String cMac = endpoint(c, ov).path("macAddress").asText().toLowerCase();
        Kernel.Output fdbWhileDown = Kernel.execIn(host(2), "bridge", "fdb", "show", "dev", vxlan);
        assertEquals(0, fdbWhileDown.status(), fdbWhileDown.text());
        assertTrue(fdbWhileDown.text().contains("dst " + underlay(1)), "a's entry is there: " + fdbWhileDown.text());
        assertFalse(fdbWhileDown.text().contains(cMac), "nobody programmed host 2 while its agent was down");

        stack.startSimulatedAgent(hostNode(2), host(2));
        Duration back = awaitState(2, "ready", Duration.ofSeconds(120));
        System.out.println("RESULT ready_again_after_restart_ms=" + back.toMillis());

        // its endpoint was kept, not rebuilt
        until(Duration.ofSeconds(60), "b's sandbox and endpoint ready again", () -> {
            JsonNode now = api.get("/sandboxes/" + b.path("id").asText()).body();
            return now != null && "ready".equals(now.path("state").asText()) ? true : null;
        });
        assertEquals(bHostIfindex, ifindex(host(2), hostIfname(b, ov)), "the host end of b's veth was kept");
        assertEquals(bEth0Ifindex, ifindex(bNetns, "eth0"), "b's eth0 was kept");
        assertEquals(vxlan, vxlanDevice(2));
        assertEquals(vxlanIfindex, ifindex(host(2), vxlan), "the VXLAN device was kept");
        assertTrue(curl(aNetns, bAddress).startsWith("b "), "a still reaches b");

        // and the endpoint added meanwhile is programmed on host 2's VXLAN device
        until(Duration.ofSeconds(30), "FDB and neighbour entries for c on host 2's " + vxlan, () -> {
            String fdb = Kernel.execIn(host(2), "bridge", "fdb", "show", "dev", vxlan).text();
            String neighbours = Kernel.execIn(host(2), "ip", "neigh", "show", "dev", vxlan).text();
            boolean forwarded = fdb.lines().anyMatch(l -> l.startsWith(cMac + " ") && l.contains("dst " + underlay(1)));
            boolean resolved = neighbours.lines().anyMatch(l -> l.startsWith(cAddress + " ") && l.contains("lladdr " + cMac));
            if (!forwarded || !resolved) {
                throw new IllegalStateException("fdb:\n" + fdb + "neigh:\n" + neighbours); // shown on timeout
            }
            return true;
        });
        Kernel.Output ping = Kernel.execIn(bNetns, "ping", "-c", "1", "-W", "2", cAddress);
        assertEquals(0, ping.status(), "ping b -> c: " + ping.text());
        assertEquals("c " + bAddress, curl(bNetns, cAddress), "TCP b -> c");

        for (String name : List.copyOf(sandboxes.keySet())) {
            assertEquals(204, api.send("DELETE", "/sandboxes/" + name, null).status(), name);
            sandboxes.remove(name);
        }
        assertEquals(204, api.send("DELETE", "/networks/" + ov, null).status());
    }
}
