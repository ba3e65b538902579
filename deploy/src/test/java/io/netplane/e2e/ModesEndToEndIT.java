package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host, none and container network modes through the real stack (REST → ipam → agent → kernel), each
 * checked in the kernel: host mode names the agent's own namespace, none has only lo, a container-mode sandbox
 * is in the very namespace of the other one and reaches its server on 127.0.0.1; a sandbox's default route
 * follows Docker's rule (first non-internal network by name) through REST connects and disconnects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModesEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2m-" + suffix;
    private final String defaultBridge = "npm" + suffix;
    private Stack stack;
    private Api api;

    @BeforeAll
    void startStack() throws Exception {
        Stack.start(new Stack.Settings(node, "npe2m-" + suffix, defaultBridge, "npe2m_" + suffix), started -> stack = started);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "node " + node + " ready and bridge network built", () -> {
            JsonNode bridge = api.get("/networks/bridge").body();
            return bridge != null && "ready".equals(bridge.path("nodes").path(node).path("state").asText()) ? true : null;
        });
    }

    @AfterAll
    void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void hostModeNamesTheHostNamespaceAndDropsPorts() throws Exception {
        Api.Response created = api.send("POST", "/sandboxes", Map.of("name", "h1-" + suffix, "network", "host",
                "ports", List.of(Map.of("containerPort", 80))));
        JsonNode h1 = created.expect(201);
        assertEquals("host", h1.path("mode").asText(), h1.toString());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), h1.path("hostname").asText(),
                "Docker: a host-mode container has the host's name (the node is called " + node + ")");
        assertEquals("Published ports are discarded when using host network mode", h1.path("warnings").path(0).asText());
        assertEquals(0, h1.path("ports").size(), h1.toString());
        String netns = h1.path("netns").asText(null);
        assertNotNull(netns, "the name under /run/netns: " + h1);
        assertTrue(Kernel.namespaces().contains(netns), "ip netns list shows " + netns);
        // the agent runs in this host's namespace: the name is that namespace
        assertEquals(Kernel.namespaceInode("/proc/self/ns/net"), Kernel.namespaceInode(netns));
        assertNotNull(Kernel.linkIn(netns, defaultBridge), "the host's bridge " + defaultBridge + " is seen inside " + netns);
        assertEquals(0, h1.path("networks").size(), "no endpoint, no veth: " + h1);

        Api.Response connect = api.send("POST", "/networks/bridge/connect", Map.of("sandbox", "h1-" + suffix));
        assertEquals(400, connect.status(), connect.toString());
        assertEquals("container sharing network namespace with another container or host cannot be connected to any "
                + "other network", connect.body().path("message").asText());

        assertEquals(204, api.send("DELETE", "/sandboxes/h1-" + suffix, null).status());
        assertFalse(Kernel.namespaces().contains(netns), netns + " unmounted");
        assertNotNull(Kernel.link(defaultBridge), "the host kept its interfaces");
    }

    @Test
    void noneModeHasOnlyLoopback() throws Exception {
        JsonNode n1 = api.send("POST", "/sandboxes", Map.of("name", "n1-" + suffix, "network", "none",
                "dns", List.of("192.0.2.53"), "dnsOptions", List.of("ndots:2"))).expect(201);
        assertEquals("none", n1.path("mode").asText(), n1.toString());
        String netns = n1.path("netns").asText();
        Kernel.Output links = Kernel.execIn(netns, "ip", "-o", "link", "show");
        assertEquals(0, links.status(), links.text());
        assertEquals(1, links.text().lines().count(), "only lo: " + links.text());
        assertTrue(links.text().contains(": lo:") && links.text().contains("UP"), links.text());
        assertEquals("", Kernel.execIn(netns, "ip", "route", "show").text().strip(), "no route");
        // its own nameserver and options replace the host's in the resolv.conf ip netns exec shows it
        List<String> resolvConf = until(Duration.ofSeconds(10), "resolv.conf of " + netns, () -> {
            Kernel.Output out = Kernel.execIn(netns, "cat", "/etc/resolv.conf");
            return out.status() == 0 && out.text().contains("192.0.2.53") ? out.text().lines().toList() : null;
        });
        assertEquals(List.of("nameserver 192.0.2.53"), resolvConf.stream().filter(l -> l.startsWith("nameserver")).toList());
        assertEquals(List.of("options ndots:2"), resolvConf.stream().filter(l -> l.startsWith("options")).toList());
        assertEquals(204, api.send("DELETE", "/sandboxes/n1-" + suffix, null).status());
        assertFalse(Kernel.namespaces().contains(netns), netns + " removed");
    }

    @Test
    void containerModeSharesTheNamespaceOfTheOtherSandbox() throws Exception {
        JsonNode web = api.send("POST", "/sandboxes", Map.of("name", "web1-" + suffix)).expect(201);
        String webNetns = web.path("netns").asText();
        Api.Response conflict = api.send("POST", "/sandboxes", Map.of("name", "cm1-" + suffix,
                "network", "container:web1-" + suffix, "ports", List.of(Map.of("containerPort", 80))));
        assertEquals(400, conflict.status(), conflict.toString());
        assertEquals("conflicting options: port publishing and the container type network mode",
                conflict.body().path("message").asText());

        JsonNode cm1 = api.send("POST", "/sandboxes", Map.of("name", "cm1-" + suffix,
                "network", "container:web1-" + suffix)).expect(201);
        assertEquals("container", cm1.path("mode").asText(), cm1.toString());
        assertEquals(web.path("id").asText(), cm1.path("containerOf").asText());
        String netns = cm1.path("netns").asText();
        assertEquals(Kernel.namespaceInode(webNetns), Kernel.namespaceInode(netns), "the same namespace");
        assertNotNull(Kernel.linkIn(netns, "eth0"), "the sharer sees web1's eth0");

        Process server = Kernel.startIn(webNetns, "python3", "-c", QUIET_HTTP_SERVER, "8080");
        try {
            String body = until(Duration.ofSeconds(15), "cm1 reaches web1's server on 127.0.0.1:8080", () -> {
                Kernel.Output out = Kernel.execIn(netns, "curl", "-s", "--noproxy", "*", "-m", "2", "http://127.0.0.1:8080/");
                return out.status() == 0 && !out.text().isBlank() ? out.text() : null;
            });
            assertTrue(body.contains("netplane-e2e"), body);
        } finally {
            server.destroyForcibly();
        }

        Api.Response refused = api.send("DELETE", "/sandboxes/web1-" + suffix, null);
        assertEquals(409, refused.status(), refused.toString());
        assertTrue(Kernel.namespaces().contains(webNetns), "web1 stays while cm1 shares it");
        assertEquals(204, api.send("DELETE", "/sandboxes/cm1-" + suffix, null).status());
        assertTrue(Kernel.namespaces().contains(webNetns), "cm1's removal left web1's namespace");
        assertNotNull(Kernel.linkIn(webNetns, "eth0"), "and web1's eth0");
        assertEquals(204, api.send("DELETE", "/sandboxes/web1-" + suffix, null).status());
        assertFalse(Kernel.namespaces().contains(webNetns), webNetns + " removed");
    }

    @Test
    void theDefaultRouteFollowsTheFirstNonInternalNetworkByNameAtConnectAndDisconnect() throws Exception {
        String netB = "net-b-" + suffix;
        String netA = "net-a-" + suffix;
        String internal = "aaa-int-" + suffix; // sorts first, but internal: never the default route
        String gatewayB = gatewayOf(api.send("POST", "/networks", Map.of("name", netB)).expect(201));
        String gatewayA = gatewayOf(api.send("POST", "/networks", Map.of("name", netA)).expect(201));
        api.send("POST", "/networks", Map.of("name", internal, "internal", true)).expect(201);
        String name = "dr-" + suffix;
        String netns = api.send("POST", "/sandboxes", Map.of("name", name, "network", netB)).expect(201).path("netns").asText();
        try {
            assertEquals(List.of("default via " + gatewayB + " dev eth0"), defaultRoutes(netns));
            api.send("POST", "/networks/" + netA + "/connect", Map.of("sandbox", name)).expect(200);
            assertEquals(List.of("default via " + gatewayA + " dev eth1"), defaultRoutes(netns), "net-a < net-b");
            api.send("POST", "/networks/" + internal + "/connect", Map.of("sandbox", name)).expect(200);
            assertNotNull(Kernel.linkIn(netns, "eth2"), "eth2 for the internal network");
            assertEquals(List.of("default via " + gatewayA + " dev eth1"), defaultRoutes(netns), "internal: no move");
            api.send("POST", "/networks/" + netA + "/disconnect", Map.of("sandbox", name)).expect(200);
            assertEquals(List.of("default via " + gatewayB + " dev eth0"), defaultRoutes(netns), "back to net-b");
            api.send("POST", "/networks/" + netA + "/connect", Map.of("sandbox", name)).expect(200);
            // eth1 is down and without an address from the disconnect on; its device goes in the agent's next
            // batched delete (within 0.2 s)
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Kernel.linkIn(netns, "eth1") != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(null, Kernel.linkIn(netns, "eth1"), "numbers only grow: eth1 is not reused");
            assertEquals(List.of("default via " + gatewayA + " dev eth3"), defaultRoutes(netns));
            api.send("POST", "/networks/" + netB + "/disconnect", Map.of("sandbox", name)).expect(200);
            api.send("POST", "/networks/" + netA + "/disconnect", Map.of("sandbox", name)).expect(200);
            assertEquals(List.of(), defaultRoutes(netns), "only the internal network is left");
        } finally {
            api.send("DELETE", "/sandboxes/" + name, null);
            for (String network : List.of(netA, netB, internal)) {
                api.send("DELETE", "/networks/" + network, null);
            }
        }
    }

    private static String gatewayOf(JsonNode network) {
        return network.path("subnets").path(0).path("gateway").asText();
    }

    /** {@code ip netns exec NETNS ip -4 route show default}, one line per route. */
    private static List<String> defaultRoutes(String netns) throws Exception {
        Kernel.Output out = Kernel.execIn(netns, "ip", "-4", "route", "show", "default");
        assertEquals(0, out.status(), out.text());
        return out.text().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** An HTTP server that answers every GET with a fixed body and skips reverse DNS (it stalls in a netns). */
    private static final String QUIET_HTTP_SERVER = String.join("\n",
            "import http.server, sys",
            "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        self.send_response(200); self.end_headers(); self.wfile.write(b'netplane-e2e')",
            "    def log_message(self, *a): pass",
            "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()");
}
