package io.netplane.api.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.api.BrokerPeer;
import io.netplane.api.TestCredentials;
import io.netplane.events.Envelope;
import io.netplane.events.EventType;
import io.netplane.events.data.Network;
import io.netplane.events.data.NetworkCreateRequested;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/v1/events/stream}: a subscriber sees network.created and network.ready of a network
 * created through the API as ipam and the node publish them on the real broker (played by the test), only
 * what its filter asks for, with a bearer token or the session cookie; 401 without credentials.
 */
@QuarkusTest
@TestProfile(EventStreamTest.Profile.class)
class EventStreamTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netplane.topics.prefix", "nptest-api-stream-" + BrokerPeer.suffix());
        }
    }

    static final String NODE = "node-" + BrokerPeer.suffix();
    static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "netplane.topics.prefix")
    String prefix;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/api/v1/events/stream")
    URL stream;

    BrokerPeer peer;

    @BeforeEach
    void nodeIsUp() {
        peer = new BrokerPeer(bootstrap, prefix);
        peer.publish(BrokerPeer.joined(NODE, "10.99.0.1", List.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/nodes").jsonPath().getString("find { it.name == '" + NODE + "' }.state"),
                        equalTo("ready"));
    }

    @AfterEach
    void close() {
        peer.close();
    }

    private SseClient subscribe(String query, String token) throws Exception {
        SseClient client = new SseClient(URI.create(stream + query), "Authorization", "Bearer " + token);
        assertEquals(200, client.status());
        client.await(e -> e.name().equals("subscribed"), Duration.ofSeconds(10));
        return client;
    }

    /** Creates a network as ipam and the node would answer; returns its id. */
    private String createNetwork(String name) throws Exception {
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}").post("/api/v1/networks?timeout=20s"));
        Envelope intent = peer.awaitIntent(e -> e.is(EventType.NETWORK_CREATE_REQUESTED)
                && name.equals(e.data(NetworkCreateRequested.class).name()), Duration.ofSeconds(10));
        String id = intent.data(NetworkCreateRequested.class).networkId();
        Network network = BrokerPeer.network(id, name, "172.28.0.0/16", "172.28.0.1", false);
        peer.publish(BrokerPeer.created(intent.correlationId(), network));
        peer.publish(BrokerPeer.ready(intent.correlationId(), id, NODE, 9));
        assertEquals(201, call.get(30, TimeUnit.SECONDS).statusCode());
        return id;
    }

    @Test
    void subscriberSeesCreatedThenReadyOfItsNetworkOnly() throws Exception {
        String name = "live-" + BrokerPeer.suffix();
        try (SseClient all = subscribe("?kind=network", TestCredentials.VIEWER_TOKEN);
             SseClient readyOnly = subscribe("?type=network.ready", TestCredentials.VIEWER_TOKEN);
             SseClient sandboxes = subscribe("?kind=sandbox", TestCredentials.VIEWER_TOKEN)) {
            String id = createNetwork(name);

            SseClient.Event created = all.await(e -> e.name().equals("network.created"), Duration.ofSeconds(10));
            JsonNode envelope = JSON.readTree(created.data());
            assertEquals(id, envelope.path("subject").path("id").asText());
            assertEquals(name, envelope.path("data").path("name").asText());
            assertEquals(envelope.path("id").asText(), created.id(), "the SSE id is the envelope id");
            SseClient.Event ready = all.await(e -> e.name().equals("network.ready"), Duration.ofSeconds(10));
            assertEquals(NODE, JSON.readTree(ready.data()).path("data").path("node").asText());

            SseClient.Event onlyReady = readyOnly.await(e -> true, Duration.ofSeconds(10));
            assertEquals("network.ready", onlyReady.name());
            assertEquals(List.of(), sandboxes.drain(Duration.ofMillis(300)), "a sandbox filter sees no network event");

            // by entity: this network's id (a prefix is enough), not another one's
            try (SseClient mine = subscribe("?kind=network&id=" + id.substring(0, 12), TestCredentials.VIEWER_TOKEN);
                 SseClient other = subscribe("?id=" + "0".repeat(64), TestCredentials.VIEWER_TOKEN)) {
                peer.publish(BrokerPeer.ready("again-" + id, id, NODE, 10));
                SseClient.Event again = mine.await(e -> true, Duration.ofSeconds(10));
                assertEquals("network.ready", again.name());
                assertEquals(10, JSON.readTree(again.data()).path("data").path("ifindex").asInt());
                assertEquals(List.of(), other.drain(Duration.ofMillis(300)));
            }
        }
    }

    @Test
    void browserSignsInAndStreamsWithTheSessionCookie() throws Exception {
        String cookie = given().auth().preemptive().basic("victor", TestCredentials.VICTOR_PASSWORD)
                .post("/api/v1/session").then().statusCode(200).extract().cookie("netplane_session");
        try (SseClient browser = new SseClient(URI.create(stream + "?type=network.*"), "Cookie",
                "netplane_session=" + cookie)) {
            assertEquals(200, browser.status());
            browser.await(e -> e.name().equals("subscribed"), Duration.ofSeconds(10));
            String id = createNetwork("cookie-" + BrokerPeer.suffix());
            SseClient.Event created = browser.await(e -> e.name().equals("network.created"), Duration.ofSeconds(10));
            assertEquals(id, JSON.readTree(created.data()).path("subject").path("id").asText());
        }
    }

    @Test
    void streamNeedsCredentialsAndKnownFilters() throws Exception {
        try (SseClient anonymous = new SseClient(URI.create(stream.toString()), null, null)) {
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.body().contains("\"code\":\"unauthorized\""));
        }
        given().auth().oauth2(TestCredentials.VIEWER_TOKEN).get("/api/v1/events/stream?type=network.exploded")
                .then().statusCode(400).body("message", equalTo(
                        "unknown event type \"network.exploded\", e.g. network.created, network.ready or network.*"));
        given().auth().oauth2(TestCredentials.VIEWER_TOKEN).get("/api/v1/events/stream?kind=planet")
                .then().statusCode(400);
    }
}
