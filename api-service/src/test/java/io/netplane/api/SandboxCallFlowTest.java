package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointConnectRequested;
import io.netplane.events.data.EndpointDisconnectRequested;
import io.netplane.events.data.EndpointRequest;
import io.netplane.events.data.Network;
import io.netplane.events.data.PortBinding;
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
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sandbox create/remove and connect/disconnect calls through the real broker and PostgreSQL. The test
 * plays ipam-service and one node-agent: it reads api-service's intents and publishes what they would
 * answer (sandbox.scheduled, endpoint.allocated/released, sandbox.removed, rejections; sandbox.ready/
 * failed/cleared, endpoint.ready/failed/cleared), keyed by the sandbox id as the contract says. What is
 * tested is api-service's intents, waiting, projection and compensation; the real ipam and agent are
 * tested in their modules and together in the end-to-end test.
 */
@QuarkusTest
@TestProfile(SandboxCallFlowTest.Profile.class)
class SandboxCallFlowTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-sandbox-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final Duration INTENT_WAIT = Duration.ofSeconds(30); // the first request of a class warms up slowly on a busy machine

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;
    static Network bridge;
    static Network user;
    static Network other;

    @BeforeEach
    void nodeAndNetworks() {
        peer = new BrokerPeer(bootstrap, prefix);
        peer.publish(BrokerPeer.joined(NODE, "10.99.0.1", List.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + NODE + "' }.state"),
                        equalTo("ready"));
        if (bridge == null) {
            bridge = readyNetwork(BrokerPeer.network(BrokerPeer.randomId(), "bridge", "172.17.0.0/16", "172.17.0.1", true));
            user = readyNetwork(BrokerPeer.network(BrokerPeer.randomId(), "n1-" + BrokerPeer.suffix(), "172.18.0.0/16",
                    "172.18.0.1", false));
            other = readyNetwork(BrokerPeer.network(BrokerPeer.randomId(), "n2-" + BrokerPeer.suffix(), "172.19.0.0/16",
                    "172.19.0.1", false));
        }
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void createAnswers201OnlyAfterScheduledAllocatedAndReadyInAnyOrder() throws Exception {
        String name = "c-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                // the actor is who authenticated: a header claiming another name is ignored
                .auth().preemptive().basic("alice", TestCredentials.ALICE_PASSWORD).header("X-Netplane-Actor", "mallory")
                .contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"network\":\"" + user.name() + "\",\"aliases\":[\"web\"],"
                        + "\"ports\":[{\"containerPort\":80,\"hostPort\":18080},{\"containerPort\":53,\"protocol\":\"UDP\","
                        + "\"hostIp\":\"127.0.0.1\"}]}")
                .post("/api/v1/sandboxes?timeout=20s"));
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals("alice", intent.actor());
        assertTrue(requested.sandboxId().matches("[0-9a-f]{64}"), requested.sandboxId());
        assertEquals(requested.sandboxId(), intent.subject().id(), "intents are keyed by the sandbox id");
        assertEquals(NODE, requested.node());
        assertEquals("bridge", requested.mode());
        assertEquals(requested.sandboxId().substring(0, 12), requested.hostname());
        assertEquals(1, requested.networks().size());
        EndpointRequest wanted = requested.networks().get(0);
        assertEquals(user.id(), wanted.networkId());
        assertTrue(wanted.endpointId().matches("[0-9a-f]{64}"));
        assertNotEquals(requested.sandboxId(), wanted.endpointId());
        assertEquals(List.of("web"), wanted.aliases());
        assertNull(wanted.ipv4Address());
        assertEquals(List.of(new PortBinding("tcp", "0.0.0.0", 18080, 80), new PortBinding("udp", "127.0.0.1", 0, 53)),
                requested.ports());

        Sandbox sandbox = BrokerPeer.sandbox(requested.sandboxId(), name, NODE);
        Endpoint endpoint = BrokerPeer.endpoint(wanted.endpointId(), sandbox.id(), user.id(), NODE, "eth0", "172.18.0.2",
                16, "172.18.0.1", List.of(new PortBinding("tcp", "0.0.0.0", 18080, 80),
                        new PortBinding("udp", "127.0.0.1", 32768, 53)), List.of("web"));
        // the status topic may overtake the changes topic
        peer.publish(BrokerPeer.endpointReady(intent.correlationId(), endpoint, 40));
        peer.publish(BrokerPeer.sandboxReady(intent.correlationId(), sandbox));
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before ipam scheduled the sandbox");
        peer.publish(BrokerPeer.scheduled(intent.correlationId(), sandbox));
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before ipam allocated the endpoint");
        peer.publish(BrokerPeer.allocated(intent.correlationId(), endpoint));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        assertEquals(intent.correlationId(), response.header("X-Netplane-Operation"));
        assertTrue(response.header("Location").endsWith("/api/v1/sandboxes/" + sandbox.id()));
        String net = "networks.'" + user.name() + "'";
        response.then().body("id", equalTo(sandbox.id())).body("name", equalTo(name)).body("node", equalTo(NODE))
                .body("mode", equalTo("bridge")).body("netns", equalTo("np-" + sandbox.id().substring(0, 12)))
                .body("hostname", equalTo(sandbox.id().substring(0, 12))).body("state", equalTo("ready"))
                .body(net + ".networkId", equalTo(user.id())).body(net + ".endpointId", equalTo(endpoint.id()))
                .body(net + ".ifname", equalTo("eth0")).body(net + ".ipAddress", equalTo("172.18.0.2"))
                .body(net + ".prefixLength", is(16)).body(net + ".gateway", equalTo("172.18.0.1"))
                .body(net + ".macAddress", equalTo("02:42:ac:12:00:02")).body(net + ".aliases", equalTo(List.of("web")))
                .body(net + ".state", equalTo("ready"))
                .body("ports[0].protocol", equalTo("tcp")).body("ports[0].hostIp", equalTo("0.0.0.0"))
                .body("ports[0].hostPort", is(18080)).body("ports[0].containerPort", is(80))
                .body("ports[1].hostPort", is(32768)).body("created", startsWith(sandbox.created().toString().substring(0, 19))); // PostgreSQL keeps microseconds
        // read-your-writes: the read model had it before the answer
        get("/api/v1/operations/" + intent.correlationId()).then().statusCode(200)
                .body("kind", equalTo("sandbox.create")).body("state", equalTo("succeeded")).body("status", is(201))
                .body("target", equalTo(sandbox.id())).body("result.name", equalTo(name));
        get("/api/v1/sandboxes/" + name).then().statusCode(200).body("id", equalTo(sandbox.id()));
        get("/api/v1/sandboxes/" + sandbox.id()).then().statusCode(200).body("name", equalTo(name));
        get("/api/v1/sandboxes/" + sandbox.id().substring(0, 10)).then().statusCode(200).body("name", equalTo(name));
        get("/api/v1/sandboxes").then().statusCode(200).body("name", hasItem(name));
        get("/api/v1/networks/" + user.name()).then().statusCode(200)
                .body("containers.'" + sandbox.id() + "'.name", equalTo(name))
                .body("containers.'" + sandbox.id() + "'.endpointId", equalTo(endpoint.id()))
                .body("containers.'" + sandbox.id() + "'.ipv4Address", equalTo("172.18.0.2/16"));

        // the name is taken now
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/sandboxes")
                .then().statusCode(409).body("message", equalTo("Conflict. The container name \"/" + name
                        + "\" is already in use by container \"" + sandbox.id()
                        + "\". You have to remove (or rename) that container to be able to reuse that name."));
    }

    @Test
    void theDefaultNetworkIsBridgeAndAsyncAnswers202() {
        String name = "d-" + BrokerPeer.suffix();
        Response response = given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"node\":\"" + NODE + "\",\"hostname\":\"web1\"}")
                .post("/api/v1/sandboxes?wait=false");
        assertEquals(202, response.statusCode(), response.asString());
        String operation = response.jsonPath().getString("operation");
        Envelope intent = awaitCreateIntent(name);
        assertEquals(operation, intent.correlationId());
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals(bridge.id(), requested.networks().get(0).networkId());
        assertEquals("web1", requested.hostname());
        get("/api/v1/operations/" + operation).then().body("state", equalTo("pending")).body("kind", equalTo("sandbox.create"));

        Sandbox sandbox = BrokerPeer.sandbox(requested.sandboxId(), name, NODE);
        Endpoint endpoint = BrokerPeer.endpoint(requested.networks().get(0).endpointId(), sandbox.id(), bridge.id(), NODE,
                "eth0", "172.17.0.2", 16, "172.17.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.scheduled(operation, sandbox));
        peer.publish(BrokerPeer.allocated(operation, endpoint));
        await().until(() -> get("/api/v1/sandboxes/" + name).statusCode(), is(200));
        get("/api/v1/sandboxes/" + name).then().body("state", equalTo("pending"))
                .body("networks.bridge.state", equalTo("allocated"));
        peer.publish(BrokerPeer.sandboxReady(operation, sandbox));
        peer.publish(BrokerPeer.endpointReady(operation, endpoint, 12));
        await().until(() -> get("/api/v1/operations/" + operation).jsonPath().getString("state"), equalTo("succeeded"));
        get("/api/v1/operations/" + operation).then().body("status", is(201)).body("result.state", equalTo("ready"));
        get("/api/v1/sandboxes/" + name).then().body("state", equalTo("ready")).body("networks.bridge.ipAddress",
                equalTo("172.17.0.2"));
    }

    @Test
    void endpointFailureAnswers500AndRemovesTheSandboxOnce() throws Exception {
        String name = "f-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\",\"network\":\"" + user.id() + "\"}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        Sandbox sandbox = BrokerPeer.sandbox(requested.sandboxId(), name, NODE);
        Endpoint endpoint = BrokerPeer.endpoint(requested.networks().get(0).endpointId(), sandbox.id(), user.id(), NODE,
                "eth0", "172.18.0.3", 16, "172.18.0.1", List.of(), List.of());
        String error = "create veth vnp" + endpoint.id().substring(0, 12) + ": File exists (EEXIST)";
        peer.publish(BrokerPeer.scheduled(intent.correlationId(), sandbox));
        peer.publish(BrokerPeer.allocated(intent.correlationId(), endpoint));
        peer.publish(BrokerPeer.sandboxReady(intent.correlationId(), sandbox));
        peer.publish(BrokerPeer.endpointFailed(intent.correlationId(), endpoint, error));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(500, response.statusCode(), response.asString());
        response.then().body("message", equalTo(NODE + ": " + error)).body("details.operation", equalTo(intent.correlationId()));
        Envelope compensation = peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED)
                && intent.correlationId().equals(e.correlationId()), INTENT_WAIT);
        assertEquals(sandbox.id(), compensation.data(SandboxRemoveRequested.class).sandboxId());
        assertEquals(sandbox.id(), compensation.subject().id());
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("failed")).body("status", is(500));
        get("/api/v1/sandboxes/" + name).then().body("state", equalTo("failed"))
                .body("error", equalTo(error)).body("networks.'" + user.name() + "'.state", equalTo("failed"));

        // a redelivered failure, or the sandbox failing too, must not remove it twice
        peer.publish(BrokerPeer.endpointFailed(intent.correlationId(), endpoint, error));
        peer.publish(BrokerPeer.sandboxFailed(intent.correlationId(), sandbox.id(), NODE, "later"));
        long removes = peer.drainIntents(Duration.ofSeconds(1)).stream()
                .filter(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED) && intent.correlationId().equals(e.correlationId()))
                .count();
        assertEquals(1, removes);
    }

    @Test
    void aFailureThatOvertakesIpamsAnswerStillDecides() throws Exception {
        String name = "ff-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\"}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        Endpoint endpoint = BrokerPeer.endpoint(requested.networks().get(0).endpointId(), requested.sandboxId(),
                bridge.id(), NODE, "eth0", "172.17.0.9", 16, "172.17.0.1", List.of(), List.of());
        // the failure names only the endpoint; its record key (the sandbox id) tells the projection whose it is
        peer.publish(BrokerPeer.endpointFailed(intent.correlationId(), endpoint, "set eth0 up: Operation not permitted"));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(500, response.statusCode(), response.asString());
        response.then().body("message", equalTo(NODE + ": set eth0 up: Operation not permitted"));
        Envelope compensation = peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED)
                && intent.correlationId().equals(e.correlationId()), INTENT_WAIT);
        assertEquals(requested.sandboxId(), compensation.data(SandboxRemoveRequested.class).sandboxId());
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("failed")).body("status", is(500));
    }

    @Test
    void removingASandboxThatWasNeverBuiltWaitsOnlyForIpam() throws Exception {
        String correlation = UUID.randomUUID().toString();
        Sandbox sandbox = BrokerPeer.sandbox(BrokerPeer.randomId(), "nb-" + BrokerPeer.suffix(), NODE);
        peer.publish(BrokerPeer.scheduled(correlation, sandbox));
        await().until(() -> get("/api/v1/sandboxes/" + sandbox.id()).statusCode(), is(200));
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                .delete("/api/v1/sandboxes/" + sandbox.id().substring(0, 12)));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED)
                && sandbox.id().equals(e.data(SandboxRemoveRequested.class).sandboxId()), INTENT_WAIT);
        peer.publish(BrokerPeer.sandboxRemoved(intent.correlationId(), sandbox.id(), sandbox.name(), NODE));
        assertEquals(204, call.get(20, TimeUnit.SECONDS).statusCode());
        get("/api/v1/sandboxes/" + sandbox.id()).then().statusCode(404);
    }

    @Test
    void rejectionAnswersWithItsStatusAndMessage() throws Exception {
        String name = "r-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post("{\"name\":\"" + name + "\",\"network\":\"" + user.name()
                + "\",\"ipv4Address\":\"172.18.0.1\"}");
        Envelope intent = awaitCreateIntent(name);
        SandboxCreateRequested requested = intent.data(SandboxCreateRequested.class);
        assertEquals("172.18.0.1", requested.networks().get(0).ipv4Address());
        peer.publish(BrokerPeer.endpointRejected(intent.correlationId(), requested.sandboxId(), "create", name, 403,
                "Address already in use"));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(403, response.statusCode(), response.asString());
        response.then().body("message", equalTo("Address already in use")).body("details.operation", equalTo(intent.correlationId()));
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("failed")).body("status", is(403));
        get("/api/v1/sandboxes/" + name).then().statusCode(404).body("message", equalTo("No such container: " + name));
        // a rejected create does not hold the name
        CompletableFuture<Response> again = post("{\"name\":\"" + name + "\"}");
        Envelope second = peer.awaitIntent(e -> e.is(EventType.SANDBOX_CREATE_REQUESTED)
                && name.equals(e.data(SandboxCreateRequested.class).name()) && !e.id().equals(intent.id()), INTENT_WAIT);
        peer.publish(BrokerPeer.sandboxRejected(second.correlationId(), second.subject().id(), name, 500,
                "Bind for 0.0.0.0:18080 failed: port is already allocated"));
        assertEquals(500, again.get(20, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void removeWaitsForRemovedAndCleared() throws Exception {
        Sandbox sandbox = readySandbox("rm-" + BrokerPeer.suffix(), user, "172.18.0.10").sandbox;
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                .delete("/api/v1/sandboxes/" + sandbox.name() + "?timeout=20s"));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.SANDBOX_REMOVE_REQUESTED)
                && sandbox.id().equals(e.data(SandboxRemoveRequested.class).sandboxId()), INTENT_WAIT);
        assertEquals(sandbox.id(), intent.subject().id());
        peer.publish(BrokerPeer.sandboxRemoved(intent.correlationId(), sandbox.id(), sandbox.name(), NODE));
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before the node cleared the sandbox");
        peer.publish(BrokerPeer.sandboxCleared(sandbox.id(), NODE));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(204, response.statusCode(), response.asString());
        get("/api/v1/sandboxes/" + sandbox.name()).then().statusCode(404)
                .body("message", equalTo("No such container: " + sandbox.name()));
        get("/api/v1/operations/" + intent.correlationId()).then().body("kind", equalTo("sandbox.remove"))
                .body("state", equalTo("succeeded")).body("status", is(204));
        get("/api/v1/networks/" + user.id()).then().body("containers.'" + sandbox.id() + "'", nullValue());
        given().delete("/api/v1/sandboxes/" + sandbox.name()).then().statusCode(404);
    }

    @Test
    void connectAndDisconnect() throws Exception {
        Attached first = readySandbox("cd-" + BrokerPeer.suffix(), user, "172.18.0.20");
        Sandbox sandbox = first.sandbox;

        CompletableFuture<Response> connect = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"sandbox\":\"" + sandbox.name() + "\",\"ipv4Address\":\"172.19.0.77\",\"aliases\":[\"db\"]}")
                .post("/api/v1/networks/" + other.name() + "/connect?timeout=20s"));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_CONNECT_REQUESTED)
                && sandbox.id().equals(e.data(EndpointConnectRequested.class).sandboxId()), INTENT_WAIT);
        EndpointConnectRequested requested = intent.data(EndpointConnectRequested.class);
        assertEquals(sandbox.id(), intent.subject().id());
        assertEquals(other.id(), requested.networkId());
        assertEquals("172.19.0.77", requested.ipv4Address());
        assertEquals(List.of("db"), requested.aliases());
        assertTrue(requested.endpointId().matches("[0-9a-f]{64}"));
        Endpoint second = BrokerPeer.endpoint(requested.endpointId(), sandbox.id(), other.id(), NODE, "eth1",
                "172.19.0.77", 16, "172.19.0.1", List.of(), List.of("db"));
        peer.publish(BrokerPeer.endpointReady(intent.correlationId(), second, 50));
        Thread.sleep(300);
        assertFalse(connect.isDone(), "answered before ipam allocated the endpoint");
        peer.publish(BrokerPeer.allocated(intent.correlationId(), second));
        Response response = connect.get(20, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.asString());
        response.then().body("networks.'" + other.name() + "'.ifname", equalTo("eth1"))
                .body("networks.'" + other.name() + "'.ipAddress", equalTo("172.19.0.77"))
                .body("networks.'" + user.name() + "'.ifname", equalTo("eth0")).body("state", equalTo("ready"));
        get("/api/v1/operations/" + intent.correlationId()).then().body("kind", equalTo("endpoint.connect"))
                .body("state", equalTo("succeeded")).body("status", is(200))
                .body("result.networks.'" + other.name() + "'.ifname", equalTo("eth1"));

        // connecting twice (named by id prefixes: each looked up on its own): ipam's rejection passes through
        CompletableFuture<Response> twice = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"sandbox\":\"" + sandbox.id().substring(0, 16) + "\"}")
                .post("/api/v1/networks/" + other.id().substring(0, 16) + "/connect"));
        Envelope again = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_CONNECT_REQUESTED)
                && !e.id().equals(intent.id()) && sandbox.id().equals(e.data(EndpointConnectRequested.class).sandboxId()),
                INTENT_WAIT);
        String message = "endpoint with name " + sandbox.name() + " already exists in network " + other.name();
        peer.publish(BrokerPeer.endpointRejected(again.correlationId(), sandbox.id(), "connect", sandbox.name(), 403, message));
        twice.get(20, TimeUnit.SECONDS).then().statusCode(403).body("message", equalTo(message));

        CompletableFuture<Response> disconnect = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"sandbox\":\"" + sandbox.name() + "\"}")
                .post("/api/v1/networks/" + other.name() + "/disconnect?timeout=20s"));
        Envelope out = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_DISCONNECT_REQUESTED)
                && sandbox.id().equals(e.data(EndpointDisconnectRequested.class).sandboxId()), INTENT_WAIT);
        assertEquals(new EndpointDisconnectRequested(sandbox.id(), other.id(), false), out.data());
        peer.publish(BrokerPeer.endpointReleased(out.correlationId(), second));
        Thread.sleep(500);
        assertFalse(disconnect.isDone(), "answered before the node removed the interface");
        peer.publish(BrokerPeer.endpointCleared(second));
        response = disconnect.get(20, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.asString());
        response.then().body("networks.'" + other.name() + "'", nullValue())
                .body("networks.'" + user.name() + "'.ifname", equalTo("eth0"));
        get("/api/v1/operations/" + out.correlationId()).then().body("kind", equalTo("endpoint.disconnect"))
                .body("state", equalTo("succeeded")).body("status", is(200))
                .body("result.id", equalTo(sandbox.id())).body("result.networks.'" + other.name() + "'", nullValue());

        // not connected any more: refused before any intent
        given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox.name() + "\"}")
                .post("/api/v1/networks/" + other.name() + "/disconnect").then().statusCode(400)
                .body("message", equalTo("container " + sandbox.id() + " is not connected to network " + other.name()));
        given().contentType(ContentType.JSON).body("{\"sandbox\":\"" + sandbox.id() + "\"}")
                .post("/api/v1/networks/" + other.id().substring(0, 16) + "/disconnect").then().statusCode(400)
                .body("message", equalTo("container " + sandbox.id() + " is not connected to network " + other.name()));
    }

    @Test
    void connectFailureAnswers500AndDisconnectsAgain() throws Exception {
        Sandbox sandbox = readySandbox("cf-" + BrokerPeer.suffix(), user, "172.18.0.30").sandbox;
        CompletableFuture<Response> connect = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"sandbox\":\"" + sandbox.name() + "\"}").post("/api/v1/networks/" + other.name() + "/connect"));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_CONNECT_REQUESTED)
                && sandbox.id().equals(e.data(EndpointConnectRequested.class).sandboxId()), INTENT_WAIT);
        Endpoint endpoint = BrokerPeer.endpoint(intent.data(EndpointConnectRequested.class).endpointId(), sandbox.id(),
                other.id(), NODE, "eth1", "172.19.0.5", 16, "172.19.0.1", List.of(), List.of());
        peer.publish(BrokerPeer.allocated(intent.correlationId(), endpoint));
        peer.publish(BrokerPeer.endpointFailed(intent.correlationId(), endpoint, "move eth1 into np-x: No such device"));
        Response response = connect.get(20, TimeUnit.SECONDS);
        assertEquals(500, response.statusCode(), response.asString());
        response.then().body("message", equalTo(NODE + ": move eth1 into np-x: No such device")).body("code", equalTo("node_failure"));
        Envelope undo = peer.awaitIntent(e -> e.is(EventType.ENDPOINT_DISCONNECT_REQUESTED)
                && intent.correlationId().equals(e.correlationId()), INTENT_WAIT);
        assertEquals(new EndpointDisconnectRequested(sandbox.id(), other.id(), true), undo.data());
    }

    @Test
    void timeoutAnswers504AndTheOperationGoesOn() throws Exception {
        String name = "t-" + BrokerPeer.suffix();
        Response response = given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/api/v1/sandboxes?timeout=1s");
        assertEquals(504, response.statusCode(), response.asString());
        Envelope intent = awaitCreateIntent(name);
        response.then().body("details.operation", equalTo(intent.correlationId())).body("message", containsString("still in progress")).body("code", equalTo("timeout"));
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("timeout"));
        // the name stays held while ipam may still answer
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}").post("/api/v1/sandboxes")
                .then().statusCode(409);
    }

    private CompletableFuture<Response> post(String json) {
        return CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON).body(json)
                .post("/api/v1/sandboxes?timeout=20s"));
    }

    private Envelope awaitCreateIntent(String name) {
        return peer.awaitIntent(e -> e.is(EventType.SANDBOX_CREATE_REQUESTED)
                && name.equals(e.data(SandboxCreateRequested.class).name()), INTENT_WAIT);
    }

    record Attached(Sandbox sandbox, Endpoint endpoint) {
    }

    /** A sandbox as ipam and the agent would leave it, projected without a call: scheduled, allocated, ready. */
    private Attached readySandbox(String name, Network network, String address) {
        String correlation = UUID.randomUUID().toString();
        Sandbox sandbox = BrokerPeer.sandbox(BrokerPeer.randomId(), name, NODE);
        Endpoint endpoint = BrokerPeer.endpoint(BrokerPeer.randomId(), sandbox.id(), network.id(), NODE, "eth0", address,
                16, network.subnets().get(0).gateway(), List.of(), List.of());
        peer.publish(BrokerPeer.scheduled(correlation, sandbox));
        peer.publish(BrokerPeer.allocated(correlation, endpoint));
        peer.publish(BrokerPeer.sandboxReady(correlation, sandbox));
        peer.publish(BrokerPeer.endpointReady(correlation, endpoint, 30));
        await().until(() -> {
            Response r = get("/api/v1/sandboxes/" + sandbox.id());
            return r.statusCode() == 200 && "ready".equals(r.jsonPath().getString("state"));
        });
        return new Attached(sandbox, endpoint);
    }

    private Network readyNetwork(Network network) {
        String correlation = UUID.randomUUID().toString();
        peer.publish(BrokerPeer.created(correlation, network));
        peer.publish(BrokerPeer.ready(correlation, network.id(), NODE, 11));
        await().until(() -> get("/api/v1/networks/" + network.id()).statusCode(), is(200));
        return network;
    }
}
