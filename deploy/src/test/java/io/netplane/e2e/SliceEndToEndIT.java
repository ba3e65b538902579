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
        Stack.start(new Stack.Settings(node, "npe2e-" + suffix, defaultBridge), started -> stack = started);
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
