package io.netplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.netplane.e2e.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8's replay through the real command: after a realistic session on the real stack (networks, sandboxes
 * with published ports, connect, disconnect, removals), {@code deploy/netplane replay --verify} says consistent;
 * it reports differences planted by hand in ipam's and api's schemas (entity, field, both values, exit 1);
 * {@code deploy/netplane replay --restore} after both schemas are dropped gives the same API answers as before,
 * publishes nothing to the agents (desired and status unchanged, the veths untouched), and the next allocations
 * continue as before the loss (lowest free address and port, next-fit past a removed network's subnet, ethN).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayEndToEndIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final String suffix = Stack.randomHex(6);
    private final String node = "e2e-" + suffix;
    private final String prefix = "npe2e-" + suffix;
    private Stack stack;
    private Api api;
    private final Map<String, String> ids = new LinkedHashMap<>();
    private String goneSubnet;

    @BeforeAll
    void startStack() throws Exception {
        Stack.start(new Stack.Settings(node, prefix, "npe" + suffix, "npe2e_" + suffix), started -> stack = started);
        api = new Api(stack.apiPort());
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "node " + node + " ready", () -> "ready".equals(
                api.get("/nodes/" + node).body().path("state").asText()) ? true : null);
    }

    @AfterAll
    void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private String name(String base) {
        return base + "-" + suffix;
    }

    private JsonNode post(String path, Object body, int status) throws Exception {
        Api.Response r = api.send("POST", path, body);
        assertEquals(status, r.status(), r.toString());
        return r.body();
    }

    @Test
    @Order(1)
    void verifyIsConsistentAfterARealisticSession() throws Exception {
        ids.put("a", post("/networks", Map.of("name", name("rp-a")), 201).path("id").asText());
        ids.put("gone", post("/networks", Map.of("name", name("rp-gone")), 201).path("id").asText());
        goneSubnet = api.get("/networks/" + ids.get("gone")).body().path("subnets").path(0).path("subnet").asText();
        ids.put("b", post("/networks", Map.of("name", name("rp-b"),
                "ipam", Map.of("config", List.of(Map.of("subnet", "10.231.0.0/24")))), 201).path("id").asText());
        post("/sandboxes", Map.of("name", name("s1"), "network", name("rp-a"), "ports", List.of(
                Map.of("containerPort", 80, "hostPort", 0), Map.of("containerPort", 443, "hostPort", 18443))), 201);
        post("/sandboxes", Map.of("name", name("s2"), "network", name("rp-a")), 201);
        ids.put("s3", post("/sandboxes", Map.of("name", name("s3"), "network", name("rp-a"),
                "ports", List.of(Map.of("containerPort", 8080, "hostPort", 0))), 201).path("id").asText());
        post("/networks/" + name("rp-b") + "/connect", Map.of("sandbox", name("s2")), 200);
        post("/networks/" + name("rp-a") + "/disconnect", Map.of("sandbox", name("s2")), 200);
        assertEquals(204, api.send("DELETE", "/sandboxes/" + name("s1"), null).status());
        assertEquals(204, api.send("DELETE", "/networks/" + name("rp-gone"), null).status());

        Replay verify = replay("--verify");
        assertEquals(0, verify.exit(), verify.output());
        // bridge, host, none, rp-a, rp-b; s2 on rp-b, s3 on rp-a; s3's port
        assertTrue(verify.output().contains("consistent: 5 networks, 2 endpoints, 1 ports"), verify.output());
    }

    @Test
    @Order(2)
    void verifyReportsDifferencesPlantedByHand() throws Exception {
        String endpoint = api.get("/sandboxes/" + ids.get("s3")).body().path("networks").path(name("rp-a"))
                .path("endpointId").asText();
        String address;
        try (Connection c = stack.database(); Statement s = c.createStatement();
             var row = s.executeQuery("select host(address) from ipam.endpoints where id = '" + endpoint + "'")) {
            assertTrue(row.next(), "endpoint " + endpoint + " in ipam.endpoints");
            address = row.getString(1);
        }
        try (Connection c = stack.database(); Statement s = c.createStatement()) {
            s.executeUpdate("update ipam.endpoints set address = '10.231.0.99' where id = '" + endpoint + "'");
            s.executeUpdate("update api.networks set name = 'planted' where id = '" + ids.get("b") + "'");
        }
        try {
            Replay verify = replay("--verify");
            assertEquals(1, verify.exit(), verify.output());
            assertTrue(verify.output().contains("difference: endpoint " + endpoint + " address: log=" + address
                    + "/32 database=10.231.0.99/32"), verify.output());
            assertTrue(verify.output().contains("difference: network " + ids.get("b") + " name: log=" + name("rp-b")
                    + " database=planted"), verify.output());
            assertTrue(verify.output().contains("inconsistent"), verify.output());
        } finally {
            try (Connection c = stack.database(); Statement s = c.createStatement()) {
                s.executeUpdate("update ipam.endpoints set address = '" + address + "' where id = '" + endpoint + "'");
                s.executeUpdate("update api.networks set name = '" + name("rp-b") + "' where id = '" + ids.get("b") + "'");
            }
        }
        assertEquals(0, replay("--verify").exit());
    }

    @Test
    @Order(3)
    void restoreAfterTheSchemasAreDroppedGivesTheSameAnswersAndTheNextAllocationsContinue() throws Exception {
        Map<String, String> before = answers();
        Map<TopicPartition, Long> agentsSee = endOffsets("desired", "status");
        String veth = "vnp" + api.get("/sandboxes/" + ids.get("s3")).body().path("networks").path(name("rp-a"))
                .path("endpointId").asText().substring(0, 12);
        int ifindex = Kernel.link(veth).path("ifindex").asInt();

        stack.stopService("api-service");
        stack.stopService("ipam-service");
        try (Connection c = stack.database(); Statement s = c.createStatement()) {
            s.execute("drop schema ipam cascade");
            s.execute("drop schema api cascade");
        }
        Replay restore = replay("--restore");
        assertEquals(0, restore.exit(), restore.output());
        assertTrue(restore.output().contains("restored: 5 networks, 2 endpoints, 1 ports"), restore.output());
        stack.startService("ipam-service");
        stack.startService("api-service");
        stack.awaitHealthy(START_TIMEOUT);
        until(Duration.ofSeconds(60), "node " + node + " ready again", () -> "ready".equals(
                api.get("/nodes/" + node).body().path("state").asText()) ? true : null);
        Map<String, String> after = answers();
        for (int i = 0; i < 90 && !after.equals(before); i++) { // the agent's next heartbeat, the index's first poll
            Thread.sleep(500);
            after = answers();
        }
        for (String key : before.keySet()) {
            assertEquals(before.get(key), after.get(key), key + " after the restore");
        }
        assertEquals(before, after);
        assertEquals(agentsSee, endOffsets("desired", "status"), "nothing new for the agents");
        assertEquals(ifindex, Kernel.link(veth).path("ifindex").asInt(), veth + " untouched");
        assertEquals(0, replay("--verify").exit());

        // the next decisions are the ones the lost database would have made
        JsonNode s5 = post("/sandboxes", Map.of("name", name("s5"), "network", name("rp-a"),
                "ports", List.of(Map.of("containerPort", 80, "hostPort", 0))), 201);
        String subnetA = api.get("/networks/" + ids.get("a")).body().path("subnets").path(0).path("subnet").asText();
        String base = subnetA.substring(0, subnetA.lastIndexOf('.'));
        // s1 (.2, port 32768) was removed and s2 (.3) disconnected: the lowest free ones come back
        assertEquals(base + ".2", s5.path("networks").path(name("rp-a")).path("ipAddress").asText(), s5.toString());
        assertEquals(32768, s5.path("ports").path(0).path("hostPort").asInt(), s5.toString());
        JsonNode s2 = post("/networks/" + name("rp-a") + "/connect", Map.of("sandbox", name("s2")), 200);
        assertEquals("eth2", api.get("/sandboxes/" + name("s2")).body().path("networks").path(name("rp-a"))
                .path("ifname").asText(), "s2 had eth0 and eth1: " + s2);
        String next = post("/networks", Map.of("name", name("rp-next")), 201).path("subnets").path(0).path("subnet").asText();
        assertNotEquals(goneSubnet, next, "next-fit goes on past the removed network's subnet, as before the loss");
        assertEquals(0, replay("--verify").exit());
    }

    /** What clients read: the native API and ipam's read API, with what moves by itself (heartbeats) left out. */
    private Map<String, String> answers() throws Exception {
        Map<String, String> out = new TreeMap<>();
        out.put("networks", api.get("/networks").raw());
        out.put("sandboxes", api.get("/sandboxes").raw());
        for (String id : ids.values()) {
            boolean sandbox = id.equals(ids.get("s3"));
            out.put(id, api.get((sandbox ? "/sandboxes/" : "/networks/") + id).raw());
            out.put(id + "/history", api.get((sandbox ? "/sandboxes/" : "/networks/") + id + "/history?limit=1000").raw());
        }
        out.put("s2", api.get("/sandboxes/" + name("s2")).raw());
        out.put("events", api.get("/events?limit=1000&type=network.created").raw());
        JsonNode nodeView = api.get("/nodes/" + node).body();
        out.put("node", nodeView.path("name").asText() + " " + nodeView.path("state").asText());
        String ipam = "http://127.0.0.1:" + stack.ipamPort();
        out.put("ipam networks", http(ipam + "/ipam/networks"));
        out.put("ipam pools", http(ipam + "/ipam/pools"));
        out.put("ipam ports", http(ipam + "/ipam/nodes/" + node + "/ports"));
        for (String key : List.of("a", "b")) {
            out.put("ipam " + key, http(ipam + "/ipam/networks/" + ids.get(key)));
        }
        return out;
    }

    private static String http(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private Map<TopicPartition, Long> endOffsets(String... suffixes) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.clientEnvironment().get("KAFKA_BOOTSTRAP_SERVERS")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String s : suffixes) {
                consumer.partitionsFor(prefix + "." + s).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            return new java.util.HashMap<>(consumer.endOffsets(partitions));
        }
    }

    record Replay(int exit, String output) {
    }

    /** The real command, pointed at this stack by its environment. */
    private Replay replay(String mode) throws Exception {
        Path repo = Path.of(System.getProperty("netplane.repo", "..")).toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder("bash", repo.resolve("deploy/netplane").toString(), "replay", mode)
                .redirectErrorStream(true);
        builder.environment().putAll(stack.clientEnvironment());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "replay " + mode + " ended");
        System.out.println("deploy/netplane replay " + mode + " → exit " + p.exitValue() + "\n" + output);
        return new Replay(p.exitValue(), output);
    }
}
