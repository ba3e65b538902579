package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
import io.netplane.events.data.SandboxRemoveRequested;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The host, none and container network modes through the real broker and PostgreSQL, the test playing
 * ipam-service and one node-agent as in {@link SandboxCallFlowTest}: what the intent says for each mode,
 * Docker's errors and warnings, and a shared namespace's owner kept until its sharers are gone (or forced).
 */
@QuarkusTest
@TestProfile(SandboxModesCallFlowTest.Profile.class)
class SandboxModesCallFlowTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-modes-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final Duration INTENT_WAIT = Duration.ofSeconds(10);
    static final String SHARED = "container sharing network namespace with another container or host cannot be "
            + "connected to any other network";

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;
    static Network user;

    @BeforeEach
    void nodeAndNetworks() {
        peer = new BrokerPeer(bootstrap, prefix);
        peer.publish(BrokerPeer.joined(NODE, "10.99.0.1", List.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + NODE + "' }.state"),
                        equalTo("ready"));
        if (user == null) {
            readyNetwork(BrokerPeer.network(BrokerPeer.randomId(), "host", "10.77.0.0/24", "10.77.0.1", true));
            Network base = BrokerPeer.network(BrokerPeer.randomId(), "none", "10.78.0.0/24", "10.78.0.1", true);
            readyNetwork(new Network(base.id(), "none", "null", "local", List.of(), false, false, false, Map.of(), Map.of(),
                    null, null, true, Instant.now()));
            user = readyNetwork(BrokerPeer.network(BrokerPeer.randomId(), "m1-" + BrokerPeer.suffix(), "172.28.0.0/16",
                    "172.28.0.1", false));
        }
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void hostModeDropsPortsWithDockersWarningAndCannotBeConnected() throws Exception {
        String name = "h-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\",\"network\":\"host\","
                + "\"ports\":[{\"containerPort\":80,\"hostPort\":18080}]}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals("host", requested.mode());
        assertEquals(List.of(), requested.networks(), "no endpoint: the host's own interfaces");
        assertEquals(List.of(), requested.ports(), "published ports are discarded");
        assertEquals(BrokerPeer.hostnameOf(NODE), requested.hostname(), "Docker: the host's own name, not the short id");
        Sandbox sandbox = new Sandbox(requested.sandboxId(), name, NODE, "host", null, requested.hostname(), null,
                List.of(), Instant.now());
        peer.publish(BrokerPeer.scheduled(intent.correlationId(), sandbox));
        // the node names the host's namespace itself and reports the name
        String netns = "np-" + sandbox.id().substring(0, 12);
        peer.publish(BrokerPeer.sandboxReady(intent.correlationId(), new Sandbox(sandbox.id(), name, NODE, "host", netns,
                sandbox.hostname(), null, List.of(), sandbox.created())));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        response.then().body("mode", equalTo("host")).body("state", equalTo("ready"))
                .body("warnings", equalTo(List.of("Published ports are discarded when using host network mode")));
        get("/api/v1/sandboxes/" + name).then().body("mode", equalTo("host")).body("warnings", equalTo(null))
                .body("netns", equalTo(netns));
        connect(user.name(), name).then().statusCode(400).body("message", equalTo(SHARED));
    }

    @Test
    void noneModeHasNoEndpointAndCannotBeConnected() throws Exception {
        String name = "n-" + BrokerPeer.suffix();
        create("{\"name\":\"" + name + "\",\"network\":\"none\",\"dns\":[\"dns.example\"]}").then().statusCode(400)
                .body("message", equalTo("dns.example is not an ip address"));
        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\",\"network\":\"none\",\"dns\":[\"192.0.2.53\"],"
                + "\"dnsSearch\":[\"example.test\"],\"dnsOptions\":[\"ndots:2\",\"timeout:1\"]}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals("none", requested.mode());
        assertEquals(List.of(), requested.networks());
        assertEquals(List.of("192.0.2.53"), requested.dns());
        assertEquals(List.of("example.test"), requested.dnsSearch());
        assertEquals(List.of("ndots:2", "timeout:1"), requested.dnsOptions());
        Sandbox sandbox = new Sandbox(requested.sandboxId(), name, NODE, "none", "np-" + requested.sandboxId().substring(0, 12),
                requested.hostname(), null, List.of(), Instant.now());
        answer(intent, sandbox);
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        response.then().body("mode", equalTo("none")).body("networks.size()", is(0)).body("warnings", equalTo(null));
        connect("none", name).then().statusCode(400).body("message", equalTo(
                "container cannot be connected to multiple networks with one of the networks in private (none) mode"));
    }

    @Test
    void containerModeSharesTheOtherSandboxAndKeepsItUntilForced() throws Exception {
        Sandbox owner = readySandbox("owner-" + BrokerPeer.suffix());
        String name = "cm-" + BrokerPeer.suffix();
        String mode = "container:" + owner.name();
        create("{\"name\":\"" + name + "\",\"network\":\"" + mode + "\",\"ports\":[{\"containerPort\":80}]}")
                .then().statusCode(400)
                .body("message", equalTo("conflicting options: port publishing and the container type network mode"));
        create("{\"name\":\"" + name + "\",\"network\":\"" + mode + "\",\"hostname\":\"x\"}").then().statusCode(400)
                .body("message", equalTo("conflicting options: hostname and the network mode"));
        create("{\"name\":\"" + name + "\",\"network\":\"" + mode + "\",\"dns\":[\"192.0.2.53\"]}").then().statusCode(400)
                .body("message", equalTo("conflicting options: dns and the network mode"));
        create("{\"name\":\"" + name + "\",\"network\":\"" + mode + "\",\"dnsOptions\":[\"ndots:1\"]}").then().statusCode(400)
                .body("message", equalTo("conflicting options: dns and the network mode"));
        create("{\"name\":\"" + name + "\",\"network\":\"container:nope-x\"}").then().statusCode(404)
                .body("message", equalTo("No such container: nope-x"));

        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\",\"network\":\"" + mode + "\"}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals("container", requested.mode());
        assertEquals(owner.id(), requested.containerOf(), "the name is resolved to the id");
        assertEquals(owner.node(), requested.node());
        assertEquals(owner.hostname(), requested.hostname(), "the sharer sees the other sandbox's hostname");
        assertEquals(List.of(), requested.networks());
        Sandbox sharer = new Sandbox(requested.sandboxId(), name, NODE, "container", owner.netns(), owner.hostname(),
                owner.id(), List.of(), Instant.now());
        answer(intent, sharer);
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        response.then().body("mode", equalTo("container")).body("containerOf", equalTo(owner.id()))
                .body("netns", equalTo(owner.netns()));
        connect(user.name(), name).then().statusCode(400).body("message", equalTo(SHARED));

        // the owner stays while a sandbox shares its namespace, unless forced
        given().delete("/api/v1/sandboxes/" + owner.name()).then().statusCode(409).body("message", equalTo(
                "cannot remove container " + owner.name() + ": its network namespace is shared by " + name
                        + " (network mode container:" + owner.name() + "); remove them first or force the removal"));
        CompletableFuture<Response> forced = CompletableFuture.supplyAsync(() -> given()
                .delete("/api/v1/sandboxes/" + owner.name() + "?force=true&timeout=20s"));
        Envelope remove = peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED)
                && owner.id().equals(e.data(SandboxRemoveRequested.class).sandboxId()), INTENT_WAIT);
        peer.publish(BrokerPeer.sandboxRemoved(remove.correlationId(), owner.id(), owner.name(), NODE));
        peer.publish(BrokerPeer.sandboxCleared(owner.id(), NODE));
        assertEquals(204, forced.get(20, TimeUnit.SECONDS).statusCode());
    }

    private void answer(Envelope intent, Sandbox sandbox) {
        peer.publish(BrokerPeer.scheduled(intent.correlationId(), sandbox));
        peer.publish(BrokerPeer.sandboxReady(intent.correlationId(), sandbox));
    }

    private static CompletableFuture<Response> post(String json) {
        return CompletableFuture.supplyAsync(() -> create(json, "?timeout=20s"));
    }

    private static Response create(String json) {
        return create(json, "");
    }

    private static Response create(String json, String query) {
        return given().contentType(ContentType.JSON).body(json).post("/api/v1/sandboxes" + query);
    }

    private static Response connect(String network, String sandbox) {
        return given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox + "\"}")
                .post("/api/v1/networks/" + network + "/connect");
    }

    private Envelope awaitCreateIntent(String name) {
        return peer.awaitIntent(e -> e.is(EventType.SANDBOX_CREATE_REQUESTED)
                && name.equals(e.data(SandboxCreateRequested.class).name()), INTENT_WAIT);
    }

    /** A bridge-mode sandbox as ipam and the agent would leave it, projected without a call. */
    private Sandbox readySandbox(String name) {
        String correlation = UUID.randomUUID().toString();
        Sandbox sandbox = BrokerPeer.sandbox(BrokerPeer.randomId(), name, NODE);
        Endpoint endpoint = BrokerPeer.endpoint(BrokerPeer.randomId(), sandbox.id(), user.id(), NODE, "eth0", "172.28.0.9",
                16, "172.28.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.scheduled(correlation, sandbox));
        peer.publish(BrokerPeer.allocated(correlation, endpoint));
        peer.publish(BrokerPeer.sandboxReady(correlation, sandbox));
        peer.publish(BrokerPeer.endpointReady(correlation, endpoint, 30));
        await().until(() -> {
            Response r = get("/api/v1/sandboxes/" + sandbox.id());
            return r.statusCode() == 200 && "ready".equals(r.jsonPath().getString("state"));
        });
        return sandbox;
    }

    private Network readyNetwork(Network network) {
        String correlation = UUID.randomUUID().toString();
        peer.publish(BrokerPeer.created(correlation, network));
        peer.publish(BrokerPeer.ready(correlation, network.id(), NODE, 11));
        await().until(() -> get("/api/v1/networks/" + network.id()).statusCode(), is(200));
        return network;
    }
}
