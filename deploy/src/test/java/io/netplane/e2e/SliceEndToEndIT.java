package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first slice through the real stack: the three runner jars as child processes on the real broker
 * and PostgreSQL, a REST call that ends in a Linux bridge made by the agent through netlink, and back.
 * The agent runs under strace so the test can prove it started no process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SliceEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2e-" + suffix;
    // never np0: a stack started with `deploy/netplane up` may own that one on this host
    private final String defaultBridge = "npe" + suffix;
    private Stack stack;
    private Api api;

    @BeforeAll
    void startStack() throws Exception {
        // the consumer keeps the stack before anything starts, so @AfterAll cleans up a half-started one
        Stack.start(new Stack.Settings(node, "npe2e-" + suffix, defaultBridge, "npe2e_" + suffix), started -> stack = started);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
    }

    @AfterAll
    void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void agentJoinsAndPredefinedNetworksExist() throws Exception {
        JsonNode named = until(Duration.ofSeconds(60), "node " + node + " ready in GET /api/v1/nodes", () -> {
            JsonNode n = findByName(api.get("/nodes").body(), node);
            return n != null && "ready".equals(n.path("state").asText()) ? n : null;
        });
        assertNotNull(named);

        JsonNode networks = api.get("/networks").expect(200);
        List<String> names = new ArrayList<>();
        networks.forEach(n -> names.add(n.path("name").asText()));
        assertTrue(names.containsAll(List.of("bridge", "host", "none")), "predefined networks in " + names);

        // the default bridge is built by this test's agent under the name it was given
        JsonNode bridge = until(Duration.ofSeconds(60), "network bridge ready on " + node,
                () -> readyOn(api.get("/networks/bridge").body(), node));
        assertEquals(defaultBridge, bridge.path("nodes").path(node).path("bridge").asText(), bridge.toString());
        Kernel.Bridge link = Kernel.bridge(defaultBridge);
        assertNotNull(link, "ip -d -j addr show " + defaultBridge);
        assertTrue(link.alias().startsWith("netplane:" + node + ":"), "alias of " + defaultBridge + ": " + link.alias());
    }

    @Test
    @Order(2)
    void createInspectAndRemoveANetwork() throws Exception {
        JsonNode predefined = api.get("/networks/bridge").expect(200);
        String bridgeSubnet = predefined.path("subnets").path(0).path("subnet").asText();

        Api.Response created = api.send("POST", "/networks", Map.of("name", "n1"));
        assertEquals(201, created.status(), created.toString());
        JsonNode n1 = created.body();
        String id = n1.path("id").asText();
        assertTrue(id.matches("[0-9a-f]{64}"), "id " + id);
        String subnet = n1.path("subnets").path(0).path("subnet").asText();
        String gateway = n1.path("subnets").path(0).path("gateway").asText();
        String bridgeName = "np-" + id.substring(0, 12);

        // every route of this host except the one of the new bridge itself
        List<Kernel.Route> routes = Kernel.routes().stream().filter(r -> !bridgeName.equals(r.dev())).toList();
        for (Kernel.Route r : routes) {
            assertFalse(Cidr.overlap(subnet, r.dst()), subnet + " overlaps route " + r);
        }
        assertFalse(Cidr.overlap(subnet, bridgeSubnet), subnet + " overlaps the bridge network " + bridgeSubnet);
        assertEquals(Cidr.firstHost(subnet), gateway, "gateway of " + subnet);
        boolean quietHost = routes.stream().noneMatch(r -> Cidr.overlap("172.18.0.0/16", r.dst()))
                && !Cidr.overlap("172.18.0.0/16", bridgeSubnet);
        if (quietHost) {
            assertEquals("172.18.0.0/16", subnet, "first of Docker's default pools nobody routes");
            assertEquals("172.18.0.1", gateway);
        }

        // the call returns once the node has built it
        Kernel.Bridge link = Kernel.bridge(bridgeName);
        assertNotNull(link, bridgeName + " after 201");
        assertTrue(link.up(), bridgeName + " is up: " + link);
        assertTrue(link.addresses().contains(gateway + "/" + Cidr.prefixLength(subnet)), bridgeName + " holds " + gateway + ": " + link);
        assertTrue(link.alias().startsWith("netplane:" + node + ":"), "alias " + link.alias());

        JsonNode inspected = until(Duration.ofSeconds(10), "n1 ready on " + node,
                () -> readyOn(api.get("/networks/n1").body(), node));
        assertEquals(id, inspected.path("id").asText());
        assertEquals(subnet, inspected.path("subnets").path(0).path("subnet").asText());
        assertEquals(bridgeName, inspected.path("nodes").path(node).path("bridge").asText(), inspected.toString());

        assertUserError(api.send("POST", "/networks", Map.of("name", "n1")), 409);
        assertUserError(api.send("POST", "/networks", Map.of("name", "bad name!")), 400);
        assertUserError(api.send("DELETE", "/networks/bridge", null), 403);

        Api.Response removed = api.send("DELETE", "/networks/n1", null);
        assertEquals(204, removed.status(), removed.toString());
        until(Duration.ofSeconds(15), bridgeName + " removed from the kernel", () -> Kernel.bridge(bridgeName) == null ? true : null);
        assertEquals(404, api.get("/networks/n1").status());
    }

    @Test
    @Order(3)
    void sandboxesOnANetworkGetAddressesVethsAndReachEachOther() throws Exception {
        JsonNode net = api.send("POST", "/networks", Map.of("name", "web")).expect(201);
        String subnet = net.path("subnets").path(0).path("subnet").asText();
        String gateway = net.path("subnets").path(0).path("gateway").asText();
        String bridgeName = net.path("bridge").asText();

        JsonNode c1 = api.send("POST", "/sandboxes", Map.of("name", "c1-" + suffix, "network", "web",
                "ports", List.of(Map.of("containerPort", 8080, "hostPort", 0)))).expect(201);
        JsonNode c2 = api.send("POST", "/sandboxes", Map.of("name", "c2-" + suffix, "network", "web")).expect(201);
        String ip1 = c1.path("networks").path("web").path("ipAddress").asText();
        String ip2 = c2.path("networks").path("web").path("ipAddress").asText();
        // lowest free address first, after the gateway (Docker: .2, .3)
        assertEquals(Cidr.host(subnet, 2), ip1, c1.toString());
        assertEquals(Cidr.host(subnet, 3), ip2, c2.toString());
        assertEquals(Cidr.dockerMac(ip1), c1.path("networks").path("web").path("macAddress").asText(), c1.toString());

        for (JsonNode sandbox : List.of(c1, c2)) {
            String netns = sandbox.path("netns").asText();
            JsonNode endpoint = sandbox.path("networks").path("web");
            assertTrue(Kernel.namespaces().contains(netns), "ip netns list shows " + netns);
            JsonNode eth0 = Kernel.linkIn(netns, "eth0");
            assertNotNull(eth0, "eth0 in " + netns);
            assertEquals(endpoint.path("macAddress").asText(), eth0.path("address").asText(), eth0.toString());
            assertTrue(eth0.toString().contains("\"local\":\"" + endpoint.path("ipAddress").asText() + "\""), eth0.toString());
            assertEquals(gateway, Kernel.defaultGatewayIn(netns), "default route of " + netns);
            JsonNode lo = Kernel.linkIn(netns, "lo");
            assertTrue(lo.path("flags").toString().contains("UP"), "lo up in " + netns + ": " + lo);

            String hostEnd = "vnp" + endpoint.path("endpointId").asText().substring(0, 12);
            JsonNode host = Kernel.link(hostEnd);
            assertNotNull(host, "host end " + hostEnd);
            assertEquals(bridgeName, host.path("master").asText(), hostEnd + " on " + bridgeName + ": " + host);
            assertTrue(host.path("ifalias").asText("").startsWith("netplane:" + node + ":"), host.toString());
            // each end's iflink is the other end's ifindex
            assertEquals(host.path("ifindex").asInt(), eth0.path("link_index").asInt(eth0.path("iflink").asInt()), eth0.toString());
        }

        String ns2 = c2.path("netns").asText();
        Kernel.Output ping = Kernel.execIn(ns2, "ping", "-c", "1", "-W", "2", ip1);
        assertEquals(0, ping.status(), "c2 pings c1 at " + ip1 + ": " + ping.text());

        // the embedded DNS at 127.0.0.11 in c2's namespace knows c1 by name and by short id (a user network)
        Kernel.Output byName = Kernel.execIn(ns2, "getent", "hosts", "c1-" + suffix);
        assertEquals(0, byName.status(), "getent hosts c1 in " + ns2 + ": " + byName.text());
        assertTrue(byName.text().startsWith(ip1 + " "), byName.text());
        Kernel.Output byId = Kernel.execIn(ns2, "getent", "hosts", c1.path("id").asText().substring(0, 12));
        assertTrue(byId.text().startsWith(ip1 + " "), "short id: " + byId.text());
        assertEquals(2, Kernel.execIn(ns2, "getent", "hosts", "nobody-" + suffix).status(), "unknown name: NXDOMAIN");

        // the published port answers on the host's loopback (nftables DNAT, no proxy process)
        int hostPort = c1.path("ports").path(0).path("hostPort").asInt();
        assertTrue(hostPort >= 32768, "ephemeral host port " + c1.path("ports"));
        Process server = Kernel.startIn(c1.path("netns").asText(), "python3", "-c", QUIET_HTTP_SERVER, "8080");
        try {
            String body = until(Duration.ofSeconds(15), "GET 127.0.0.1:" + hostPort + " reaches c1:8080",
                    () -> Kernel.httpGet("127.0.0.1", hostPort));
            assertTrue(body.contains("netplane-e2e"), body);
        } finally {
            server.destroyForcibly();
        }

        for (JsonNode sandbox : List.of(c1, c2)) {
            Api.Response removed = api.send("DELETE", "/sandboxes/" + sandbox.path("name").asText(), null);
            assertEquals(204, removed.status(), removed.toString());
            String netns = sandbox.path("netns").asText();
            String hostEnd = "vnp" + sandbox.path("networks").path("web").path("endpointId").asText().substring(0, 12);
            assertFalse(Kernel.namespaces().contains(netns), netns + " removed");
            until(Duration.ofSeconds(10), hostEnd + " gone", () -> Kernel.link(hostEnd) == null ? true : null);
        }
        // the addresses are free again: the next sandbox gets the lowest one
        JsonNode c3 = api.send("POST", "/sandboxes", Map.of("name", "c3-" + suffix, "network", "web")).expect(201);
        assertEquals(ip1, c3.path("networks").path("web").path("ipAddress").asText(), c3.toString());
        assertEquals(204, api.send("DELETE", "/sandboxes/c3-" + suffix, null).status());
        assertEquals(204, api.send("DELETE", "/networks/web", null).status());
    }

    /** An HTTP server that answers every GET with a fixed body and skips reverse DNS (it stalls in a netns). */
    private static final String QUIET_HTTP_SERVER = String.join("\n",
            "import http.server, sys",
            "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        self.send_response(200); self.end_headers(); self.wfile.write(b'netplane-e2e')",
            "    def log_message(self, *a): pass",
            "http.server.HTTPServer(('0.0.0.0', int(sys.argv[1])), H).serve_forever()");

    @Test
    @Order(4)
    void theDockerCliDrivesTheRealStack() throws Exception {
        Stack.require(java.nio.file.Files.isExecutable(java.nio.file.Path.of(DockerCli.BINARY)), "the docker CLI at " + DockerCli.BINARY);
        DockerCli docker = new DockerCli(stack.apiPort());
        DockerCli.Result version = docker.run("version", "--format", "{{.Server.APIVersion}}");
        assertEquals(0, version.exit(), version.toString());
        assertEquals("1.41", version.stdout().trim(), version.toString());

        DockerCli.Result created = docker.run("network", "create", "dk-" + suffix);
        assertEquals(0, created.exit(), created.toString());
        String id = created.stdout().trim();
        assertTrue(id.matches("[0-9a-f]{64}"), created.toString());
        DockerCli.Result listed = docker.run("network", "ls", "--format", "{{.Name}}");
        assertTrue(listed.stdout().lines().toList().containsAll(List.of("bridge", "host", "none", "dk-" + suffix)), listed.toString());
        String bridgeName = "np-" + id.substring(0, 12);
        Kernel.Bridge link = Kernel.bridge(bridgeName);
        assertNotNull(link, "docker network create built " + bridgeName + " through the agent");
        DockerCli.Result subnet = docker.run("network", "inspect", "dk-" + suffix, "-f", "{{(index .IPAM.Config 0).Subnet}}");
        assertTrue(link.addresses().contains(Cidr.firstHost(subnet.stdout().trim()) + "/" + Cidr.prefixLength(subnet.stdout().trim())),
                subnet + " / " + link);

        // a live sandbox hot-plugs eth1 on connect and loses it on disconnect
        JsonNode c = api.send("POST", "/sandboxes", Map.of("name", "dk-c-" + suffix, "network", "bridge")).expect(201);
        String netns = c.path("netns").asText();
        DockerCli.Result connected = docker.run("network", "connect", "dk-" + suffix, "dk-c-" + suffix);
        assertEquals(0, connected.exit(), connected.toString());
        JsonNode eth1 = Kernel.linkIn(netns, "eth1");
        assertNotNull(eth1, "eth1 in " + netns + " after docker network connect");
        DockerCli.Result busy = docker.run("network", "rm", "dk-" + suffix);
        assertEquals(1, busy.exit(), busy.toString());
        assertTrue(busy.stderr().contains("has active endpoints"), busy.toString());
        DockerCli.Result disconnected = docker.run("network", "disconnect", "dk-" + suffix, "dk-c-" + suffix);
        assertEquals(0, disconnected.exit(), disconnected.toString());
        // the disconnected veth is down at once; its device goes in the agent's next batched delete (a03983a)
        until(Duration.ofSeconds(5), "eth1 gone after disconnect",
                () -> Kernel.linkIn(netns, "eth1") == null ? true : null);
        assertEquals(204, api.send("DELETE", "/sandboxes/dk-c-" + suffix, null).status());

        DockerCli.Result predefined = docker.run("network", "rm", "bridge");
        assertEquals(1, predefined.exit(), predefined.toString());
        assertTrue(predefined.stderr().startsWith("Error response from daemon: bridge is a pre-defined network and cannot be removed"),
                predefined.toString());
        DockerCli.Result removed = docker.run("network", "rm", "dk-" + suffix);
        assertEquals(0, removed.exit(), removed.toString());
        assertEquals("dk-" + suffix, removed.stdout().trim());
        until(Duration.ofSeconds(15), bridgeName + " removed", () -> Kernel.bridge(bridgeName) == null ? true : null);
    }

    @Test
    @Order(9)
    void agentStartedNoProcess() throws Exception {
        List<String> execs = stack.stopAgentAndReadExecs();
        String hint = execs.stream().anyMatch(e -> e.contains("ldconfig"))
                ? " -- JNA's NativeLibrary runs '/sbin/ldconfig -p' when the class initialises unless the system"
                + " property jna.platform.library.path is already set" : "";
        assertEquals(1, execs.size(), "execve calls of the agent (only the java launch itself expected): " + execs + hint);
        assertTrue(execs.get(0).contains("java"), execs.get(0));
    }

    private static void assertUserError(Api.Response response, int status) {
        assertEquals(status, response.status(), response.toString());
        String message = response.body() == null ? "" : response.body().path("message").asText("");
        assertFalse(message.isBlank(), "JSON body with a message: " + response);
    }

    /** The object named {@code name} in an array (or in an object's array field), or null. */
    private static JsonNode findByName(JsonNode tree, String name) {
        if (tree == null) {
            return null;
        }
        if (tree.isObject() && name.equals(tree.path("name").asText(null))) {
            return tree;
        }
        for (JsonNode child : tree) {
            if (child.isContainerNode()) {
                JsonNode found = findByName(child, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static JsonNode readyOn(JsonNode network, String node) {
        return network != null && "ready".equals(network.path("nodes").path(node).path("state").asText()) ? network : null;
    }

    static Path logFolder() throws Exception {
        Path dir = Path.of(System.getProperty("netplane.e2e.logs", "target/e2e"));
        Files.createDirectories(dir);
        return dir;
    }
}
