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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-host through the real stack (issue 7): three simulated hosts — network namespaces on an underlay bridge
 * (in a namespace of its own, addresses from 198.18.0.0/15) — each run by a real agent (runner jar, its kernel
 * work inside its host's namespace); an overlay network created over REST with a sandbox on each host: TCP and
 * DNS by name between every pair; a sandbox on another overlay network reaches none of them; a published port
 * of host 2 answers at host 2's underlay address from host 3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverlayEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final int HOSTS = 3;

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2o-" + suffix;
    private final String underlaySwitch = "npe2o-sw-" + suffix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final Map<String, JsonNode> sandboxes = new LinkedHashMap<>();
    private Stack stack;
    private Api api;

    private String host(int i) { return "npe2o-h" + i + "-" + suffix; }

    private String hostNode(int i) { return node + "-h" + i; }

    private static String underlay(int i) { return SimulatedUnderlay.address(i); }

    @BeforeAll
    void startStackAndHosts() throws Exception {
        Stack.start(new Stack.Settings(node, "npe2o-" + suffix, "npo" + suffix, "npe2o_" + suffix), started -> stack = started);
        SimulatedUnderlay.startHosts(stack, underlaySwitch, HOSTS, this::host, this::hostNode, namespaces);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "the simulated hosts ready with their underlay addresses", () -> {
            JsonNode nodes = api.get("/nodes").body();
            int ready = 0;
            for (JsonNode n : nodes == null ? List.<JsonNode>of() : nodes) {
                for (int i = 1; i <= HOSTS; i++) {
                    if (hostNode(i).equals(n.path("name").asText()) && "ready".equals(n.path("state").asText())
                            && underlay(i).equals(n.path("underlayAddress").asText())) {
                        ready++;
                    }
                }
            }
            return ready == HOSTS ? true : null;
        });
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
                for (int i = 1; i <= HOSTS; i++) { // the simulated agents' records of their namespaces
                    all.addAll(Stack.recordedNamespaces(hostNode(i)));
                }
                all.addAll(namespaces); // the hosts last: their links (bridges, VXLAN devices, veths) go with them
                Kernel.deleteNamespaces(all);
            }
        }
    }


    private JsonNode sandbox(String name, String network, int host, Object ports) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", name, "network", network, "node", hostNode(host)));
        if (ports != null) {
            body.put("ports", ports);
        }
        JsonNode created = api.send("POST", "/sandboxes", body).expect(201);
        sandboxes.put(name, created);
        assertEquals(hostNode(host), created.path("node").asText(), created.toString());
        return created;
    }

    private static String address(JsonNode sandbox, String network) {
        return sandbox.path("networks").path(network).path("ipAddress").asText();
    }

    @Test
    void sandboxesOnThreeHostsTalkByAddressAndNameAndStayApartFromAnotherOverlay() throws Exception {
        String ov = "ov-" + suffix;
        String other = "ov2-" + suffix;
        JsonNode created = api.send("POST", "/networks", Map.of("name", ov, "driver", "overlay")).expect(201);
        assertEquals("overlay", created.path("driver").asText(), created.toString());
        assertEquals("swarm", created.path("scope").asText(), created.toString());
        api.send("POST", "/networks", Map.of("name", other, "driver", "overlay")).expect(201);

        int hostPort = 21000 + Integer.parseInt(Stack.randomHex(3), 16) % 4000;
        String[] names = new String[HOSTS + 1];
        for (int i = 1; i <= HOSTS; i++) {
            names[i] = "c" + i + "-" + suffix;
            sandbox(names[i], ov, i, i == 2 ? List.of(Map.of("containerPort", 8080, "hostPort", hostPort)) : null);
        }
        JsonNode outsider = sandbox("x-" + suffix, other, 3, null);

        for (int i = 1; i <= HOSTS; i++) {
            String netns = sandboxes.get(names[i]).path("netns").asText();
            servers.add(Kernel.startIn(netns, "python3", "-c", HTTP_SERVER, "8080", names[i]));
        }
        for (int from = 1; from <= HOSTS; from++) {
            String netns = sandboxes.get(names[from]).path("netns").asText();
            for (int to = 1; to <= HOSTS; to++) {
                if (from == to) {
                    continue;
                }
                String target = address(sandboxes.get(names[to]), ov);
                Kernel.Output byName = Kernel.execIn(netns, "getent", "hosts", names[to]);
                assertEquals(0, byName.status(), "DNS " + names[from] + " -> " + names[to] + ": " + byName.text());
                assertTrue(byName.text().startsWith(target + " "), byName.text());
                String expected = names[to];
                String body = until(Duration.ofSeconds(20), "TCP " + names[from] + " -> " + expected + " by name", () -> {
                    Kernel.Output out = Kernel.execIn(netns, "curl", "-s", "--noproxy", "*", "-m", "2",
                            "http://" + expected + ":8080/");
                    return out.status() == 0 && out.text().startsWith(expected) ? out.text() : null;
                });
                assertEquals(names[to] + " " + address(sandboxes.get(names[from]), ov), body);
            }
        }

        // another overlay network, on the same host as c3: reaches none of them, by address or by name
        String outsiderNetns = outsider.path("netns").asText();
        for (int to = 1; to <= HOSTS; to++) {
            Kernel.Output out = Kernel.execIn(outsiderNetns, "curl", "-s", "--noproxy", "*", "-m", "2",
                    "http://" + address(sandboxes.get(names[to]), ov) + ":8080/");
            assertNotEquals(0, out.status(), "the other overlay reached " + names[to] + ": " + out.text());
            assertEquals(2, Kernel.execIn(outsiderNetns, "getent", "hosts", names[to]).status(),
                    "a name of another network does not resolve");
        }

        // host 2's published port, at host 2's underlay address, from host 3 (not from a sandbox)
        JsonNode c2 = sandboxes.get(names[2]);
        assertEquals(hostPort, c2.path("ports").path(0).path("hostPort").asInt(), c2.toString());
        String published = until(Duration.ofSeconds(20), "host 3 reaches " + underlay(2) + ":" + hostPort, () -> {
            Kernel.Output out = Kernel.execIn(host(3), "curl", "-s", "--noproxy", "*", "-m", "2",
                    "http://" + underlay(2) + ":" + hostPort + "/");
            return out.status() == 0 && !out.text().isBlank() ? out.text() : null;
        });
        assertTrue(published.startsWith(names[2] + " "), published);

        for (String name : List.copyOf(sandboxes.keySet())) {
            assertEquals(204, api.send("DELETE", "/sandboxes/" + name, null).status(), name);
            sandboxes.remove(name);
        }
        until(Duration.ofSeconds(20), "no host keeps the overlay devices", () -> {
            for (int i = 1; i <= HOSTS; i++) {
                Kernel.Output links = Kernel.execIn(host(i), "ip", "-o", "link", "show", "type", "vxlan");
                if (!links.text().isBlank()) {
                    return null;
                }
            }
            return true;
        });
        assertEquals(204, api.send("DELETE", "/networks/" + ov, null).status());
        assertEquals(204, api.send("DELETE", "/networks/" + other, null).status());
    }

    /** Answers every GET with "NAME CLIENT-ADDRESS"; skips reverse DNS (it stalls in a netns). */
    static final String HTTP_SERVER = String.join("\n",
            "import http.server, socketserver, sys",
            "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        body = (sys.argv[2] + ' ' + self.client_address[0]).encode()",
            "        self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers()",
            "        self.wfile.write(body)",
            "    def log_message(self, *a): pass",
            "class S(http.server.ThreadingHTTPServer):",
            "    def server_bind(self):",
            "        socketserver.TCPServer.server_bind(self); self.server_name, self.server_port = 's', self.server_address[1]",
            "S(('0.0.0.0', int(sys.argv[1])), H).serve_forever()");
}
