package io.netplane.api;

import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.Subject;
import io.netplane.events.data.Network;
import io.netplane.events.data.NodeRemoveRequested;
import io.netplane.events.data.NodeRemoved;
import io.netplane.events.data.Rejection;
import io.netplane.events.data.Sandbox;
import io.netplane.events.data.SandboxCreateRequested;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes through the real broker and PostgreSQL: health from heartbeats (a window of heartbeat interval × missed
 * heartbeats, here 2 s × 3), no new sandbox on a node that is not ready, placement on the ready node with the
 * fewest sandboxes, and {@code DELETE /api/v1/nodes/{name}}. The test plays the agents and ipam-service.
 */
@QuarkusTest
@TestProfile(NodeCallFlowTest.Profile.class)
class NodeCallFlowTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-nodes-" + BrokerPeer.suffix(),
                    "netplane.api.node-heartbeat-interval", "2s",
                    "netplane.api.node-missed-heartbeats", "3");
        }
    }

    static final Duration INTENT_WAIT = Duration.ofSeconds(10);

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    BrokerPeer peer;
    /** Nodes a test announced: they leave after it, so no other test places a sandbox on them. */
    final List<String> announced = new ArrayList<>();
    static boolean noneNetwork;

    @BeforeEach
    void open() {
        peer = new BrokerPeer(bootstrap, prefix);
        if (!noneNetwork) {
            Network none = new Network(BrokerPeer.randomId(), "none", "null", "local", List.of(), false, false, false,
                    Map.of(), Map.of(), null, null, true, Instant.now());
            peer.publish(BrokerPeer.created(null, none));
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/networks/none").statusCode(), is(200));
            noneNetwork = true;
        }
    }

    @AfterEach
    void close() {
        announced.forEach(n -> peer.publish(BrokerPeer.left(n)));
        peer.close();
    }

    private String node(String name, Instant seen) {
        announced.add(name);
        peer.publish(BrokerPeer.joined(name, "192.0.2.7", List.of(), seen));
        return name;
    }

    private static String state(String node) {
        return get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + node + "' }.state");
    }

    private CompletableFuture<Response> createOn(String name, String node) {
        String nodeField = node == null ? "" : ",\"node\":\"" + node + "\"";
        return CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"network\":\"none\"" + nodeField + "}")
                .post("/api/v1/sandboxes?wait=false"));
    }

    private Envelope createIntent(String name) {
        return peer.awaitIntent(e -> e.is(EventType.SANDBOX_CREATE_REQUESTED)
                && name.equals(e.data(SandboxCreateRequested.class).name()), INTENT_WAIT);
    }

    /** As ipam would: the sandbox is scheduled on the node the intent names. */
    private Sandbox schedule(Envelope intent) {
        SandboxCreateRequested r = intent.data(SandboxCreateRequested.class);
        Sandbox s = BrokerPeer.sandbox(r.sandboxId(), r.name(), r.node());
        peer.publish(BrokerPeer.scheduled(intent.correlationId(), s));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/sandboxes/" + s.id()).statusCode(), is(200));
        return s;
    }

    @Test
    void readyWhileFewerThanTheMissedHeartbeatsThenUnreachableAndNoSandboxThere() throws Exception {
        String recent = node("recent-" + BrokerPeer.suffix(), Instant.now());
        // 7 s without a heartbeat: unreachable with 3 missed heartbeats of 2 s (the default 15 s would say ready)
        String silent = node("silent-" + BrokerPeer.suffix(), Instant.now().minusSeconds(7));
        await().atMost(Duration.ofSeconds(30)).until(() -> state(silent), equalTo("unreachable"));
        peer.publish(BrokerPeer.heartbeat(recent, Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> state(recent), equalTo("ready"));

        Response refused = createOn("on-silent-" + BrokerPeer.suffix(), silent).get(20, TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.asString());
        assertTrue(refused.jsonPath().getString("message").startsWith("node " + silent + " is unreachable: it cannot run "
                + "sandbox on-silent-"), refused.asString());
        Response unknown = createOn("on-nowhere", "nowhere-" + BrokerPeer.suffix()).get(20, TimeUnit.SECONDS);
        assertEquals(404, unknown.statusCode(), unknown.asString());

        peer.publish(BrokerPeer.heartbeat(silent, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(silent), equalTo("ready"));
        get("/api/v1/nodes/" + silent).then().statusCode(200).body("state", equalTo("ready"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(recent), equalTo("unreachable"));
    }

    @Test
    void withoutANodeTheReadyNodeWithTheFewestSandboxesIsChosen() throws Exception {
        String tag = BrokerPeer.suffix();
        String a = node("pa-" + tag, Instant.now());
        String b = node("pb-" + tag, Instant.now());
        String down = node("p0-" + tag, Instant.now().minusSeconds(60)); // first by name, but unreachable
        List<String> placed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peer.publish(BrokerPeer.heartbeat(a, Instant.now()));
            peer.publish(BrokerPeer.heartbeat(b, Instant.now()));
            String name = "p" + i + "-" + tag;
            assertEquals(202, createOn(name, null).get(20, TimeUnit.SECONDS).statusCode());
            placed.add(schedule(createIntent(name)).node());
        }
        assertEquals(List.of(a, b, a, b), placed, "fewest sandboxes first, ties by name; never the unreachable " + down);
    }

    private Envelope removeIntent(String node) {
        return peer.awaitIntent(e -> e.is(EventType.NODE_REMOVE_REQUESTED)
                && node.equals(e.data(NodeRemoveRequested.class).node()), INTENT_WAIT);
    }

    @Test
    void removingANodeWaitsForIpamAndDropsItFromTheList() throws Exception {
        String tag = BrokerPeer.suffix();
        String gone = node("gone-" + tag, Instant.now().minusSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> state(gone), equalTo("unreachable"));
        Network net = BrokerPeer.network(BrokerPeer.randomId(), "nodes-" + tag, "172.29.0.0/16", "172.29.0.1", false);
        peer.publish(BrokerPeer.created(null, net));
        peer.publish(BrokerPeer.ready(null, net.id(), gone, 9));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/networks/" + net.id()).jsonPath()
                .getString("nodes.'" + gone + "'.state"), equalTo("ready"));
        Sandbox s = BrokerPeer.sandbox(BrokerPeer.randomId(), "on-gone-" + tag, gone);
        peer.publish(BrokerPeer.scheduled(java.util.UUID.randomUUID().toString(), s));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/sandboxes/" + s.id()).statusCode(), is(200));

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given()
                .header("X-Netplane-Actor", "root").delete("/api/v1/nodes/" + gone + "?timeout=20s"));
        Envelope intent = removeIntent(gone);
        assertEquals(gone, intent.subject().id(), "keyed by the node name");
        assertEquals("node", intent.subject().kind());
        assertEquals(TestCredentials.ADMIN, intent.actor(), "the actor is who authenticated, not the header");
        // ipam's answer: node.removed may overtake the sandbox.removed it lists (another partition)
        peer.publish(BrokerPeer.event(EventType.NODE_REMOVED, intent.correlationId(), Subject.node(gone), null,
                new NodeRemoved(gone, List.of(s.id()))));
        Thread.sleep(700);
        assertTrue(!call.isDone(), "answered before the sandbox it listed was removed");
        peer.publish(BrokerPeer.sandboxRemoved(intent.correlationId(), s.id(), s.name(), gone));
        Response done = call.get(20, TimeUnit.SECONDS);
        assertEquals(204, done.statusCode(), done.asString());

        get("/api/v1/nodes").then().body("name", not(hasItem(gone)));
        get("/api/v1/nodes/" + gone).then().statusCode(404).body("message", equalTo("node " + gone + " not found"));
        get("/api/v1/sandboxes/" + s.id()).then().statusCode(404);
        get("/api/v1/networks/" + net.id()).then().body("nodes", not(org.hamcrest.Matchers.hasKey(gone)));
        String operation = done.getHeader("X-Netplane-Operation");
        if (operation != null) {
            get("/api/v1/operations/" + operation).then().body("state", equalTo("succeeded")).body("kind", equalTo("node.remove"));
        }
        Response again = given().delete("/api/v1/nodes/" + gone);
        assertEquals(404, again.statusCode(), again.asString());
        Response create = createOn("after-" + tag, gone).get(20, TimeUnit.SECONDS);
        assertEquals(404, create.statusCode(), create.asString());

        // an agent that still runs (or comes back) joins again with its next event
        peer.publish(BrokerPeer.heartbeat(gone, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(gone), equalTo("ready"));
    }

    @Test
    void aReadyNodeIsRemovedOnlyWhenForcedAndARejectionIsTheAnswer() throws Exception {
        String tag = BrokerPeer.suffix();
        String up = node("up-" + tag, Instant.now());
        await().atMost(Duration.ofSeconds(30)).until(() -> state(up), equalTo("ready"));
        Response refused = given().delete("/api/v1/nodes/" + up);
        assertEquals(409, refused.statusCode(), refused.asString());
        assertTrue(refused.jsonPath().getString("message").startsWith("node " + up + " is ready and cannot be removed"),
                refused.asString());
        Response unknown = given().delete("/api/v1/nodes/never-" + tag);
        assertEquals(404, unknown.statusCode(), unknown.asString());
        assertEquals("node never-" + tag + " not found", unknown.jsonPath().getString("message"));

        Response accepted = given().delete("/api/v1/nodes/" + up + "?force=true&wait=false");
        assertEquals(202, accepted.statusCode(), accepted.asString());
        String operation = accepted.jsonPath().getString("operation");
        Envelope intent = removeIntent(up);
        assertEquals(operation, intent.correlationId());
        peer.publish(BrokerPeer.event(EventType.NODE_REJECTED, intent.correlationId(), Subject.node(up), null,
                new Rejection("remove", up, 500, "remove node " + up + ": connection reset")));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/operations/" + operation).jsonPath()
                .getString("state"), equalTo("failed"));
        get("/api/v1/operations/" + operation).then().body("status", is(500))
                .body("message", equalTo("remove node " + up + ": connection reset"));
        assertEquals("ready", state(up), "a refused removal leaves the node listed");
    }
}
