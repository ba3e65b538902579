package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.netplane.events.data.NetworkRemoveRequested;
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
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Synchronous, asynchronous and timed-out calls, end to end through the real broker and PostgreSQL. The
 * test plays ipam-service and one node-agent: it reads api-service's intents and publishes the answers
 * they would (created/rejected/removed, ready/failed/cleared, heartbeats), so what is tested is
 * api-service's waiting, projection and compensation — the real ipam and agent are tested elsewhere.
 */
@QuarkusTest
@TestProfile(NetworkCallFlowTest.Profile.class)
class NetworkCallFlowTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-flow-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final Duration INTENT_WAIT = Duration.ofSeconds(30); // the first request of a class warms up slowly on a busy machine

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;

    @BeforeEach
    void nodeIsUp() {
        peer = new BrokerPeer(bootstrap, prefix);
        peer.publish(BrokerPeer.joined(NODE, "10.99.0.1", List.of(), Instant.now()));
        // generous: the first test may start while the projection joins its group on a busy machine
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + NODE + "' }.state"),
                        equalTo("ready"));
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void createAnswers201OnceCreatedAndReadyOnEveryNode() throws Exception {
        String name = "sync-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                // the actor is who authenticated: a header claiming another name is ignored
                .auth().preemptive().basic("alice", TestCredentials.ALICE_PASSWORD).header("X-Netplane-Actor", "mallory")
                .contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"labels\":{\"team\":\"blue\"}}")
                .post("/api/v1/networks?timeout=20s"));
        Envelope intent = awaitCreateIntent(name);
        NetworkCreateRequested requested = intent.data(NetworkCreateRequested.class);
        assertEquals("alice", intent.actor());
        assertEquals("bridge", requested.driver());
        assertThat(requested.networkId().matches("[0-9a-f]{64}"), is(true));
        Network network = BrokerPeer.network(requested.networkId(), name, "172.18.0.0/16", "172.18.0.1", false);

        peer.publish(BrokerPeer.created(intent.correlationId(), network));
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before the node reported the network ready");
        peer.publish(BrokerPeer.ready(intent.correlationId(), network.id(), NODE, 42));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        assertEquals(intent.correlationId(), response.header("X-Netplane-Operation"));
        response.then().body("id", equalTo(network.id())).body("name", equalTo(name))
                .body("subnets[0].subnet", equalTo("172.18.0.0/16")).body("subnets[0].gateway", equalTo("172.18.0.1"))
                .body("bridge", equalTo("np-" + network.id().substring(0, 12)))
                .body("nodes." + NODE + ".state", equalTo("ready")).body("nodes." + NODE + ".ifindex", is(42))
                .body("ready", is(true));
        // read-your-writes: the answer came after the read model had it
        get("/api/v1/operations/" + intent.correlationId()).then().statusCode(200)
                .body("kind", equalTo("network.create")).body("state", equalTo("succeeded")).body("status", is(201))
                .body("result.id", equalTo(network.id()));
        get("/api/v1/networks/" + name).then().statusCode(200).body("ready", is(true));
    }

    @Test
    void readyBeforeCreatedIsKeptUntilCreatedArrives() throws Exception {
        String name = "early-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post(name, "");
        Envelope intent = awaitCreateIntent(name);
        String id = intent.data(NetworkCreateRequested.class).networkId();

        peer.publish(BrokerPeer.ready(intent.correlationId(), id, NODE, 7)); // status may overtake changes
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before ipam created the network");
        peer.publish(BrokerPeer.created(intent.correlationId(), BrokerPeer.network(id, name, "172.19.0.0/16", "172.19.0.1", false)));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.asString());
        response.then().body("nodes." + NODE + ".ifindex", is(7)).body("ready", is(true));
    }

    @Test
    void nodeFailureAnswers500AndRemovesTheNetworkAgain() throws Exception {
        String name = "fail-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post(name, "");
        Envelope intent = awaitCreateIntent(name);
        String id = intent.data(NetworkCreateRequested.class).networkId();
        String error = "create bridge np-" + id.substring(0, 12) + ": File exists (EEXIST)";

        peer.publish(BrokerPeer.created(intent.correlationId(), BrokerPeer.network(id, name, "172.20.0.0/16", "172.20.0.1", false)));
        peer.publish(BrokerPeer.failed(intent.correlationId(), id, NODE, error));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(500, response.statusCode(), response.asString());
        response.then().body("message", equalTo(NODE + ": " + error)).body("details.operation", equalTo(intent.correlationId()));

        Envelope compensation = peer.awaitIntent(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED)
                && intent.correlationId().equals(e.correlationId()), INTENT_WAIT);
        assertEquals(id, compensation.data(NetworkRemoveRequested.class).networkId());
        assertEquals(TestCredentials.ADMIN, compensation.actor(), "the compensation carries the actor of the call");
        get("/api/v1/operations/" + intent.correlationId()).then()
                .body("state", equalTo("failed")).body("status", is(500)).body("message", equalTo(NODE + ": " + error));

        // a second failure report (a redelivery) must not remove it twice
        peer.publish(BrokerPeer.failed(intent.correlationId(), id, NODE, error));
        long removes = peer.drainIntents(Duration.ofSeconds(1)).stream()
                .filter(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED) && intent.correlationId().equals(e.correlationId()))
                .count();
        assertEquals(1, removes);
    }

    @Test
    void removedWhileWaitingForNodesAnswers409() throws Exception {
        String name = "raced-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post(name, "");
        Envelope intent = awaitCreateIntent(name);
        String id = intent.data(NetworkCreateRequested.class).networkId();
        peer.publish(BrokerPeer.created(intent.correlationId(), BrokerPeer.network(id, name, "172.26.0.0/16", "172.26.0.1", false)));
        peer.publish(BrokerPeer.removed(UUID.randomUUID().toString(), id, name)); // another caller's remove won

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(409, response.statusCode(), response.asString());
        response.then().body("message", equalTo("network " + name + " was removed before it was ready"));
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("failed")).body("status", is(409));
    }

    @Test
    void rejectionAnswersWithItsStatusAndMessage() throws Exception {
        String name = "rej-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = post(name, ",\"ipam\":{\"config\":[{\"subnet\":\"172.17.5.0/24\",\"gateway\":\"172.17.5.1\"}]}");
        Envelope intent = awaitCreateIntent(name);
        NetworkCreateRequested requested = intent.data(NetworkCreateRequested.class);
        assertEquals("172.17.5.0/24", requested.ipam().get(0).subnet());
        assertEquals("172.17.5.1", requested.ipam().get(0).gateway());

        peer.publish(BrokerPeer.rejected(intent.correlationId(), requested.networkId(), "create", name, 403,
                "Pool overlaps with other one on this address space"));

        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(403, response.statusCode(), response.asString());
        response.then().body("message", equalTo("Pool overlaps with other one on this address space"))
                .body("details.operation", equalTo(intent.correlationId()));
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("failed")).body("status", is(403));
        get("/api/v1/networks/" + name).then().statusCode(404);
    }

    @Test
    void timeoutAnswers504AndTheOperationGoesOn() throws Exception {
        String name = "slow-" + BrokerPeer.suffix();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}").post("/api/v1/networks?timeout=1s"));
        Envelope intent = awaitCreateIntent(name);
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(504, response.statusCode(), response.asString());
        response.then().body("details.operation", equalTo(intent.correlationId()))
                .body("message", containsString("still in progress")).body("code", equalTo("timeout"));
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("timeout"));

        String id = intent.data(NetworkCreateRequested.class).networkId();
        peer.publish(BrokerPeer.created(intent.correlationId(), BrokerPeer.network(id, name, "172.21.0.0/16", "172.21.0.1", false)));
        peer.publish(BrokerPeer.ready(intent.correlationId(), id, NODE, 9));
        await().until(() -> get("/api/v1/operations/" + intent.correlationId()).jsonPath().getString("state"),
                equalTo("succeeded"));
        get("/api/v1/operations/" + intent.correlationId()).then().body("status", is(201)).body("result.name", equalTo(name));
    }

    @Test
    void asyncAnswers202WithTheOperation() {
        String name = "async-" + BrokerPeer.suffix();
        Response response = given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/api/v1/networks?wait=false");
        assertEquals(202, response.statusCode(), response.asString());
        String operation = response.jsonPath().getString("operation");
        assertThat(response.header("Location"), endsWith("/api/v1/operations/" + operation));
        Envelope intent = awaitCreateIntent(name);
        assertEquals(operation, intent.correlationId());
        get("/api/v1/operations/" + operation).then().body("state", equalTo("pending"));

        peer.publish(BrokerPeer.rejected(operation, intent.data(NetworkCreateRequested.class).networkId(), "create",
                name, 409, "network with name " + name + " already exists"));
        await().until(() -> get("/api/v1/operations/" + operation).jsonPath().getString("state"), equalTo("failed"));
        get("/api/v1/operations/" + operation).then().body("status", is(409))
                .body("message", equalTo("network with name " + name + " already exists"));
    }

    @Test
    void removeWaitsForRemovedAndClearedInAnyOrder() throws Exception {
        Network first = readyNetwork("rm-a-" + BrokerPeer.suffix(), "172.22.0.0/16");
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().delete("/api/v1/networks/" + first.name()));
        Envelope intent = awaitRemoveIntent(first.id());
        peer.publish(BrokerPeer.removed(intent.correlationId(), first.id(), first.name()));
        Thread.sleep(500);
        assertFalse(call.isDone(), "answered before the node cleared the network");
        peer.publish(BrokerPeer.cleared(first.id(), NODE));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(204, response.statusCode(), response.asString());
        get("/api/v1/networks/" + first.name()).then().statusCode(404);
        get("/api/v1/operations/" + intent.correlationId()).then().body("state", equalTo("succeeded")).body("status", is(204));

        Network second = readyNetwork("rm-b-" + BrokerPeer.suffix(), "172.23.0.0/16");
        call = CompletableFuture.supplyAsync(() -> given().delete("/api/v1/networks/" + second.id().substring(0, 12)));
        Envelope again = awaitRemoveIntent(second.id());
        peer.publish(BrokerPeer.cleared(second.id(), NODE)); // the agent acted on desired before api saw removed
        peer.publish(BrokerPeer.removed(again.correlationId(), second.id(), second.name()));
        assertEquals(204, call.get(20, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void removeRejectedAnswersWithItsStatus() throws Exception {
        Network network = readyNetwork("rm-rej-" + BrokerPeer.suffix(), "172.24.0.0/16");
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().delete("/api/v1/networks/" + network.name()));
        Envelope intent = awaitRemoveIntent(network.id());
        peer.publish(BrokerPeer.rejected(intent.correlationId(), network.id(), "remove", network.name(), 404,
                "network " + network.id() + " not found"));
        Response response = call.get(20, TimeUnit.SECONDS);
        assertEquals(404, response.statusCode(), response.asString());
        response.then().body("message", equalTo("network " + network.id() + " not found"))
                .body("details.operation", equalTo(intent.correlationId()));
    }

    @Test
    void anOperationWaitingForANodeThatLeftIsSettled() {
        String name = "left-" + BrokerPeer.suffix();
        String operation = given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/api/v1/networks?wait=false").then().statusCode(202).extract().jsonPath().getString("operation");
        Envelope intent = awaitCreateIntent(name);
        String id = intent.data(NetworkCreateRequested.class).networkId();
        peer.publish(BrokerPeer.created(operation, BrokerPeer.network(id, name, "172.25.0.0/16", "172.25.0.1", false)));
        await().until(() -> get("/api/v1/networks/" + name).statusCode(), is(200));
        get("/api/v1/operations/" + operation).then().body("state", equalTo("pending")); // NODE has not reported

        peer.publish(BrokerPeer.left(NODE)); // no event settles it: the projection's sweep does
        await().atMost(Duration.ofSeconds(15)).until(
                () -> get("/api/v1/operations/" + operation).jsonPath().getString("state"), equalTo("succeeded"));
    }

    @Test
    void nodesListTheirHealth() {
        String up = "up-" + BrokerPeer.suffix();
        String stale = "stale-" + BrokerPeer.suffix();
        String gone = "gone-" + BrokerPeer.suffix();
        try {
            peer.publish(BrokerPeer.joined(up, "10.99.0.2", List.of("172.17.0.0/16"), Instant.now()));
            peer.publish(BrokerPeer.joined(stale, "10.99.0.3", List.of(), Instant.now().minusSeconds(60)));
            peer.publish(BrokerPeer.joined(gone, "10.99.0.4", List.of(), Instant.now()));
            peer.publish(BrokerPeer.left(gone));
            await().until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + gone + "' }.state"),
                    equalTo("left"));
            get("/api/v1/nodes").then().statusCode(200)
                    .body("find { it.name == '" + up + "' }.state", equalTo("ready"))
                    .body("find { it.name == '" + up + "' }.underlayAddress", equalTo("10.99.0.2"))
                    .body("find { it.name == '" + up + "' }.routedSubnets", hasItem("172.17.0.0/16"))
                    .body("find { it.name == '" + up + "' }.versions.netplane", equalTo("0.1.0"))
                    .body("find { it.name == '" + up + "' }.lastSeen", startsWith(Instant.now().toString().substring(0, 10)))
                    .body("find { it.name == '" + stale + "' }.state", equalTo("unreachable"))
                    .body("find { it.name == '" + NODE + "' }.state", equalTo("ready"));

            peer.publish(BrokerPeer.heartbeat(stale, Instant.now()));
            await().until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + stale + "' }.state"),
                    equalTo("ready"));
        } finally {
            // the other tests wait for every ready node: these must not count
            peer.publish(BrokerPeer.left(up));
            peer.publish(BrokerPeer.left(stale));
            await().until(() -> get("/api/v1/nodes").jsonPath().getList("findAll { it.state == 'ready' }.name"),
                    equalTo(List.of(NODE)));
        }
    }

    private CompletableFuture<Response> post(String name, String moreJson) {
        return CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"" + moreJson + "}").post("/api/v1/networks?timeout=20s"));
    }

    private Envelope awaitCreateIntent(String name) {
        return peer.awaitIntent(e -> e.is(EventType.NETWORK_CREATE_REQUESTED)
                && name.equals(e.data(NetworkCreateRequested.class).name()), INTENT_WAIT);
    }

    private Envelope awaitRemoveIntent(String networkId) {
        return peer.awaitIntent(e -> e.is(EventType.NETWORK_REMOVE_REQUESTED)
                && networkId.equals(e.data(NetworkRemoveRequested.class).networkId()), INTENT_WAIT);
    }

    /** A network as ipam and the agent would leave it: created, and ready on the node. */
    private Network readyNetwork(String name, String subnet) {
        String correlation = UUID.randomUUID().toString();
        Network network = BrokerPeer.network(BrokerPeer.randomId(), name, subnet, subnet.replace("0/16", "1"), false);
        peer.publish(BrokerPeer.created(correlation, network));
        peer.publish(BrokerPeer.ready(correlation, network.id(), NODE, 11));
        await().until(() -> {
            Response r = get("/api/v1/networks/" + network.id());
            return r.statusCode() == 200 && r.jsonPath().getBoolean("ready");
        });
        return network;
    }
}
