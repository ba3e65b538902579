package io.netplane.api.docker;

import io.netplane.api.BrokerPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real Docker CLI ({@code /usr/local/bin/docker}, 28.x) against a running api-service, for every
 * {@code docker network} subcommand and {@code docker version}: what it prints (stdout, stderr) and its exit
 * status must be what it printed against real Docker 20.10 (the captures in docker-captures/, from
 * /work/shared/docker-api), ids and timestamps aside. The same object names as the captures are used. The
 * answers of ipam and the node-agent come from {@link IpamAndAgentPlayer}, which publishes on the real broker
 * the events they would send; api-service, Kafka and PostgreSQL are real. The steps build on each other
 * (like the capture session), hence the order.
 */
@QuarkusTest
@TestProfile(DockerCliTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-docker-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/")
    URL url;

    static IpamAndAgentPlayer player;
    static DockerCli docker;

    @BeforeEach
    void stack() {
        if (!DockerCli.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the Docker CLI is missing at " + DockerCli.BINARY + " (set -Dnetplane.docker.cli=...)");
            }
            Assumptions.abort("no Docker CLI at " + DockerCli.BINARY);
        }
        if (player == null) {
            player = new IpamAndAgentPlayer(bootstrap, prefix, NODE);
            player.predefined();
            docker = new DockerCli("tcp://" + url.getHost() + ":" + url.getPort());
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/networks").jsonPath().getList("name").size(),
                    equalTo(3));
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/nodes").jsonPath()
                    .getString("find { it.name == '" + NODE + "' }.state"), equalTo("ready"));
        }
    }

    @AfterAll
    static void stop() {
        if (player != null) {
            player.close();
            assertEquals(List.of(), player.errors(), "the ipam/agent player failed");
            player = null;
        }
    }

    /** Runs the capture's command and compares output and exit status, ids and timestamps aside. */
    private DockerCli.Result same(String capture) {
        return same(capture, Map.of());
    }

    private DockerCli.Result same(String capture, Map<String, String> ours) {
        DockerCli.Capture expected = DockerCli.capture(capture);
        DockerCli.Result actual = docker.run(args(expected.command()));
        System.out.println(actual); // the transcript, for the build log
        String want = DockerCli.normalize(expected.output());
        String got = DockerCli.normalize(actual.output());
        for (Map.Entry<String, String> difference : ours.entrySet()) {
            got = got.replace(difference.getKey(), difference.getValue());
        }
        assertEquals(want, got, capture + ": " + actual);
        assertEquals(expected.exit(), actual.exit(), capture + ": " + actual);
        return actual;
    }

    /** The capture's command line, split as the shell did (the -f template is one argument). */
    private static String[] args(String command) {
        List<String> out = new ArrayList<>();
        String rest = command.substring("docker ".length());
        int template = rest.indexOf("{{");
        if (template >= 0) {
            int end = rest.lastIndexOf("}}") + 2;
            out.addAll(List.of(rest.substring(0, template).trim().split(" ")));
            out.add(rest.substring(template, end));
            out.addAll(List.of(rest.substring(end).trim().split(" ")));
        } else {
            out.addAll(List.of(rest.split(" ")));
        }
        return out.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void version() {
        DockerCli.Capture expected = DockerCli.capture("cli-01-version");
        DockerCli.Result actual = docker.run("version");
        assertEquals(0, actual.exit(), actual.toString());
        String client = expected.output().substring(0, expected.output().indexOf("\nServer"));
        assertTrue(actual.stdout().startsWith(client + "\nServer: netplane\n Engine:\n  Version:"), actual.toString());
        assertTrue(actual.stdout().contains("\n  API version:      1.41 (minimum version 1.12)\n"), actual.toString());
        assertTrue(actual.stdout().contains("\n  OS/Arch:          linux/amd64\n  Experimental:     false\n"), actual.toString());
        assertEquals("", actual.stderr());
    }

    @Test
    @Order(2)
    void listTheDefaultNetworks() {
        same("cli-02-network-ls");
        same("cli-02-network-ls-quiet");
        same("cli-02-network-ls-format-json");
        same("cli-02-network-ls-notrunc-filter");
    }

    @Test
    @Order(3)
    void create() {
        // the sandbox orc-cli-c1 on the default bridge, as `docker run --name orc-cli-c1` made it in the capture session
        given().contentType(ContentType.JSON).body("{\"name\":\"orc-cli-c1\"}").post("/api/v1/sandboxes")
                .then().statusCode(201);
        DockerCli.Result minimal = same("cli-03-network-create-minimal");
        String id = minimal.stdout().trim();
        get("/api/v1/networks/orc-cli-a").then().statusCode(200).body("id", equalTo(id));
        same("cli-03-network-create-full");
        same("cli-03-network-create-duplicate");
        same("cli-03-network-create-overlap");
        same("cli-03-network-create-gw-outside"); // refused by the CLI itself
        same("cli-03-network-create-gw-nosubnet");
        get("/api/v1/networks/orc-cli-b").then().body("internal", equalTo(true)).body("attachable", equalTo(true))
                .body("options.'com.docker.network.driver.mtu'", equalTo("1400")).body("labels.orc", equalTo("1"))
                .body("subnets[0].ipRange", equalTo("10.130.1.0/24")).body("subnets[0].gateway", equalTo("10.130.0.1"));
    }

    @Test
    @Order(4)
    void inspect() {
        same("cli-04-network-inspect");
        // netplane's default bridge is np0 where Docker's is docker0
        same("cli-04-network-inspect-multi", Map.of("\"np0\"", "\"docker0\""));
        DockerCli.Result format = docker.run("network", "inspect", "-f",
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "orc-cli-a");
        assertEquals(0, format.exit(), format.toString());
        assertTrue(format.stdout().matches("10\\.201\\.\\d+\\.0/24 10\\.201\\.\\d+\\.1\n"), format.toString()); // auto subnet
        DockerCli.Result verbose = docker.run("network", "inspect", "-v", "orc-cli-a");
        String subnet = format.stdout().split(" ")[0];
        String gateway = format.stdout().split(" ")[1].trim();
        assertEquals(DockerCli.normalize(DockerCli.capture("cli-04-network-inspect-verbose").output()),
                DockerCli.normalize(verbose.output()).replace(subnet, "192.168.16.0/20").replace(gateway, "192.168.16.1"),
                verbose.toString());
    }

    @Test
    @Order(5)
    void connect() {
        same("cli-05-network-connect");
        same("cli-05-network-connect-twice");
        same("cli-05-network-connect-unknown-container");
        same("cli-05-network-inspect-with-container");
        same("cli-06-network-rm-active");
    }

    @Test
    @Order(6)
    void disconnect() {
        same("cli-07-network-disconnect");
        same("cli-07-network-disconnect-again");
        same("cli-07-network-disconnect-force");
        get("/api/v1/networks/orc-cli-b").then().body("containers.size()", equalTo(0));
    }

    @Test
    @Order(7)
    void ambiguousIdPrefix() {
        // networks until two ids start with the same hex digit (at most 17 with the 3 predefined)
        List<String> ids = new ArrayList<>(get("/api/v1/networks").jsonPath().getList("id", String.class));
        List<String> made = new ArrayList<>();
        boolean done = false;
        try {
            while (sharedFirstDigit(ids) == null) {
                String name = "orc-amb-" + made.size();
                DockerCli.Result created = docker.run("network", "create", name);
                assertEquals(0, created.exit(), created.toString());
                ids.add(created.stdout().trim());
                made.add(name);
            }
            String prefix = sharedFirstDigit(ids);
            long matches = ids.stream().filter(id -> id.startsWith(prefix)).count();
            DockerCli.Result inspect = docker.run("network", "inspect", prefix);
            assertEquals("[]\nError response from daemon: " + matches + " matches found based on ID prefix: network "
                    + prefix + " is ambiguous\n", inspect.output());
            assertEquals(1, inspect.exit());
            DockerCli.Result rm = docker.run("network", "rm", prefix);
            assertEquals("Error response from daemon: network " + prefix + " is ambiguous (" + matches
                    + " matches found based on ID prefix)\nexit status 1\n", rm.output());
            assertEquals(1, rm.exit());
            DockerCli.Result connect = docker.run("network", "connect", prefix, "orc-cli-c1");
            assertEquals("Error response from daemon: network " + prefix + " is ambiguous (" + matches
                    + " matches found based on ID prefix)\n", connect.output());
            assertEquals(1, connect.exit());
            done = true;
        } finally {
            if (!made.isEmpty()) {
                List<String> rmAll = new ArrayList<>(List.of("network", "rm"));
                rmAll.addAll(made);
                DockerCli.Result removed = docker.run(rmAll.toArray(String[]::new));
                if (done) {
                    assertEquals(String.join("\n", made) + "\n", removed.output());
                    assertEquals(0, removed.exit());
                }
            }
        }
    }

    private static String sharedFirstDigit(List<String> ids) {
        Map<Character, Integer> counts = new HashMap<>();
        ids.forEach(id -> counts.merge(id.charAt(0), 1, Integer::sum));
        return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> String.valueOf(e.getKey()))
                .findFirst().orElse(null);
    }

    @Test
    @Order(8)
    void remove() {
        same("cli-08-network-rm-predefined");
        same("cli-08-network-rm-unknown");
        same("cli-08-network-rm-unknown-force");
        same("cli-08-network-rm-two");
        get("/api/v1/networks/orc-cli-a").then().statusCode(404);
        get("/api/v1/networks/orc-cli-b").then().statusCode(404);
    }

    @Test
    @Order(9)
    void prune() {
        assertEquals(0, docker.run("network", "create", "--label", "orc.prune=1", "orc-cli-p1").exit());
        assertEquals(0, docker.run("network", "create", "orc-cli-p2").exit());
        same("cli-09-network-prune-filter");
        get("/api/v1/networks/orc-cli-p2").then().statusCode(200);
        same("cli-09-network-prune");
        same("cli-09-network-prune-nothing");
        // a network with an endpoint is kept, silently
        assertEquals(0, docker.run("network", "create", "orc-cli-p3").exit());
        assertEquals(0, docker.run("network", "connect", "orc-cli-p3", "orc-cli-c1").exit());
        DockerCli.Result kept = docker.run("network", "prune", "-f");
        assertEquals("", kept.output(), kept.toString());
        get("/api/v1/networks/orc-cli-p3").then().statusCode(200);
        DockerCli.Result final_ = docker.run("network", "ls");
        assertEquals("NETWORK ID     NAME         DRIVER    SCOPE\n<short-id>   bridge       bridge    local\n"
                + "<short-id>   host         host      local\n<short-id>   none         null      local\n"
                + "<short-id>   orc-cli-p3   bridge    local\n", DockerCli.normalize(final_.output()));
    }

    /** What the CLI does not show: headers, exact bodies and statuses of the raw API (docker-facts §10). */
    @Test
    @Order(10)
    void rawApi() {
        var ping = given().head("/_ping");
        assertEquals(200, ping.statusCode());
        assertEquals("1.41", ping.header("Api-Version"));
        assertEquals("false", ping.header("Docker-Experimental"));
        assertEquals("linux", ping.header("Ostype"));
        assertEquals("no-cache, no-store, must-revalidate", ping.header("Cache-Control"));
        assertEquals("no-cache", ping.header("Pragma"));
        assertEquals("0", ping.header("Content-Length"));
        assertEquals("OK", get("/v1.24/_ping").asString());
        assertEquals("{\"message\":\"client version 1.50 is too new. Maximum supported API version is 1.41\"}\n",
                get("/v1.50/networks").then().statusCode(400).contentType("application/json").extract().asString());
        get("/v1.11/networks").then().statusCode(400);
        assertEquals("1.41", get("/version").jsonPath().getString("ApiVersion"));
        get("/v1.41/info").then().statusCode(200).body("Swarm.LocalNodeState", equalTo("inactive"));

        String bridge = get("/v1.41/networks/bridge").then().statusCode(200).extract().asString();
        assertTrue(bridge.endsWith("}\n"));
        assertEquals(List.of("Name", "Id", "Created", "Scope", "Driver", "EnableIPv6", "IPAM", "Internal", "Attachable",
                "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Options", "Labels"),
                new ArrayList<>(io.restassured.path.json.JsonPath.from(bridge).getMap("").keySet()));
        get("/v1.41/networks/bridge").then().body("Containers.size()", equalTo(1)).body("IPAM.Options", equalTo(null));
        get("/v1.41/networks").then().body("find { it.Name == 'bridge' }.Containers.size()", equalTo(0));
        given().queryParam("filters", "{\"foo\":{\"x\":true}}").get("/networks").then().statusCode(400).body("message", equalTo("Invalid filter 'foo'"));
        given().queryParam("filters", "{\"type\":{\"foo\":true}}").get("/networks").then().statusCode(500)
                .body("message", equalTo("invalid filter: 'type'='foo'"));
        given().queryParam("filters", "{\"type\":{\"builtin\":true}}").get("/networks").then().body("Name", equalTo(List.of("bridge", "host", "none")));
        given().queryParam("filters", "{\"type\":{\"custom\":true}}").get("/networks").then().body("Name", equalTo(List.of("orc-cli-p3")));
        given().queryParam("filters", "{\"dangling\":{\"true\":true}}").get("/networks").then().body("Name", equalTo(List.of()));
        given().queryParam("filters", "{\"label\":{\"nope\":true}}").get("/networks").then().body("Name", equalTo(List.of()));
        get("/networks/bridge?scope=swarm").then().statusCode(404);

        given().body("{\"Name\":\"\"}").post("/v1.41/networks/create").then().statusCode(500)
                .body("message", equalTo("invalid name: "));
        given().body("{\"Name\":\"host\"}").post("/v1.41/networks/create").then().statusCode(403)
                .body("message", equalTo("operation is not permitted on predefined host network "));
        given().body("{\"Name\":\"x\",\"Driver\":\"host\"}").post("/v1.41/networks/create").then().statusCode(403)
                .body("message", equalTo("only one instance of \"host\" network is allowed"));
        given().body("{\"Name\":\"x\",\"Driver\":\"orcnodriver\"}").post("/networks/create").then().statusCode(404)
                .body("message", equalTo("plugin \"orcnodriver\" not found"));
        given().body("{\"Name\":").post("/networks/create").then().statusCode(400).body("message", equalTo("unexpected EOF"));
        given().post("/networks/orc-cli-p3/connect").then().statusCode(400)
                .body("message", equalTo("got EOF while reading request body"));
        given().body("{\"Container\":\"\"}").post("/networks/orc-cli-p3/connect").then().statusCode(400)
                .body("message", equalTo("invalid name or ID supplied: \"\""));
        given().body("{\"Container\":\"orc-cli-c1\"}").post("/networks/host/connect").then().statusCode(400)
                .body("message", equalTo("container cannot be disconnected from host network or connected to host network"));
        var disconnected = given().body("{\"Container\":\"orc-cli-c1\",\"Force\":false}").post("/v1.41/networks/orc-cli-p3/disconnect");
        assertEquals(200, disconnected.statusCode(), disconnected.asString());
        assertEquals("0", disconnected.header("Content-Length"));
        assertEquals(null, disconnected.header("Content-Type"));
        assertEquals(204, given().delete("/v1.41/networks/orc-cli-p3").statusCode());
        get("/networks/orc-cli-p3").then().statusCode(404).body("message", equalTo("network orc-cli-p3 not found"));
        assertEquals("{\"NetworksDeleted\":null}\n", given().post("/v1.41/networks/prune").asString());
        given().queryParam("filters", "{\"foo\":{\"x\":true}}").post("/networks/prune").then().statusCode(400)
                .body("message", equalTo("Invalid filter 'foo'"));
    }
}
