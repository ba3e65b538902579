package io.netplane.api;

import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.is;

/**
 * Sandbox requests api-service refuses by itself, before any intent, and sandbox lookups. No node is up in
 * this class (so "no ready node" can be tested); the sandboxes and networks looked up are projected from
 * the events this test publishes as ipam-service would.
 */
@QuarkusTest
@TestProfile(SandboxRequestValidationTest.Profile.class)
class SandboxRequestValidationTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-sbx-validation-" + BrokerPeer.suffix());
        }
    }

    static final String GONE = "gone-" + BrokerPeer.suffix();

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;

    @BeforeEach
    void connect() {
        peer = new BrokerPeer(bootstrap, prefix);
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void nameIsRequiredAndFollowsDockersRule() {
        create("{\"network\":\"bridge\"}").then().statusCode(400).body("message", equalTo("sandbox name is required"));
        create("{\"name\":\"bad name/x\"}").then().statusCode(400)
                .body("message", equalTo("Invalid container name (bad name/x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
        create("{\"name\":\"_x\"}").then().statusCode(400).body("message", containsString("Invalid container name (_x)"));
    }

    @Test
    void malformedBodiesAre400() {
        create("{\"name\":").then().statusCode(400).body("message", containsString("invalid JSON body"));
        create("").then().statusCode(400).body("message", equalTo("a JSON body is required, e.g. {\"name\": \"c1\"}"));
        create("{\"name\":\"x\",\"ports\":[{\"containerPort\":\"eighty\"}]}").then().statusCode(400)
                .body("message", containsString("invalid JSON body"));
        given().contentType(ContentType.JSON).body("").post("/api/v1/networks/bridge/connect").then().statusCode(400)
                .body("message", equalTo("a JSON body is required, e.g. {\"sandbox\": \"c1\"}"));
    }

    @Test
    void badPortsAre400WithDockersWording() {
        create("{\"name\":\"p1\",\"ports\":[{\"hostPort\":8080}]}").then().statusCode(400)
                .body("message", equalTo("invalid containerPort: null"));
        create("{\"name\":\"p1\",\"ports\":[{\"containerPort\":70000}]}").then().statusCode(400)
                .body("message", equalTo("invalid containerPort: 70000"));
        create("{\"name\":\"p1\",\"ports\":[{\"containerPort\":80,\"hostPort\":-1}]}").then().statusCode(400)
                .body("message", equalTo("invalid hostPort: -1"));
        create("{\"name\":\"p1\",\"ports\":[{\"containerPort\":80,\"hostPort\":65536}]}").then().statusCode(400)
                .body("message", equalTo("invalid hostPort: 65536"));
        create("{\"name\":\"p1\",\"ports\":[{\"containerPort\":80,\"protocol\":\"icmp\"}]}").then().statusCode(400)
                .body("message", equalTo("invalid proto: icmp"));
        create("{\"name\":\"p1\",\"ports\":[{\"containerPort\":80,\"hostIp\":\"localhost\"}]}").then().statusCode(400)
                .body("message", equalTo("invalid IP address: localhost"));
        create("{\"name\":\"p1\",\"ipv4Address\":\"10.123.300.1\"}").then().statusCode(400)
                .body("message", equalTo("Invalid IPv4 address: 10.123.300.1"));
    }

    @Test
    void unknownNetworkIs404AndNoReadyNodeIs503() {
        create("{\"name\":\"u1\",\"network\":\"nope-" + BrokerPeer.suffix() + "\"}").then().statusCode(404)
                .body("message", containsString("not found"));
        Network network = network("v-" + BrokerPeer.suffix());
        create("{\"name\":\"u1\",\"network\":\"" + network.name() + "\"}").then().statusCode(503)
                .body("message", equalTo("no node is ready to run sandbox u1: start a node-agent "
                        + "(GET /api/v1/nodes lists the nodes and their state)"));
        create("{\"name\":\"u1\",\"network\":\"" + network.name() + "\",\"node\":\"nosuchnode\"}").then().statusCode(404)
                .body("message", equalTo("node nosuchnode not found"));
        peer.publish(BrokerPeer.joined(GONE, "10.99.0.9", List.of(), Instant.now()));
        peer.publish(BrokerPeer.left(GONE));
        await().until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + GONE + "' }.state"),
                equalTo("left"));
        create("{\"name\":\"u1\",\"network\":\"" + network.name() + "\",\"node\":\"" + GONE + "\"}").then().statusCode(503)
                .body("message", equalTo("node " + GONE + " is left: it cannot run sandbox u1"));
        Network host = network("host");
        // host mode passes the checks: only the missing node stops it
        create("{\"name\":\"u1\",\"network\":\"" + host.id() + "\"}").then().statusCode(503)
                .body("message", startsWith("no node is ready to run sandbox u1"));
    }

    @Test
    void lookupsByIdNameAndPrefix() {
        Sandbox a = sandbox("look-" + BrokerPeer.suffix(), "aaaa");
        Sandbox b = sandbox("look-" + BrokerPeer.suffix(), "aaab");
        get("/api/v1/sandboxes/" + a.id()).then().statusCode(200).body("name", equalTo(a.name()));
        get("/api/v1/sandboxes/" + b.name()).then().statusCode(200).body("id", equalTo(b.id()));
        get("/api/v1/sandboxes/" + a.id().substring(0, 12)).then().statusCode(200).body("name", equalTo(a.name()));
        get("/api/v1/sandboxes/aaa").then().statusCode(400)
                .body("message", equalTo("multiple IDs found with provided prefix: aaa"));
        get("/api/v1/sandboxes/nope-x").then().statusCode(404).body("message", equalTo("No such container: nope-x"));
        given().delete("/api/v1/sandboxes/nope-x").then().statusCode(404).body("message", equalTo("No such container: nope-x"));
        // state pending: ipam allocated, the node has not reported
        get("/api/v1/sandboxes/" + a.name()).then().body("state", equalTo("pending"));

        // the name is taken: 409 before the missing node matters
        create("{\"name\":\"" + a.name() + "\"}").then().statusCode(409).body("message", equalTo(
                "Conflict. The container name \"/" + a.name() + "\" is already in use by container \"" + a.id()
                        + "\". You have to remove (or rename) that container to be able to reuse that name."));
    }

    @Test
    void connectChecksTheSandboxBeforeTheNetwork() {
        Sandbox s = sandbox("conn-" + BrokerPeer.suffix(), "bbbb");
        connect("nope-net", "{\"sandbox\":\"nope-sbx\"}").then().statusCode(404)
                .body("message", equalTo("No such container: nope-sbx"));
        connect("nope-net", "{\"sandbox\":\"" + s.name() + "\"}").then().statusCode(404)
                .body("message", equalTo("network nope-net not found"));
        connect("nope-net", "{\"sandbox\":\"\"}").then().statusCode(400)
                .body("message", equalTo("invalid name or ID supplied: \"\""));
        given().contentType(ContentType.JSON).body("{\"sandbox\":\"nope-sbx\"}").post("/api/v1/networks/nope-net/disconnect")
                .then().statusCode(404).body("message", equalTo("No such container: nope-sbx"));
        Network none = network("none");
        connect(none.id(), "{\"sandbox\":\"" + s.name() + "\"}").then().statusCode(400).body("message", equalTo(
                "container cannot be connected to multiple networks with one of the networks in private (none) mode"));
        Network n = network("w-" + BrokerPeer.suffix());
        connect(n.name(), "{\"sandbox\":\"" + s.name() + "\",\"ipv4Address\":\"1.2.3\"}").then().statusCode(400)
                .body("message", equalTo("Invalid IPv4 address: 1.2.3"));
        given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + s.name() + "\"}")
                .post("/api/v1/networks/" + n.name() + "/disconnect").then().statusCode(400)
                .body("message", equalTo("container " + s.id() + " is not connected to network " + n.name()));
    }

    private static io.restassured.response.Response create(String json) {
        return given().contentType(ContentType.JSON).body(json).post("/api/v1/sandboxes");
    }

    private static io.restassured.response.Response connect(String network, String json) {
        return given().contentType(ContentType.JSON).body(json).post("/api/v1/networks/" + network + "/connect");
    }

    /** A network as ipam would announce it (host and none as the predefined ones). */
    private Network network(String name) {
        Network base = BrokerPeer.network(BrokerPeer.randomId(), name, "10.77.0.0/24", "10.77.0.1",
                name.equals("host") || name.equals("none"));
        Network n = name.equals("none") ? new Network(base.id(), base.name(), "null", base.scope(), List.of(), false,
                false, false, Map.of(), Map.of(), null, null, true, Instant.now()) : base;
        peer.publish(BrokerPeer.created(UUID.randomUUID().toString(), n));
        await().until(() -> get("/api/v1/networks/" + n.id()).statusCode(), is(200));
        return n;
    }

    /** A sandbox as ipam would schedule it (no node reports it), with an id starting with {@code idStart}. */
    private Sandbox sandbox(String name, String idStart) {
        String id = idStart + BrokerPeer.randomId().substring(idStart.length());
        Sandbox s = BrokerPeer.sandbox(id, name, "node-x");
        Endpoint e = BrokerPeer.endpoint(BrokerPeer.randomId(), id, BrokerPeer.randomId(), "node-x", "eth0", "10.1.0.2", 24,
                "10.1.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.scheduled(UUID.randomUUID().toString(), s));
        peer.publish(BrokerPeer.allocated(UUID.randomUUID().toString(), e));
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/sandboxes/" + id).statusCode(), is(200));
        return s;
    }
}
